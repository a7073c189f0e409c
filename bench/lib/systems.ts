/**
 * The five systems under test, and (f), the 2026-07-28 lane's baseline, each started on 127.0.0.1 in its own process group and stopped
 * by that group's id. The four Workers run under the same `wrangler dev` (the e2e tests'
 * helper); the SDK's node server runs on the same node 22 as the harness.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { getFreePort, REPO_ROOT, startDevServer } from "../../test/e2e/helpers/wrangler-dev.ts";

export type SystemKey = "a" | "b" | "c" | "d" | "e" | "f";

export interface RunningSystem {
  /** The MCP endpoint, http://127.0.0.1:PORT/mcp */
  mcpUrl: string;
  /** The process group; memory is read from its members named `memoryProcess`. */
  pgid: number;
  stop(): Promise<void>;
}

export interface SystemSpec {
  key: SystemKey;
  name: string;
  /** The process whose RSS holds the sessions: workerd, or the node server itself. */
  memoryProcess: "workerd" | "node";
  /** Why a scenario does not apply, keyed by scenario. */
  notApplicable: { listChanged?: string; memory?: string };
  start(): Promise<RunningSystem>;
}

/** A Worker under `wrangler dev` with `config`, its endpoint at /mcp. */
export async function wranglerSystem(config: string): Promise<RunningSystem> {
  const server = await startDevServer({ config, readyTimeoutMs: 60_000 });
  return { mcpUrl: `${server.url}/mcp`, pgid: server.pid, stop: () => server.stop() };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The SDK server as a detached process (its own group); it exits when its stdin pipe closes. */
async function nodeSystem(): Promise<RunningSystem> {
  const port = await getFreePort();
  const script = path.join(REPO_ROOT, "bench/systems/sdk-node/server.ts");
  const child = spawn(process.execPath, ["--experimental-strip-types", "--no-warnings", script, String(port)], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["pipe", "inherit", "inherit"],
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error("failed to spawn the SDK node server");
  const killGroup = (signal: NodeJS.Signals) => groupAlive(pgid) && process.kill(-pgid, signal);
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    killGroup("SIGTERM");
    for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(50);
    killGroup("SIGKILL");
    child.stdin?.destroy();
  };
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { mcpUrl: `${url}/mcp`, pgid, stop };
  }
  await stop();
  throw new Error("the SDK node server did not answer /health within 30 s");
}

export const SYSTEMS: SystemSpec[] = [
  {
    key: "a",
    name: "durable-mcp demo",
    memoryProcess: "workerd",
    notApplicable: {},
    start: () => wranglerSystem(path.join(REPO_ROOT, "wrangler.toml")),
  },
  {
    key: "b",
    name: "McpAgent",
    memoryProcess: "workerd",
    notApplicable: {},
    start: () => wranglerSystem(path.join(REPO_ROOT, "bench/systems/mcp-agent/wrangler.toml")),
  },
  {
    key: "c",
    name: "SDK node (stateful)",
    memoryProcess: "node",
    notApplicable: {},
    start: nodeSystem,
  },
  {
    key: "d",
    name: "bare Worker",
    memoryProcess: "workerd",
    notApplicable: {
      listChanged: "no MCP server, so no standalone stream",
      memory: "keeps no sessions",
    },
    start: () => wranglerSystem(path.join(REPO_ROOT, "bench/systems/bare/wrangler.toml")),
  },
  {
    key: "e",
    name: "durable-mcp, (b)'s tools",
    memoryProcess: "workerd",
    notApplicable: {},
    start: () => wranglerSystem(path.join(REPO_ROOT, "bench/systems/durable-mcp/wrangler.toml")),
  },
];

/**
 * (f): agents' stateless `createMcpHandler` on SDK v2, the baseline of the 2026-07-28 lane. It
 * keeps no sessions, so it runs only in the interleaved rounds of that lane, not in the table.
 */
export const AGENTS_STATELESS: SystemSpec = {
  key: "f",
  name: "agents createMcpHandler (stateless, SDK v2)",
  memoryProcess: "workerd",
  notApplicable: { listChanged: "no sessions on 2026-07-28", memory: "keeps no sessions" },
  start: () => wranglerSystem(path.join(REPO_ROOT, "bench/systems/agents-stateless/wrangler.toml")),
};
