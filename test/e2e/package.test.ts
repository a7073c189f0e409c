// The library as a package: `npm pack` of this repository (prepack builds dist/), installed into
// a temporary copy of test/e2e/fixtures/consumer/, a Worker project that imports only
// "durable-mcp" (and "durable-mcp/oauth" in a type-only file) and brings its own McpServer.
// The tarball is installed the way a user installs it (`npm install` of a `file:` dependency,
// its own dependencies resolved from the npm cache or the registry), so nothing of this
// repository but the packed files is reachable from the project. The project then type-checks
// against the packed declarations, serves under wrangler dev and bundles for deploy, offline.
import { cp, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callTool, openSession } from "../shared/mcp.js";
import { endpointOf } from "./helpers/mcp-client.js";
import { runCommand, stopAllNodeRuns } from "./helpers/run-node.js";
import { REPO_ROOT, startDevServer, stopAllDevServers, type DevServer } from "./helpers/wrangler-dev.js";

const BIN = path.join(REPO_ROOT, "node_modules/.bin");
/** npm, tsc and wrangler on the project's node 22, whatever is on PATH. */
const env = {
  PATH: `${BIN}${path.delimiter}${process.env["PATH"] ?? ""}`,
  CI: "true",
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/** Runs a command on node 22's PATH; resolves with its output, rejects (with it) unless it exits 0 in time. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  const { code, signal, stdout, stderr } = await runCommand(command, args, { cwd, env, timeoutMs: 90_000 });
  const output = stdout + stderr;
  if (code !== 0)
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) ended with ${code ?? signal}:\n${output.slice(-4000)}`);
  return output;
}

let work: string;
let project: string;
let packedFiles: string[];
let server: DevServer | undefined;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "durable-mcp-package-"));
  await run("npm", ["pack", "--pack-destination", work], REPO_ROOT);
  const [tarball] = (await readdir(work)).filter((name) => name.endsWith(".tgz"));
  packedFiles = (await run("tar", ["-tzf", path.join(work, tarball!)], work)).split("\n").filter(Boolean);

  project = path.join(work, "consumer");
  await cp(path.join(REPO_ROOT, "test/e2e/fixtures/consumer"), project, { recursive: true });
  // The fixture depends on "file:./durable-mcp.tgz"; its other dependencies take this
  // repository's pins, so that npm finds them in the cache `npm ci` filled.
  await rename(path.join(work, tarball!), path.join(project, "durable-mcp.tgz"));
  const root = JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8"));
  const pins: Record<string, string> = { ...root.devDependencies, ...root.dependencies };
  const manifestPath = path.join(project, "package.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8"));
  for (const group of [manifest.dependencies, manifest.devDependencies]) {
    for (const name of Object.keys(group)) if (name !== "durable-mcp" && pins[name]) group[name] = pins[name];
  }
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
}, 150_000);

afterAll(async () => {
  await server?.stop();
  await stopAllDevServers();
  stopAllNodeRuns();
  if (work) await rm(work, { recursive: true, force: true });
});

it("packs the library's build only: both entries with their declarations, no demo", () => {
  for (const file of ["package.json", "README.md", "dist/lib.js", "dist/lib.d.ts", "dist/oauth.js", "dist/oauth.d.ts"]) {
    expect(packedFiles).toContain(`package/${file}`);
  }
  const outside = packedFiles.filter((file) => !/^package\/(dist\/|README\.md$|package\.json$)/.test(file));
  expect(outside).toEqual([]);
  expect(packedFiles.filter((file) => /\/(demo|conformance)\/|^package\/dist\/index\./.test(file))).toEqual([]);
});

it("type-checks a Worker that uses only the packed declarations (skipLibCheck off)", async () => {
  await run(path.join(BIN, "tsc"), ["-p", "tsconfig.json"], project);
});

it("serves that Worker's own server under wrangler dev, sessions and all", async () => {
  server = await startDevServer({ config: path.join(project, "wrangler.toml") });
  const endpoint = endpointOf(server.url);
  const sessionId = await openSession(endpoint);
  const answer = await callTool(endpoint, sessionId, "shout", { text: "packed" });
  expect(answer.result).toEqual({ content: [{ type: "text", text: "PACKED" }] });
});

it("bundles that Worker for deploy offline, without the OAuth provider it does not import", async () => {
  const outdir = path.join(work, "bundle");
  const output = await run(path.join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", outdir], project);
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  expect(size, output).not.toBeNull();
  console.log(`consumer Worker bundle: ${size![1]} KiB, ${size![2]} KiB gzipped`);
  const bundle = await readFile(path.join(outdir, "index.js"), "utf8");
  expect(bundle).toContain('name: "consumer"');
  expect(bundle).not.toContain("workers-oauth-provider");
});
