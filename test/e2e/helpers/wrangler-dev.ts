// Start `wrangler dev` for black-box tests, in its own process group, and make sure it goes away.
//
// Process layout: we spawn a tiny node "launcher" (detached, so it leads a new process group
// whose id is its pid) which spawns wrangler; wrangler's node, esbuild and workerd children all
// stay in that group. stop() signals the whole group and waits until no member is left. The
// launcher reads a pipe from the test process; when the test process dies for any reason (even
// SIGKILL) the pipe closes and the launcher SIGKILLs the group. A process.on("exit") hook also
// SIGKILLs every group still registered.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface DevServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Process-group id (= pid of the group leader). Changes on restart(). */
  readonly pid: number;
  /** Where workerd keeps the objects' storage (--persist-to): their SQLite files. */
  readonly persistTo: string;
  /** The last ~16 KB of wrangler's stdout and stderr, for error messages. */
  output(): string;
  /** Terminate the process group and wait until it is gone; removes temp dirs we created. Idempotent. */
  stop(): Promise<void>;
  /** stop, then start again on the same port with the same persist dir. */
  restart(): Promise<void>;
}

export interface StartDevServerOptions {
  /** Wrangler config file; default wrangler.toml at the repo root. */
  config?: string;
  /** Persistence dir (--persist-to); default a fresh temp dir, removed by stop(). A given dir is kept. */
  persistTo?: string;
  /** Passed as --var KEY:VALUE. */
  vars?: Record<string, string>;
  /** How long to wait for GET /health to answer 200; default 30 s. */
  readyTimeoutMs?: number;
  /**
   * WRANGLER_REGISTRY_PATH, the local dev registry through which workers in separate
   * `wrangler dev` processes reach each other (`script_name` bindings). Default: a private dir
   * inside this server's temp dir. A given dir is shared, and kept by stop(): its owner removes it.
   */
  registryPath?: string;
  /** Extra CLI arguments, appended after the ones this helper passes. */
  args?: string[];
  /** wrangler's --log-level; default "warn". At "log", what the Worker logs is printed too. */
  logLevel?: "debug" | "info" | "log" | "warn" | "error";
  /** Extra environment variables for wrangler, applied after the helper's own (so they win). */
  env?: Record<string, string>;
}

const STOP_GRACE_MS = 5_000;
const OUTPUT_LIMIT = 16_384;

// Runs as the group leader; argv: [wrangler, ...args]. See the file comment.
const LAUNCHER = `
const { spawn } = require("node:child_process");
const killGroup = () => { try { process.kill(-process.pid, "SIGKILL"); } catch {} };
process.stdin.on("end", killGroup).on("error", killGroup).resume();
const child = spawn(process.argv[1], process.argv.slice(2), { stdio: ["ignore", "inherit", "inherit"] });
process.on("SIGTERM", () => {}); // the group signal reaches wrangler too; exit when it does
child.on("error", (e) => { console.error("[launcher]", e.message); process.exit(127); });
child.on("exit", (code, signal) => {
  console.error("[launcher] wrangler exited:", code ?? signal);
  killGroup(); // leftovers (workerd, esbuild) if wrangler died abruptly; also ends this process
});
`;

/** Process groups started here and not yet stopped. */
const liveGroups = new Set<number>();
/** Every server started by this module (i.e. in this test file's worker), for stopAllDevServers(). */
const startedServers = new Set<DevServer>();
let exitHookInstalled = false;

function killGroupSync(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pgid of liveGroups) killGroupSync(pgid, "SIGKILL");
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port from listen(0)"))));
    });
  });
}

interface Settings {
  port: number;
  inspectorPort: number;
  config: string;
  persistTo: string;
  vars: Record<string, string>;
  /** Temp dir for the dev registry, wrangler's logs and the default persist dir. */
  workDir: string;
  registryPath: string;
  args: string[];
  logLevel: string;
  env: Record<string, string>;
  readyTimeoutMs: number;
}

class WranglerDevServer implements DevServer {
  readonly url: string;
  readonly port: number;
  readonly #s: Settings;
  #child: ChildProcess | undefined;
  #pgid = 0;
  #output = "";

  constructor(settings: Settings) {
    this.#s = settings;
    this.port = settings.port;
    this.url = `http://127.0.0.1:${settings.port}`;
  }

  get pid(): number {
    return this.#pgid;
  }

