// The official MCP conformance suite (@modelcontextprotocol/conformance, pinned) against the
// conformance fixture (conformance/, wrangler.conformance.toml) under wrangler dev:
//   conformance server --url http://127.0.0.1:PORT/mcp --suite all
// Every server scenario must pass, except those in conformance-expected-failures.json (one
// line of reason each). A scenario passes when it has no FAILURE and no WARNING check, and meets
// the few stricter checks below where the suite accepts less than its own description asks. An
// expected failure that passes fails this test too, so that the list stays honest.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useDevServer } from "./helpers/dev-server.js";
import { runNode, stopAllNodeRuns } from "./helpers/run-node.js";
import { REPO_ROOT } from "./helpers/wrangler-dev.js";

const PACKAGE_DIR = path.join(REPO_ROOT, "node_modules/@modelcontextprotocol/conformance");
const EXPECTED_FAILURES_FILE = path.join(REPO_ROOT, "test/e2e/conformance-expected-failures.json");
/** The pinned suite has this many server scenarios; a new version must be looked at, not absorbed. */
const SCENARIO_COUNT = 32;
/** The whole suite takes a few seconds against a local server. */
const SUITE_TIMEOUT_MS = 90_000;

interface Check {
  id: string;
  name: string;
  description: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | string;
  errorMessage?: string;
  details?: Record<string, unknown>;
}

/**
 * Stricter than the suite, where it records what the scenario's description requires but does not
 * check it. Each returns the problem, or undefined.
 */
const STRICTER: Record<string, (checks: Check[]) => string | undefined> = {
  // The suite only checks that the client was asked and that some content came back; a tool whose
  // request got lost would still "pass" with an error text. The client's answer must reach the tool.
  "tools-call-sampling": (checks) => toolAnswerProblem(checks, "tools-call-sampling", "This is a test response from the client"),
  "tools-call-elicitation": (checks) => toolAnswerProblem(checks, "tools-call-elicitation", '"username":"testuser"'),
  // The suite only notes (INFO) a result that came on the POST stream, because the server did not
  // close it mid-call as test_reconnection asks; SEP-1699 resumption is tested only when it did.
  "server-sse-polling": (checks) => {
    const resume = checks.find((check) => check.id === "server-sse-disconnect-resume");
    if (resume?.status === "SUCCESS") return undefined;
    const message = (resume?.details?.["message"] as string | undefined) ?? resume?.errorMessage ?? "no check recorded";
    return `stricter: server-sse-disconnect-resume is ${resume?.status ?? "missing"}, not SUCCESS: ${message}`;
  },
};

function toolAnswerProblem(checks: Check[], id: string, answer: string): string | undefined {
  const result = checks.find((check) => check.id === id)?.details?.["result"] as
    { isError?: boolean; content?: Array<{ type: string; text?: string }> } | undefined;
  const text = result?.content?.map((block) => block.text ?? `[${block.type}]`).join(" ") ?? "";
  if (result?.isError !== true && text.includes(answer)) return undefined;
  return `stricter: the client's answer (${answer}) did not reach the tool: ${JSON.stringify(result ?? null)}`;
}

async function conformanceBin(): Promise<{ bin: string; version: string }> {
  const manifest = JSON.parse(await readFile(path.join(PACKAGE_DIR, "package.json"), "utf8")) as {
    version: string;
    bin: Record<string, string>;
  };
  expect(manifest.version, "the suite is pinned in package.json").toMatch(/^0\.1\.\d+$/);
  const bin = manifest.bin["conformance"];
  if (!bin) throw new Error("@modelcontextprotocol/conformance has no `conformance` bin");
  return { bin: path.join(PACKAGE_DIR, bin), version: manifest.version };
}

/** `list --server`: "  - name [2025-06-18,2025-11-25]" per scenario. */
function parseScenarioList(stdout: string): string[] {
  return [...stdout.matchAll(/^\s+- (\S+) \[/gm)].map((match) => match[1]!);
}

interface ScenarioOutcome {
  scenario: string;
  passed: number;
  failed: number;
  warnings: number;
  /** Why it does not pass: FAILURE and WARNING checks, stricter checks. Empty: it passes. */
  problems: string[];
}

/** Reads the per-scenario checks.json that `-o` wrote, found through the "Results saved to" lines. */
async function readOutcomes(stdout: string): Promise<Map<string, ScenarioOutcome>> {
  const directories = new Map<string, string>();
  let current: string | undefined;
  for (const line of stdout.split("\n")) {
    const scenario = /^=== Running scenario: (\S+) ===$/.exec(line);
    if (scenario) current = scenario[1];
    const saved = /^Results saved to (.+)$/.exec(line);
    if (saved && current) directories.set(current, saved[1]!.trim());
  }
  const outcomes = new Map<string, ScenarioOutcome>();
  for (const match of stdout.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gm)) {
    const scenario = match[1]!;
    const directory = directories.get(scenario);
    const checks = directory ? (JSON.parse(await readFile(path.join(directory, "checks.json"), "utf8")) as Check[]) : [];
    const problems = checks
      .filter((check) => check.status === "FAILURE" || check.status === "WARNING")
      .map((check) => `${check.status} ${check.id}: ${check.errorMessage ?? check.description}`);
    if (!directory) problems.push("no checks recorded (the scenario did not run)");
    const stricter = STRICTER[scenario]?.(checks);
    if (stricter) problems.push(stricter);
    outcomes.set(scenario, {
      scenario,
      passed: Number(match[2]),
      failed: Number(match[3]),
      warnings: checks.filter((check) => check.status === "WARNING").length,
      problems,
    });
  }
  return outcomes;
}

