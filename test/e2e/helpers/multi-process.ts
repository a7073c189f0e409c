// Three `wrangler dev` processes for test/e2e/multi-process.test.ts: a "sessions" worker that owns
// the SessionDO namespace, and two stateless front workers (the real demo Worker, demo/index.ts)
// whose MCP_SESSION binding names that worker with `script_name`. The fronts find it through
// wrangler's local dev registry (WRANGLER_REGISTRY_PATH), one temp dir shared by the three
// processes of one cluster and by nobody else.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDevServer, type DevServer } from "./wrangler-dev.js";

const FIXTURES = "test/e2e/fixtures/multi-process";
export const SESSIONS_CONFIG = `${FIXTURES}/sessions.toml`;
export const FRONT_CONFIG = `${FIXTURES}/front.toml`;

export interface Cluster {
  /** The worker that defines SessionDO and holds every session object. */
  readonly sessions: DevServer;
  readonly frontA: DevServer;
  readonly frontB: DevServer;
  /** The shared WRANGLER_REGISTRY_PATH. */
  readonly registryPath: string;
  /** Each process's --persist-to dir: where its Durable Objects' SQLite files would be. */
  readonly persistDirs: { readonly sessions: string; readonly frontA: string; readonly frontB: string };
  /** From the first spawn until both fronts reached the sessions worker. */
  readonly startupMs: number;
  /** Milliseconds since the first spawn at which: sessions answered /health, both fronts answered /health, both reached the sessions worker. */
  readonly startupPhases: { readonly sessions: number; readonly fronts: number; readonly linked: number };
  /** Stops the three process groups (each by its own id) and removes the cluster's temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** Per process: how long to wait for /health; default 30 s. */
  readyTimeoutMs?: number;
  /** How long a front may take to reach the sessions worker through the registry; default 30 s. */
  linkTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `front` reaches the sessions worker's SessionDO namespace: a POST naming a
 * well-formed but unknown session id is answered 404 only after the session object was asked
 * (`open()` over the `script_name` binding). Until the registry links the two processes, the
 * front answers 500 ("Worker ... not found"). Leaves no session behind.
 */
export async function waitUntilLinked(front: DevServer, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${front.url}/mcp`, {
        method: "POST",
        headers: {
          Accept: "application/json, text/event-stream",
          "Content-Type": "application/json",
          "MCP-Protocol-Version": "2025-11-25",
          "Mcp-Session-Id": crypto.randomUUID(),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        signal: AbortSignal.timeout(5_000),
      });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 404) return;
    } catch (error) {
      last = String(error);
    }
    await sleep(100);
  }
  throw new Error(
    `${front.url} did not reach the sessions worker within ${timeoutMs} ms; last answer: ${last}\n${front.output()}`,
  );
}

/**
 * Starts the sessions worker, waits for its /health, then starts both fronts and waits until each
 * reaches the session namespace. On any failure every process already started is stopped.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<Cluster> {
  const root = await mkdtemp(path.join(tmpdir(), "durable-mcp-cluster-"));
  const registryPath = path.join(root, "registry");
  const persistDirs = {
    sessions: path.join(root, "sessions-state"),
    frontA: path.join(root, "front-a-state"),
    frontB: path.join(root, "front-b-state"),
  };
  const started: DevServer[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const results = await Promise.allSettled(started.map((server) => server.stop()));
    await rm(root, { recursive: true, force: true });
    const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failure) throw failure.reason;
  };

  const begin = Date.now();
  const common = { registryPath, readyTimeoutMs: options.readyTimeoutMs };
  try {
    const sessions = await startDevServer({ ...common, config: SESSIONS_CONFIG, persistTo: persistDirs.sessions });
    started.push(sessions);
    const sessionsUp = Date.now() - begin;
    // Both fronts run the same front.toml, so they register the same worker name: the registry
    // keeps the first entry and the second process skips registering (nothing binds to a front).
    const fronts = await Promise.allSettled([
      startDevServer({ ...common, config: FRONT_CONFIG, persistTo: persistDirs.frontA }),
      startDevServer({ ...common, config: FRONT_CONFIG, persistTo: persistDirs.frontB }),
    ]);
    for (const front of fronts) if (front.status === "fulfilled") started.push(front.value);
    for (const front of fronts) if (front.status === "rejected") throw front.reason;
    const [frontA, frontB] = started.slice(1) as [DevServer, DevServer];
    const frontsUp = Date.now() - begin;
    await Promise.all([waitUntilLinked(frontA, options.linkTimeoutMs), waitUntilLinked(frontB, options.linkTimeoutMs)]);
    const linked = Date.now() - begin;
    return {
      sessions,
      frontA,
      frontB,
      registryPath,
      persistDirs,
      startupMs: linked,
      startupPhases: { sessions: sessionsUp, fronts: frontsUp, linked },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
