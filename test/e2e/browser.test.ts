// In a real browser (issue 21): headless Chromium loads a page from another local origin, whose
// script connects to the demo under wrangler dev with two real clients, the SDK v2 client in
// "auto" (the 2026-07-28 lane) and the AI SDK's MCP client with its defaults. Each request is the
// page's own cross-origin fetch, so CORS (src/edge/cors.ts) and the origin check
// (src/security/origin.ts) must let it through, preflight included.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useDevServer } from "./helpers/dev-server.js";
import { REPO_ROOT } from "./helpers/wrangler-dev.js";

/** Debian's chromium (.ci/run installs it); playwright-core brings no browser of its own. */
const CHROMIUM = "/usr/bin/chromium";
/** The flags that work on this machine's closed network (see .ci/run). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ECHO = (text: string) => [{ type: "text", text }];

/** What the page's script (test/e2e/browser/page.ts) hands back. */
interface SeenByClient {
  tools: string[];
  echo: unknown;
  era?: string;
}
type BrowserClient = "sdkV2" | "aiSdk";
/** The page's global (this tsconfig has no DOM types). */
interface PageGlobals {
  mcpFromPage(which: BrowserClient, url: string, message: string): Promise<SeenByClient>;
}

const demo = useDevServer();
let pageServer: Server;
let pageOrigin: string;
let browser: Browser;
let page: Page;
/** The page's console and uncaught errors, shown when a client fails (a CORS refusal is only there). */
let consoleLines: string[] = [];

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [join(REPO_ROOT, "test/e2e/browser/page.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.text;
  const html = '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/page.js"></script>';
  pageServer = createServer((request, response) => {
    const [type, body] = request.url === "/page.js" ? ["text/javascript", script] : ["text/html", html];
    response.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  // launch() gives Chromium a fresh --user-data-dir of its own (it refuses one in args) and
  // removes it on close.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
});

beforeEach(async () => {
  consoleLines = [];
  page = await browser.newPage();
  page.on("console", (message) => consoleLines.push(`console.${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => consoleLines.push(`pageerror: ${error.message}`));
  await page.goto(`${pageOrigin}/`);
  await page.waitForFunction("typeof window.mcpFromPage === 'function'");
});

afterEach(async () => {
  await page?.close();
});

/** Runs one client in the page against the demo; a failure carries what the page's console said. */
async function fromPage(which: BrowserClient, message: string): Promise<SeenByClient> {
  const url = `${demo.server.url}/mcp`;
  try {
    return await page.evaluate(([w, u, m]) => (globalThis as unknown as PageGlobals).mcpFromPage(w, u, m), [
      which,
      url,
      message,
    ] as const);
  } catch (error) {
    throw new Error(`${which} failed in the page: ${(error as Error).message}\n${consoleLines.join("\n")}`, {
      cause: error,
    });
  }
}

describe("a page on another local origin", () => {
  it("is another origin than the server's, both on loopback", () => {
    expect(new URL(pageOrigin).hostname).toBe(new URL(demo.server.url).hostname);
    expect(pageOrigin).not.toBe(new URL(demo.server.url).origin);
  });

  it('the SDK v2 client in "auto" lists the tools and calls echo on the 2026-07-28 lane', async () => {
    const seen = await fromPage("sdkV2", "hello from Chromium");

    expect(seen.tools).toEqual(expect.arrayContaining(["add", "echo", "slow_task"]));
    expect(seen.echo).toEqual(ECHO("hello from Chromium"));
    expect(seen.era).toBe("modern");
  });

  it("the AI SDK's createMCPClient with its defaults lists the tools and calls echo", async () => {
    const seen = await fromPage("aiSdk", "hello from the AI SDK");

    expect(seen.tools).toEqual(expect.arrayContaining(["add", "echo", "slow_task"]));
    expect(seen.echo).toEqual(ECHO("hello from the AI SDK"));
  });
});