async function readExpectedFailures(): Promise<Record<string, string>> {
  const parsed = JSON.parse(await readFile(EXPECTED_FAILURES_FILE, "utf8")) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${EXPECTED_FAILURES_FILE}: expected an object { "scenario": "one-line reason" }`);
  }
  for (const [scenario, reason] of Object.entries(parsed)) {
    if (typeof reason !== "string" || reason.trim() === "" || reason.includes("\n")) {
      throw new Error(`${EXPECTED_FAILURES_FILE}: "${scenario}" needs a one-line reason`);
    }
  }
  return parsed as Record<string, string>;
}

const dev = useDevServer({ config: "wrangler.conformance.toml" });
let outputDir: string | undefined;

beforeAll(async () => {
  outputDir = await mkdtemp(path.join(tmpdir(), "durable-mcp-conformance-"));
});

afterAll(async () => {
  stopAllNodeRuns();
  if (outputDir) await rm(outputDir, { recursive: true, force: true });
});

describe("MCP conformance suite (server scenarios)", () => {
  it(
    "passes every server scenario except the expected failures, which still fail",
    { timeout: SUITE_TIMEOUT_MS + 30_000 },
    async () => {
      const { bin, version } = await conformanceBin();
      const expectedFailures = await readExpectedFailures();

      const listed = await runNode([bin, "list", "--server"], { timeoutMs: 30_000 });
      expect(listed.code, listed.stderr).toBe(0);
      const scenarios = parseScenarioList(listed.stdout);
      expect(scenarios).toHaveLength(SCENARIO_COUNT);
      for (const scenario of Object.keys(expectedFailures)) {
        expect(scenarios, `${scenario} in conformance-expected-failures.json is no scenario of the suite`).toContain(scenario);
      }

      const url = dev.endpoint.url;
      const run = await runNode([bin, "server", "--url", url, "--suite", "all", "-o", outputDir!], {
        timeoutMs: SUITE_TIMEOUT_MS,
      });
      const total = /^Total: (\d+) passed, (\d+) failed/m.exec(run.stdout);
      if (!total)
        throw new Error(
          `no "Total:" line from the suite (exit ${run.code ?? run.signal}):\n${run.stdout.slice(-4000)}\n${run.stderr}`,
        );
      const outcomes = await readOutcomes(run.stdout);

      const passing = [...outcomes.values()].filter((outcome) => outcome.problems.length === 0);
      console.log(
        [
          `@modelcontextprotocol/conformance ${version} server --suite all against ${url}: ${run.ms} ms, exit ${run.code}`,
          `Total: ${total[1]} checks passed, ${total[2]} failed; scenarios: ${passing.length} of ${outcomes.size} pass`,
          ...[...outcomes.values()].map(
            ({ scenario, passed, failed, warnings, problems }) =>
              `${problems.length === 0 ? "PASS" : scenario in expectedFailures ? "XFAIL" : "FAIL"} ${scenario} ` +
              `(${passed} passed, ${failed} failed, ${warnings} warnings)` +
              problems.map((problem) => `\n    ${problem}`).join(""),
          ),
        ].join("\n"),
      );

      // Every scenario ran, and the suite's own verdict agrees with the checks it wrote.
      expect([...outcomes.keys()].sort()).toEqual([...scenarios].sort());
      const failedChecks = [...outcomes.values()].reduce((sum, outcome) => sum + outcome.failed, 0);
      expect(Number(total[2])).toBe(failedChecks);
      expect(run.code).toBe(failedChecks > 0 ? 1 : 0);

      const unexpected = Object.fromEntries(
        [...outcomes.values()]
          .filter(({ scenario, problems }) => problems.length > 0 && !(scenario in expectedFailures))
          .map(({ scenario, problems }) => [scenario, problems]),
      );
      const nowPassing = Object.keys(expectedFailures).filter((scenario) => outcomes.get(scenario)?.problems.length === 0);
      expect(
        { unexpectedFailures: unexpected, expectedFailuresThatNowPass: nowPassing },
        "a scenario failed that is not an expected failure, or an expected failure passes now: " +
          "fix the server, or update test/e2e/conformance-expected-failures.json",
      ).toEqual({ unexpectedFailures: {}, expectedFailuresThatNowPass: [] });
    },
  );
});
