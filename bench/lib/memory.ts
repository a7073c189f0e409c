/**
 * Memory per idle session. wrangler dev runs the Worker and every Durable Object in one workerd
 * process and exposes no per-object figure, so this reads the resident set size (Linux
 * /proc) of the system's processes before and after opening idle sessions. It measures process
 * RSS delta / sessions: V8 heap growth, SQLite pages and allocator slack together.
 */
import { openSession } from "./mcp.ts";
import { groupRssKiB } from "./processes.ts";

export interface MemoryFigure {
  sessions: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perSessionKiB: number;
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
