// A second real client: the MCP Inspector's CLI mode (@modelcontextprotocol/inspector, --cli)
// lists and calls the demo's tools over Streamable HTTP against wrangler dev. Each invocation is
// a whole session of its own: initialize, one method, close.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useDevServer } from "./helpers/dev-server.js";
import { runNode, stopAllNodeRuns, type RunResult } from "./helpers/run-node.js";
import { REPO_ROOT } from "./helpers/wrangler-dev.js";

const PACKAGE_DIR = path.join(REPO_ROOT, "node_modules/@modelcontextprotocol/inspector");
const CLI_TIMEOUT_MS = 30_000;
/** The demo tools the README documents; the demo may have more. */
const DEMO_TOOLS = ["add", "echo", "log", "slow_task", "toggle_extra_tool", "touch_resource"];

const dev = useDevServer();
/** HOME for the Inspector: it keeps a catalog and state under ~/.mcp-inspector. */
let home: string | undefined;
let launcher: string;

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(path.join(PACKAGE_DIR, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  const bin = manifest.bin["mcp-inspector"];
  if (!bin) throw new Error("@modelcontextprotocol/inspector has no `mcp-inspector` bin");
  launcher = path.join(PACKAGE_DIR, bin);
  home = await mkdtemp(path.join(tmpdir(), "durable-mcp-inspector-"));
});

afterAll(async () => {
  stopAllNodeRuns();
  if (home) await rm(home, { recursive: true, force: true });
});

/** `mcp-inspector --cli <url> --transport http <args>`, in its own process group, with a timeout. */
function inspector(args: string[]): Promise<RunResult> {
  return runNode([launcher, "--cli", dev.endpoint.url, "--transport", "http", ...args], {
    cwd: home,
    env: { HOME: home!, MCP_CATALOG_PATH: path.join(home!, "mcp.json") },
    timeoutMs: CLI_TIMEOUT_MS,
  });
}

/** Runs the Inspector and parses its JSON output; fails with its output when it did not succeed. */
async function inspectorJson<T>(args: string[]): Promise<T> {
  const { code, stdout, stderr } = await inspector(args);
  expect(code, `inspector ${args.join(" ")} exited ${code}:\n${stdout}\n${stderr}`).toBe(0);
  return JSON.parse(stdout) as T;
}

interface ToolCallResult {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

describe("MCP Inspector CLI against the demo", () => {
  it("lists the demo's tools with their input schemas", { timeout: CLI_TIMEOUT_MS + 5_000 }, async () => {
    const { tools } = await inspectorJson<{ tools: Array<{ name: string; description?: string; inputSchema: unknown }> }>([
      "--method",
      "tools/list",
    ]);
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(DEMO_TOOLS));
    const echo = tools.find((tool) => tool.name === "echo");
    expect(echo?.inputSchema).toMatchObject({
      type: "object",
      properties: { message: { type: "string" } },
      required: ["message"],
    });
  });

  it("calls echo", { timeout: CLI_TIMEOUT_MS + 5_000 }, async () => {
    const result = await inspectorJson<ToolCallResult>([
      "--method",
      "tools/call",
      "--tool-name",
      "echo",
      "--tool-arg",
      "message=hi",
    ]);
    expect(result).toEqual({ content: [{ type: "text", text: "hi" }] });
  });

  it("calls add and gets its structured content", { timeout: CLI_TIMEOUT_MS + 5_000 }, async () => {
    const result = await inspectorJson<ToolCallResult>([
      "--method",
      "tools/call",
      "--tool-name",
      "add",
      "--tool-arg",
      "a=2",
      "b=3",
    ]);
    expect(result.isError ?? false).toBe(false);
    expect(result.content).toEqual([{ type: "text", text: "5" }]);
    expect(result.structuredContent).toEqual({ sum: 5 });
  });

  it("reads a resource and gets a prompt", { timeout: 2 * CLI_TIMEOUT_MS + 5_000 }, async () => {
    expect(await inspectorJson(["--method", "resources/read", "--uri", "demo://greeting"])).toEqual({
      contents: [{ uri: "demo://greeting", mimeType: "text/plain", text: "Hello from durable-mcp" }],
    });
    expect(
      await inspectorJson(["--method", "prompts/get", "--prompt-name", "greet", "--prompt-args", "name=Ada", "style=formal"]),
    ).toEqual({
      description: "A formal greeting for Ada",
      messages: [{ role: "user", content: { type: "text", text: "Please write a formal greeting addressed to Ada." } }],
    });
  });

  it("gets a tool's error as a result with isError (the Inspector exits 5)", { timeout: CLI_TIMEOUT_MS + 5_000 }, async () => {
    const { code, stdout, stderr } = await inspector([
      "--method",
      "tools/call",
      "--tool-name",
      "add",
      "--tool-arg",
      "a=x",
      "b=1",
    ]);
    expect(code).toBe(5);
    expect(JSON.parse(stderr)).toMatchObject({ error: { code: "tool_is_error" } });
    const result = JSON.parse(stdout) as ToolCallResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/Input validation error: Invalid arguments for tool add/);
  });
});
