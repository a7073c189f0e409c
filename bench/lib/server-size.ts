/**
 * The server-size scenario (issue 18, "Measure first"): durable-mcp builds the user's server
 * for every request, so what a request costs may grow with what the server registers. One
 * `wrangler dev` (bench/systems/server-size) serves servers of 1, 12, 50 and 200 tools with
 * realistic input schemas, built per request (their schemas once per isolate or per request) or
 * reused with `serverReuse`, each with and without the
 * library's request log line; every variant's `tools/call` and `tools/list` is a lane of
 * interleaved rounds (rounds.ts) at concurrency 16, each variant on its own session. A size's
 * figures are compared with the 1-tool server's of the same method and variant in the same
 * round, and the log line's cost with the same server's quiet lane. The goal: 200 tools
 * ≥ 0.8× the req/s of 1 tool.
 */
import path from "node:path";
import { REPO_ROOT } from "../../test/e2e/helpers/wrangler-dev.ts";
import {
  CALLED_TOOL,
  calledToolArguments,
  LOG_VARIANTS,
  SERVER_BUILDS,
  SERVER_SIZES,
  serverSizePath,
  type LogVariant,
  type ServerBuild,
  type ServerSize,
} from "../systems/server-size/catalog.ts";
import { callLoad, type Call } from "./load.ts";
import { ECHO_TEXT, isEchoResult, isToolsList, openSession, postHeaders, toolCallBody, toolsListBody } from "./mcp.ts";
import type { Measured } from "./report.ts";
import { goal, median, ratioOver, interleave, spread, type Lane, type RatioFigure, type RoundFigure } from "./rounds.ts";
import { wranglerSystem } from "./systems.ts";

type Method = "tools/call" | "tools/list";
const METHODS: Method[] = ["tools/call", "tools/list"];
/** As the goals' rounds: enough requests in flight to keep workerd busy. */
const CONCURRENCY = 16;
const BASELINE: ServerSize = 1;
const LARGEST: ServerSize = 200;
/** Issue 18's goal: req/s with 200 tools at least this share of req/s with 1 tool. */
const GOAL_RATIO = 0.8;

type LaneKey = `${ServerSize} ${Method} ${ServerBuild} ${LogVariant}`;
interface LaneId {
  size: ServerSize;
  method: Method;
  build: ServerBuild;
  log: LogVariant;
}
const laneKey = ({ size, method, build, log }: LaneId): LaneKey => `${size} ${method} ${build} ${log}`;

export interface LaneSummary extends LaneId {
  /** Medians over the rounds. */
  reqPerSec: number;
  cpuMsPerRequest: number;
  /** Per round, this lane's figure ÷ the 1-tool lane's of the same method and variant. */
  reqPerSecToOne: RatioFigure;
  cpuPerRequestToOne: RatioFigure;
}

export interface LogLineCost extends Omit<LaneId, "log"> {
  /** Per round, logged − quiet workerd CPU per answer in ms: the median and range. */
  cpuMsAdded: RatioFigure;
  /** Per round, logged ÷ quiet req/s. */
  reqPerSecToQuiet: RatioFigure;
}

export interface ServerSizeFigures {
  rounds: number;
  secondsPerRound: number;
  connections: number;
  perRound: Record<LaneKey, RoundFigure[]>;
  lanes: LaneSummary[];
  logLine: LogLineCost[];
}

function call(method: Method, size: ServerSize, sessionId: string): Call {
  const headers = postHeaders(sessionId);
  if (method === "tools/list")
    return { headers, body: toolsListBody, isRight: (messages, id) => isToolsList(messages, id, size) };
  const args = calledToolArguments(ECHO_TEXT);
  return { headers, body: (id) => toolCallBody(id, CALLED_TOOL, args), isRight: isEchoResult };
}

/** Every server the system serves: a size, how a request gets it, and its log variant. */
const SERVERS = SERVER_SIZES.flatMap((size) =>
  SERVER_BUILDS.flatMap((build) => LOG_VARIANTS.map((log) => ({ size, build, log }))),
);
const LANES: LaneId[] = SERVERS.flatMap((server) => METHODS.map((method) => ({ ...server, method })));

function summarise(perRound: Record<LaneKey, RoundFigure[]>): Pick<ServerSizeFigures, "lanes" | "logLine"> {
  const lanes = LANES.map((id): LaneSummary => {
    const key = laneKey(id);
    const base = laneKey({ ...id, size: BASELINE });
    return {
      ...id,
      reqPerSec: median(perRound[key].map((figure) => figure.reqPerSec)),
      cpuMsPerRequest: median(perRound[key].map((figure) => figure.cpuMsPerRequest)),
      reqPerSecToOne: ratioOver(perRound, key, base, (figure) => figure.reqPerSec),
      cpuPerRequestToOne: ratioOver(perRound, key, base, (figure) => figure.cpuMsPerRequest),
    };
  });
  const logLine = LANES.filter(({ log }) => log === "quiet").map(({ log: _, ...id }): LogLineCost => {
    const [logged, quiet] = [laneKey({ ...id, log: "logged" }), laneKey({ ...id, log: "quiet" })];
    const added = perRound[logged].map((figure, round) => figure.cpuMsPerRequest - perRound[quiet][round]!.cpuMsPerRequest);
    return { ...id, cpuMsAdded: spread(added), reqPerSecToQuiet: ratioOver(perRound, logged, quiet, (f) => f.reqPerSec) };
  });
  return { lanes, logLine };
}