  get persistTo(): string {
    return this.#s.persistTo;
  }

  output(): string {
    return this.#output;
  }

  #append(chunk: Buffer): void {
    this.#output = (this.#output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  }

  async start(): Promise<void> {
    const args = [
      path.join(REPO_ROOT, "node_modules/.bin/wrangler"),
      "dev",
      "--config",
      this.#s.config,
      "--ip",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--inspector-port",
      String(this.#s.inspectorPort),
      "--persist-to",
      this.#s.persistTo,
      "--log-level",
      this.#s.logLevel,
      "--show-interactive-dev-session=false",
      ...Object.entries(this.#s.vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
      ...this.#s.args,
    ];
    installExitHook();
    const child = spawn(process.execPath, ["-e", LAUNCHER, ...args], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        CI: "true",
        FORCE_COLOR: "0",
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_REGISTRY_PATH: this.#s.registryPath,
        WRANGLER_LOG_PATH: path.join(this.#s.workDir, "logs"),
        PATH: [path.join(REPO_ROOT, "node_modules/.bin"), process.env.PATH].join(path.delimiter),
        ...this.#s.env,
      },
    });
    if (child.pid === undefined) throw new Error("failed to spawn wrangler dev launcher");
    this.#child = child;
    this.#pgid = child.pid;
    liveGroups.add(child.pid);
    child.stdout?.on("data", (chunk: Buffer) => this.#append(chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.#append(chunk));
    // Don't let the dev server keep the test process alive; the stdin pipe stays open on purpose.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();

    const started = Date.now();
    const deadline = started + this.#s.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (!groupAlive(this.#pgid)) {
        await this.#kill();
        throw new Error(`wrangler dev exited before it was ready:\n${this.#output}`);
      }
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await this.#kill();
    throw new Error(`wrangler dev not ready after ${this.#s.readyTimeoutMs} ms (${this.url}/health):\n${this.#output}`);
  }

  /** SIGTERM the group, SIGKILL after a grace period, wait until no member is left. */
  async #kill(): Promise<void> {
    const pgid = this.#pgid;
    if (!pgid || !liveGroups.has(pgid)) return;
    killGroupSync(pgid, "SIGTERM");
    const killAt = Date.now() + STOP_GRACE_MS;
    while (groupAlive(pgid) && Date.now() < killAt) await sleep(50);
    if (groupAlive(pgid)) {
      killGroupSync(pgid, "SIGKILL");
      const giveUpAt = Date.now() + 5_000;
      while (groupAlive(pgid) && Date.now() < giveUpAt) await sleep(50);
      if (groupAlive(pgid)) throw new Error(`process group ${pgid} survived SIGKILL`);
    }
    liveGroups.delete(pgid);
    this.#child?.stdin?.destroy();
    this.#child = undefined;
  }

  async stop(): Promise<void> {
    await this.#kill();
    await rm(this.#s.workDir, { recursive: true, force: true });
  }

  async restart(): Promise<void> {
    await this.#kill();
    this.#output = "";
    await this.start();
  }
}

export async function startDevServer(options: StartDevServerOptions = {}): Promise<DevServer> {
  const workDir = await mkdtemp(path.join(tmpdir(), "durable-mcp-e2e-"));
  const server = new WranglerDevServer({
    port: await getFreePort(),
    inspectorPort: await getFreePort(),
    config: path.resolve(REPO_ROOT, options.config ?? "wrangler.toml"),
    persistTo: options.persistTo ? path.resolve(options.persistTo) : path.join(workDir, "state"),
    vars: options.vars ?? {},
    workDir,
    registryPath: options.registryPath ? path.resolve(options.registryPath) : path.join(workDir, "registry"),
    args: options.args ?? [],
    logLevel: options.logLevel ?? "warn",
    env: options.env ?? {},
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
  });
  startedServers.add(server);
  try {
    await server.start();
  } catch (error) {
    await server.stop(); // the group is gone already; this removes the temp dir
    throw error;
  }
  return server;
}

/**
 * Stop every dev server this file started and has not stopped, e.g. `afterAll(stopAllDevServers)`.
 * A safety net: tests should still stop their own servers.
 */
export async function stopAllDevServers(): Promise<void> {
  const servers = [...startedServers];
  startedServers.clear();
  await Promise.all(servers.map((server) => server.stop()));
}
