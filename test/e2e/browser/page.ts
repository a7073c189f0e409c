// The page's script in test/e2e/browser.test.ts, bundled by esbuild for Chromium: two real MCP
// clients, each run from the page (its fetch, its origin, its CORS), reporting what it saw.
import { createMCPClient } from "@ai-sdk/mcp";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

interface SeenByClient {
  tools: string[];
  echo: unknown;
  era?: string;
}

/** SDK v2 with `versionNegotiation: "auto"`: server/discover, then tools/list and tools/call. */
async function sdkV2(url: string, message: string): Promise<SeenByClient> {
  const client = new Client({ name: "browser-sdk-v2", version: "2.0.0" }, { versionNegotiation: { mode: "auto" } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    const { tools } = await client.listTools();
    const echo = await client.callTool({ name: "echo", arguments: { message } });
    return { tools: tools.map(({ name }) => name), echo: echo.content, era: client.getProtocolEra() };
  } finally {
    await client.close();
  }
}

/** The AI SDK's MCP client with its defaults (it opens with the 2026-07-28 headers). */
async function aiSdk(url: string, message: string): Promise<SeenByClient> {
  const client = await createMCPClient({ transport: { type: "http", url } });
  try {
    const { tools } = await client.listTools();
    const echo = await client.callTool({ name: "echo", arguments: { message } });
    return { tools: tools.map(({ name }) => name), echo: echo.content };
  } finally {
    await client.close();
  }
}

const clients = { sdkV2, aiSdk };
type BrowserClient = keyof typeof clients;

declare global {
  interface Window {
    /** What the test calls through page.evaluate. */
    mcpFromPage: (which: BrowserClient, url: string, message: string) => Promise<SeenByClient>;
  }
}

window.mcpFromPage = (which, url, message) => clients[which](url, message);