/** Every server's tools/call and tools/list, interleaved, in one wrangler dev. */
export async function serverSizeRounds(rounds: number, secondsPerRound: number, warmupS: number): Promise<ServerSizeFigures> {
  const system = await wranglerSystem(path.join(REPO_ROOT, "bench/systems/server-size/wrangler.toml"));
  try {
    const origin = new URL(system.mcpUrl).origin;
    const urlOf = ({ size, build, log }: Omit<LaneId, "method">) => origin + serverSizePath(size, build, log);
    const sessions = new Map<string, string>();
    for (const server of SERVERS) sessions.set(urlOf(server), await openSession(urlOf(server)));
    const lanes = LANES.map((id): Lane<LaneKey> => {
      const url = urlOf(id);
      const request = call(id.method, id.size, sessions.get(url)!);
      return { key: laneKey(id), pgid: system.pgid, load: (seconds) => callLoad(url, request, CONCURRENCY, seconds) };
    });
    const perRound = await interleave(lanes, rounds, secondsPerRound, warmupS);
    return { rounds, secondsPerRound, connections: CONCURRENCY, perRound, ...summarise(perRound) };
  } finally {
    await system.stop();
  }
}

const times = (ratio: RatioFigure) => `${ratio.median.toFixed(2)}×`;
const COLUMNS = LOG_VARIANTS.flatMap((log) => METHODS.map((method) => ({ method, log })));
const columnName = ({ method, log }: { method: Method; log: LogVariant }) => (log === "logged" ? `${method} + log line` : method);
const BUILD_TEXT: Record<ServerBuild, string> = {
  isolate: "a server built per request, its schemas once per isolate (module level)",
  request: "a server built per request, its schemas by the factory (inline in registerTool)",
  "reused-isolate": 'serverReuse "deployment": servers reused, their schemas once per isolate',
  "reused-request": 'serverReuse "deployment": servers reused, their schemas by the factory for each server',
};

/** The figures side by side: per schema placement, a row per size and a column per method and log variant. */
export function serverSizeLines(figures: Measured<ServerSizeFigures>): string[] {
  if ("unavailable" in figures) return [`? server size: ${figures.unavailable}`];
  const find = (id: LaneId) => figures.lanes.find((lane) => laneKey(lane) === laneKey(id))!;
  const cell = (l: LaneSummary) =>
    `${l.reqPerSec.toFixed(0)} req/s (${times(l.reqPerSecToOne)}), ${l.cpuMsPerRequest.toFixed(2)} ms (${times(l.cpuPerRequestToOne)})`;
  const table = (build: ServerBuild) => [
    "",
    `${BUILD_TEXT[build]}:`,
    "",
    `| tools | ${COLUMNS.map(columnName).join(" | ")} |`,
    `|---|${COLUMNS.map(() => "---").join("|")}|`,
    ...SERVER_SIZES.map((size) => `| ${size} | ${COLUMNS.map((column) => cell(find({ size, build, ...column }))).join(" | ")} |`),
  ];
  const logCost = (build: ServerBuild, method: Method) =>
    figures.logLine
      .filter((cost) => cost.build === build && cost.method === method)
      .map(({ size, cpuMsAdded, reqPerSecToQuiet }) => `${size}: ${cpuMsAdded.median.toFixed(2)} ms, ${times(reqPerSecToQuiet)}`)
      .join("; ");
  return [
    `server size (issue 18): durable-mcp serving N tools, medians of ${figures.rounds} interleaved rounds of ${figures.secondsPerRound} s per lane at c=${figures.connections};`,
    `req/s and workerd CPU per answer, each with its ratio to the 1-tool server's of the same column in the same rounds.`,
    ...SERVER_BUILDS.flatMap(table),
    "",
    `the request log line, by tools: the workerd CPU per answer it adds (logged − quiet) and req/s logged ÷ quiet, medians:`,
    ...SERVER_BUILDS.flatMap((build) => METHODS.map((method) => `  ${build}, ${method}: ${logCost(build, method)}`)),
  ];
}

/** Issue 18's goal for each method and variant, judged on the median ratio over the rounds. */
export function serverSizeGoalLines(figures: Measured<ServerSizeFigures>): string[] {
  if ("unavailable" in figures) return [`? server-size goals: ${figures.unavailable}`];
  return [
    `server-size goals (issue 18), from ${figures.rounds} interleaved rounds of ${figures.secondsPerRound} s per lane at c=${figures.connections}:`,
    ...figures.lanes
      .filter(({ size }) => size === LARGEST)
      .map(({ method, build, log, reqPerSecToOne }) => {
        const what = `${columnName({ method, log })}, ${build}: req/s with ${LARGEST} tools >= ${GOAL_RATIO}× with ${BASELINE} tool`;
        return goal(what, reqPerSecToOne, (ratio) => ratio >= GOAL_RATIO);
      }),
  ];
}
