/**
 * The soak (issue 20, "Load"): many sessions, each holding its standalone GET stream (resumed
 * with Last-Event-ID whenever the server ends it, as SDK clients do), while tool calls run in a
 * loop over all of them for a bounded time. Every answer must be the right echo result under
 * its own id; anything else is an error, as is a GET that is refused or fails. Memory is the
 * resident set size of each process of the wrangler dev group (the workerd that runs the Worker
 * and objects, wrangler's own, and wrangler's node process), sampled through the run.
 */
import { readFileSync } from "node:fs";
import { createParser } from "eventsource-parser";
import { echoCallBody, isEchoResult, openSession, parseMessages, postHeaders, REQUEST_TIMEOUT_MS } from "./mcp.ts";
import { groupPids } from "./processes.ts";

export interface SoakPlan {
  sessions: number;
  seconds: number;
  /** Tool calls in flight at once. */
  concurrency: number;
}

interface ProcessMemory {
  pid: string;
  name: string;
  /** Which of wrangler dev's processes it is. */
  role: string;
  startKiB: number;
  endKiB: number;
  peakKiB: number;
}

export interface SoakFigures extends SoakPlan {
  answers: number;
  errors: number;
  /** The first few errors, to say what went wrong. */
  errorSamples: string[];
  /** How often GET streams were resumed after the server ended them (SSE polling). */
  getResumes: number;
  answersPerSecond: number;
  processes: ProcessMemory[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function rssKiB(pid: string): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
}

/**
 * What a process of the group is. wrangler dev runs two workerd: its proxy (the public port, the
 * inspector proxy that receives every console.log) and the one with the Worker and its objects,
 * which listens on a port of its own choosing (`entry=127.0.0.1:0`).
 */
function roleOf(pid: string, name: string): string {
  const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  if (name === "workerd") return command.includes("entry=127.0.0.1:0 ") ? "the Worker and its objects" : "wrangler's proxy";
  return command.includes("cli.js") ? "wrangler" : "a launcher";
}

function pidsNamed(pgid: number, name: string): string[] {
  try {
    return groupPids(pgid, name);
  } catch {
    return []; // none of that name
  }
}

/** The group's workerd and node processes, with their memory sampled every second until `stop`. */
function watchMemory(pgid: number): { stop(): ProcessMemory[] } {
  const processes = new Map<string, ProcessMemory>();
  const sample = () => {
    for (const name of ["workerd", "node"]) {
      for (const pid of pidsNamed(pgid, name)) {
        try {
          const kib = rssKiB(pid);
          const known = processes.get(pid);
          if (known) Object.assign(known, { endKiB: kib, peakKiB: Math.max(known.peakKiB, kib) });
          else processes.set(pid, { pid, name, role: roleOf(pid, name), startKiB: kib, endKiB: kib, peakKiB: kib });
        } catch {
          // it went away
        }
      }
    }
  };
  sample();
  const timer = setInterval(sample, 1_000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return [...processes.values()];
    },
  };
}

export async function soak(mcpUrl: string, pgid: number, plan: SoakPlan): Promise<SoakFigures> {
  const errorSamples: string[] = [];
  let errors = 0;
  const fail = (what: string) => {
    errors++;
    if (errorSamples.length < 10) errorSamples.push(what);
  };

  const sessions: string[] = [];
  while (sessions.length < plan.sessions) {
    const batch = Math.min(8, plan.sessions - sessions.length);
    sessions.push(...(await Promise.all(Array.from({ length: batch }, () => openSession(mcpUrl)))));
  }

  const memory = watchMemory(pgid);
  const deadline = Date.now() + plan.seconds * 1_000;
  const streams = new AbortController();
  let getResumes = 0;

  /** Holds the session's GET stream until the deadline, resuming after the last id it saw. */
  const holdStream = async (sessionId: string) => {
    let lastEventId: string | undefined;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(mcpUrl, {
          headers: {
            ...postHeaders(sessionId),
            accept: "text/event-stream",
            ...(lastEventId !== undefined && { "last-event-id": lastEventId }),
          },
          signal: streams.signal,
        });
        if (response.status !== 200 || !response.body) {
          fail(`GET: HTTP ${response.status} ${await response.text()}`);
          await sleep(1_000);
          continue;
        }
        const parser = createParser({ onEvent: ({ id }) => id !== undefined && (lastEventId = id) });
        const decoder = new TextDecoder();
        for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
        getResumes++;
      } catch (error) {
        if (streams.signal.aborted) return;
        fail(`GET: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const held = sessions.map(holdStream);

  let answers = 0;
  let nextCall = 0;
  const callLoop = async () => {
    while (Date.now() < deadline) {
      const id = nextCall++;
      const sessionId = sessions[id % sessions.length]!;
      try {
        const response = await fetch(mcpUrl, {
          method: "POST",
          headers: postHeaders(sessionId),
          body: echoCallBody(id),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await response.text();
        if (response.status === 200 && isEchoResult(parseMessages(body, response.headers.get("content-type") ?? undefined), id)) {
          answers++;
        } else {
          fail(`tools/call: HTTP ${response.status} ${body.slice(0, 200)}`);
        }
      } catch (error) {
        fail(`tools/call: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, callLoop));
  streams.abort();
  await Promise.all(held);
  const processes = memory.stop();
  return {
    ...plan,
    answers,
    errors,
    errorSamples,
    getResumes,
    answersPerSecond: Math.round(answers / plan.seconds),
    processes,
  };
}
