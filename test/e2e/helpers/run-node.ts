// Runs a command in its own process group, bounded in time; the group is killed on timeout, and
// stopAllNodeRuns() in afterAll kills any a test gave up on. runNode runs on the project's node 22
// (the CLIs in node_modules need it, whatever node runs vitest).
import { spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./wrangler-dev.js";

export const NODE = path.join(REPO_ROOT, "node_modules/.bin/node");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const running = new Set<number>();

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
}

export function runNode(args: string[], options: RunOptions): Promise<RunResult> {
  return runCommand(NODE, args, options);
}

export function runCommand(
  command: string,
  args: string[],
  { cwd = REPO_ROOT, env = {}, timeoutMs }: RunOptions,
): Promise<RunResult> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
  });
  const pid = child.pid;
  if (pid === undefined) return Promise.reject(new Error(`could not spawn ${command}`));
  running.add(pid);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(pid);
      reject(
        new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs} ms\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`),
      );
    }, timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      running.delete(pid);
    };
    child.on("error", (error) => {
      settle();
      reject(error);
    });
    child.on("close", (code, signal) => {
      settle();
      killGroup(pid); // anything the command left running in its group
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export function stopAllNodeRuns(): void {
  for (const pid of running) killGroup(pid);
  running.clear();
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: gone already
  }
}
