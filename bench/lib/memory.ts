/**
 * Memory per idle session. wrangler dev runs the Worker and every Durable Object in one workerd
 * process and exposes no per-object figure, so this reads the resident set size (Linux
 * /proc) of the system's processes before and after opening idle sessions. It measures process
 * RSS delta / sessions: V8 heap growth, SQLite pages and allocator slack together.
 */
import { readdirSync, readFileSync } from "node:fs";
import { openSession } from "./mcp.ts";

export interface MemoryFigure {
  sessions: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perSessionKiB: number;
}

/** Total VmRSS of the processes in group `pgid` whose name is `name`. */
function groupRssKiB(pgid: number, name: string): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing paren.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== pgid || comm !== name) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, "utf8"));
      total += Number(rss?.[1] ?? 0);
    } catch {
      // the process went away between readdir and read
    }
  }
  if (total === 0) throw new Error(`no process named ${name} in group ${pgid}`);
  return total;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Opens `sessions` sessions (initialize + initialized, 8 at a time) and leaves them idle. */
export async function measureIdleSessions(
  mcpUrl: string,
  pgid: number,
  processName: string,
  sessions: number,
  settleMs: number,
): Promise<MemoryFigure> {
  await sleep(settleMs);
  const rssBeforeKiB = groupRssKiB(pgid, processName);
  let next = 0;
  const worker = async () => {
    while (next < sessions) {
      next++;
      await openSession(mcpUrl);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await sleep(settleMs);
  const rssAfterKiB = groupRssKiB(pgid, processName);
  return { sessions, rssBeforeKiB, rssAfterKiB, perSessionKiB: (rssAfterKiB - rssBeforeKiB) / sessions };
}
