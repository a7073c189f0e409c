/**
 * What Linux tells about a system's processes (/proc): which belong to it, their resident
 * memory and their CPU time, over the members of its process group that have a given name
 * (workerd, or node).
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/PID/stat times: USER_HZ, 100 on every Linux the bench runs on. */
const TICKS_PER_SECOND = 100;

/** The fields of /proc/PID/stat after `comm` (state ppid pgrp ...), and `comm`, which may hold spaces. */
function stat(pid: string): { comm: string; fields: string[] } {
  const line = readFileSync(`/proc/${pid}/stat`, "utf8");
  return {
    comm: line.slice(line.indexOf("(") + 1, line.lastIndexOf(")")),
    fields: line.slice(line.lastIndexOf(")") + 2).split(" "),
  };
}

/** Pids of the processes in group `pgid` named `name`; throws if there is none. */
export function groupPids(pgid: number, name: string): string[] {
  const pids = readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const { comm, fields } = stat(entry);
      return Number(fields[2]) === pgid && comm === name;
    } catch {
      return false; // the process went away between readdir and read
    }
  });
  if (pids.length === 0) throw new Error(`no process named ${name} in group ${pgid}`);
  return pids;
}

function sumOver(pids: string[], read: (pid: string) => number): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += read(pid);
    } catch {
      // the process went away meanwhile
    }
  }
  return total;
}

/** Total VmRSS of the group's processes named `name`. */
export function groupRssKiB(pgid: number, name: string): number {
  return sumOver(groupPids(pgid, name), (pid) =>
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0),
  );
}

/** CPU time (user + system) the group's processes named `name` have used so far, in ms. */
export function groupCpuMs(pgid: number, name: string): number {
  // utime and stime: fields 14 and 15 of the line, 11 and 12 after comm.
  return sumOver(groupPids(pgid, name), (pid) => {
    const { fields } = stat(pid);
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  });
}
