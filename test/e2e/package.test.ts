// The library as a package: `npm pack` of this repository, installed into a temporary Worker
// project (test/e2e/fixtures/consumer/) that imports only "durable-mcp" and brings its own
// McpServer; the project type-checks against the packed declarations and serves under
// wrangler dev.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callTool, openSession } from "../shared/mcp.js";
import { endpointOf } from "./helpers/mcp-client.js";
import { REPO_ROOT, startDevServer, stopAllDevServers, type DevServer } from "./helpers/wrangler-dev.js";

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, "node_modules/.bin");
/** npm and tsc on the project's node 22, whatever is on PATH. */
const env = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env["PATH"] ?? ""}` };

let work: string;
let project: string;
let server: DevServer | undefined;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "durable-mcp-package-"));
  await run("npm", ["pack", "--pack-destination", work], { cwd: REPO_ROOT, env });
  const [tarball] = (await readdir(work)).filter((name) => name.endsWith(".tgz"));
  project = path.join(work, "consumer");
  await cp(path.join(REPO_ROOT, "test/e2e/fixtures/consumer"), project, { recursive: true });
  const manifest = {
    name: "consumer",
    private: true,
    type: "module",
    dependencies: { "durable-mcp": `file:${path.join(work, tarball!)}`, "@modelcontextprotocol/sdk": "1.32.2", zod: "4.6.7" },
    devDependencies: { "@cloudflare/workers-types": "5.20261117.1" },
  };
  await writeFile(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
  // Resolved from the npm cache the repository's own install filled (the registry otherwise).
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: project, env });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await stopAllDevServers();
  if (work) await rm(work, { recursive: true, force: true });
});

it("type-checks a Worker that uses only the packed declarations", async () => {
  await expect(run(path.join(BIN, "tsc"), ["-p", "tsconfig.json"], { cwd: project, env })).resolves.toBeDefined();
});

it("serves that Worker's own server under wrangler dev, sessions and all", async () => {
  server = await startDevServer({ config: path.join(project, "wrangler.toml") });
  const endpoint = endpointOf(server.url);
  const sessionId = await openSession(endpoint);
  const answer = await callTool(endpoint, sessionId, "shout", { text: "packed" });
  expect(answer.result).toEqual({ content: [{ type: "text", text: "PACKED" }] });
});
