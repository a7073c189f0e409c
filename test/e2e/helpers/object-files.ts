/**
 * Whether a Durable Object is in memory under `wrangler dev`, read without touching it: workerd
 * opens an object's SQLite file (under --persist-to) when it starts the object and closes it when
 * it evicts it, so the open files of the server's workerd processes (/proc/PID/fd) tell. A
 * request would start the object again; reading its file handles does not.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { until } from "../../shared/until.ts";
import type { DevServer } from "./wrangler-dev.js";

/** The SQLite files of objects of `className` that the server's workerd processes hold open. */
export function openObjectFiles(server: DevServer, className: string): string[] {
  const pattern = new RegExp(`/v3/do/[^/]+-${className}/[0-9a-f]{64}\\.sqlite$`);
  return workerdPids(server.pid).flatMap((pid) =>
    openFiles(pid).filter((file) => file.startsWith(server.persistTo) && pattern.test(file)),
  );
}

/** Runs `act`, which starts one object of `className`, and returns what it returned with that object's SQLite file. */
export async function startedObject<T>(
  server: DevServer,
  className: string,
  act: () => Promise<T>,
): Promise<{ result: T; file: string }> {
  const before = new Set(openObjectFiles(server, className));
  const result = await act();
  const opened = openObjectFiles(server, className).filter((file) => !before.has(file));
  if (opened.length !== 1) throw new Error(`expected one new ${className} file open in workerd, found ${JSON.stringify(opened)}`);
  return { result, file: opened[0]! };
}

/** Whether the object whose SQLite file is `file` is in memory. */
export function isResident(server: DevServer, className: string, file: string): boolean {
  return openObjectFiles(server, className).includes(file);
}

/** Until workerd has evicted the object whose SQLite file is `file`; fails after `timeoutMs`. */
export function untilEvicted(server: DevServer, className: string, file: string, timeoutMs: number): Promise<void> {
  return until(() => !isResident(server, className, file), "evicted", timeoutMs, 100);
}

/** Pids of the workerd processes in process group `pgid`. */
function workerdPids(pgid: number): string[] {
  return readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const line = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = line.slice(line.indexOf("(") + 1, line.lastIndexOf(")"));
      const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
      return comm === "workerd" && Number(fields[2]) === pgid;
    } catch {
      return false; // gone between readdir and read
    }
  });
}

function openFiles(pid: string): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // the process is gone
  }
  return fds.flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return []; // closed between readdir and readlink
    }
  });
}
