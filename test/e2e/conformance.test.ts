// The official MCP conformance suite (@modelcontextprotocol/conformance, pinned) against the
// conformance fixture (conformance/, wrangler.conformance.toml), one wrangler dev for both eras:
//   conformance server --url http://127.0.0.1:PORT/mcp --requirements 2025-11-25
//   conformance server --url http://127.0.0.1:PORT/mcp --requirements 2026-07-28
// Each run has the scenarios its revision requires, and some it runs but does not score. Every
// required scenario must pass, and the not-scored ones in ASSERTED_ALTHOUGH_NOT_SCORED, except those
// in conformance-expected-failures.json under that revision (one line of reason each); the other
// not-scored scenarios are only reported. A scenario passes when it has no FAILURE and no WARNING
// check, and meets the few stricter checks below where the suite accepts less than its own
// description asks. An expected failure that passes fails this test too, so that the list stays honest.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useDevServer } from "./helpers/dev-server.js";
import { runNode, stopAllNodeRuns } from "./helpers/run-node.js";
import { REPO_ROOT } from "./helpers/wrangler-dev.js";

const PACKAGE_DIR = path.join(REPO_ROOT, "node_modules/@modelcontextprotocol/conformance");
const EXPECTED_FAILURES_FILE = path.join(REPO_ROOT, "test/e2e/conformance-expected-failures.json");
/** The suite is pinned in package.json; its requirement sets below are those of this version. */
const SUITE_VERSION = "0.2.0-alpha.12";
const REQUIREMENTS = ["2025-11-25", "2026-07-28"] as const;
type Requirements = (typeof REQUIREMENTS)[number];
/**
 * The server scenarios the pinned suite runs per requirement set (`list --server --requirements`):
 * those the revision requires, and those it runs and reports but does not score (extensions,
 * pending, added after the release). A new suite version must be looked at, not absorbed.
 */
const SCENARIO_COUNTS: Record<Requirements, { required: number; notScored: number }> = {
  "2025-11-25": { required: 30, notScored: 3 },
  "2026-07-28": { required: 37, notScored: 13 },
};
/** Not-scored scenarios that must pass all the same (or be listed as expected failures). */
const ASSERTED_ALTHOUGH_NOT_SCORED: Record<Requirements, readonly string[]> = {
  // Session lifecycle, SEP-1613 schemas and SEP-1699 resumption: the 2025 lane passes them, and
  // `--suite all` of the earlier suite asserted them.
  "2025-11-25": ["server-session-lifecycle", "json-schema-2020-12", "server-sse-polling"],
  // The SEP-2243 request headers (pending in the suite): issue 21 requires them of the 2026 lane.
  // The tasks extension (SEP-2663): issue 17 requires every tasks-* scenario; the suite skips
  // tasks-status-notifications itself (its harness predates listen streams), so it asserts nothing.
  "2026-07-28": [
    "http-header-validation",
    "http-custom-header-server-validation",
    "tasks-lifecycle",
    "tasks-capability-negotiation",
    "tasks-wire-fields",
    "tasks-request-state-removal",
    "tasks-mrtr-input",
    "tasks-request-headers",
    "tasks-dispatch-and-envelope",
    "tasks-required-task-error",
    "tasks-mrtr-composition",
  ],
};
/** One set takes well under a minute against a local server (the tasks scenarios wait on tasks of a few seconds). */
const SUITE_TIMEOUT_MS = 120_000;

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
  // The listen checks are skipped, not failed, for a server that advertises no list changes: they must run and pass.
  "server-stateless": (checks) => {
    const listen = [
      "sep-2575-server-sends-subscription-ack",
      "sep-2575-server-tags-subscription-id",
      "sep-2575-server-honors-notification-filter",
      "sep-2575-server-sends-tools-list-changed-on-subscription",
      "sep-2575-server-sends-prompts-list-changed-on-subscription",
    ];
    const short = listen.filter((id) => checks.find((check) => check.id === id)?.status !== "SUCCESS");
    if (short.length === 0) return undefined;
    const found = short.map((id) => `${id}: ${checks.find((check) => check.id === id)?.status ?? "missing"}`);
    return `stricter: the listen checks must be SUCCESS: ${found.join(", ")}`;
  },
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

async function conformanceBin(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(PACKAGE_DIR, "package.json"), "utf8")) as {
    version: string;
    bin: Record<string, string>;
  };
  expect(manifest.version, "the suite is pinned in package.json").toBe(SUITE_VERSION);
  const bin = manifest.bin["conformance"];
  if (!bin) throw new Error("@modelcontextprotocol/conformance has no `conformance` bin");
  return path.join(PACKAGE_DIR, bin);
}

/**
 * `list --server --requirements R`: the required scenarios as "  - name" under "Server scenarios",
 * the not-scored ones as "    - name [server]" under "Run and reported, but never scored".
 */
function parseRequirementsList(stdout: string): { required: string[]; notScored: string[] } {
  const section = /^Server scenarios \(test against a server\):\n((?: {2}- \S+\n)*)/m.exec(stdout);
  if (!section) throw new Error(`no server scenarios in the list:\n${stdout}`);
  return {
    required: [...section[1]!.matchAll(/^ {2}- (\S+)$/gm)].map((match) => match[1]!),
    notScored: [...stdout.matchAll(/^\s+- (\S+) \[server\]$/gm)].map((match) => match[1]!),
  };
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

/** { "2025-11-25": { "scenario": "one-line reason" }, "2026-07-28": { … } } */
async function readExpectedFailures(): Promise<Record<Requirements, Record<string, string>>> {
  const parsed = JSON.parse(await readFile(EXPECTED_FAILURES_FILE, "utf8")) as Record<string, unknown>;
  expect(Object.keys(parsed).sort(), `${EXPECTED_FAILURES_FILE}: one object per requirement set`).toEqual([...REQUIREMENTS]);
  for (const [requirements, entries] of Object.entries(parsed)) {
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      throw new Error(`${EXPECTED_FAILURES_FILE}: "${requirements}" must be an object { "scenario": "one-line reason" }`);
    }
    for (const [scenario, reason] of Object.entries(entries)) {
      if (typeof reason !== "string" || reason.trim() === "" || reason.includes("\n")) {
        throw new Error(`${EXPECTED_FAILURES_FILE}: "${requirements}" "${scenario}" needs a one-line reason`);
      }
    }
  }
  return parsed as Record<Requirements, Record<string, string>>;
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

describe("MCP conformance suite (server scenarios), both eras on one URL", () => {
  it.each(REQUIREMENTS)(
    "--requirements %s: every asserted scenario passes except the expected failures, which still fail",
    { timeout: SUITE_TIMEOUT_MS + 30_000 },
    async (requirements) => {
      const bin = await conformanceBin();
      const expectedFailures = (await readExpectedFailures())[requirements];

      const listed = await runNode([bin, "list", "--server", "--requirements", requirements], { timeoutMs: 30_000 });
      expect(listed.code, listed.stderr).toBe(0);
      const { required, notScored } = parseRequirementsList(listed.stdout);
      expect({ required: required.length, notScored: notScored.length }).toEqual(SCENARIO_COUNTS[requirements]);
      for (const scenario of ASSERTED_ALTHOUGH_NOT_SCORED[requirements]) expect(notScored).toContain(scenario);
      const asserted = new Set([...required, ...ASSERTED_ALTHOUGH_NOT_SCORED[requirements]]);
      for (const scenario of Object.keys(expectedFailures)) {
        expect(asserted, `${requirements} "${scenario}" in conformance-expected-failures.json is not asserted`).toContain(
          scenario,
        );
      }

      const url = dev.endpoint.url;
      const run = await runNode(
        [bin, "server", "--url", url, "--requirements", requirements, "-o", path.join(outputDir!, requirements)],
        { timeoutMs: SUITE_TIMEOUT_MS },
      );
      const total = /^Total: (\d+) passed, (\d+) failed/m.exec(run.stdout);
      if (!total)
        throw new Error(
          `no "Total:" line from the suite (exit ${run.code ?? run.signal}):\n${run.stdout.slice(-4000)}\n${run.stderr}`,
        );
      const outcomes = await readOutcomes(run.stdout);

      const verdict = ({ scenario, problems }: ScenarioOutcome): string => {
        const pass = problems.length === 0;
        if (!asserted.has(scenario)) return pass ? "NOT SCORED, PASS" : "NOT SCORED, FAIL";
        return pass ? "PASS" : scenario in expectedFailures ? "XFAIL" : "FAIL";
      };
      const passing = (names: Iterable<string>) => [...names].filter((name) => outcomes.get(name)?.problems.length === 0);
      console.log(
        [
          `@modelcontextprotocol/conformance ${SUITE_VERSION} server --requirements ${requirements} against ${url}: ` +
            `${run.ms} ms, exit ${run.code}`,
          `Total: ${total[1]} checks passed, ${total[2]} failed; required scenarios: ${passing(required).length} of ` +
            `${required.length} pass; not scored: ${passing(notScored).length} of ${notScored.length} pass`,
          ...[...outcomes.values()].map(
            (outcome) =>
              `${verdict(outcome)} ${outcome.scenario} ` +
              `(${outcome.passed} passed, ${outcome.failed} failed, ${outcome.warnings} warnings)` +
              outcome.problems.map((problem) => `\n    ${problem}`).join(""),
          ),
        ].join("\n"),
      );

      // Every scenario ran, and the suite's own verdict agrees with the checks it wrote: its exit
      // code counts failed checks of required scenarios only.
      expect([...outcomes.keys()].sort()).toEqual([...required, ...notScored].sort());
      const failedChecks = (names: Iterable<string>) =>
        [...names].reduce((sum, name) => sum + (outcomes.get(name)?.failed ?? 0), 0);
      expect(Number(total[2])).toBe(failedChecks(outcomes.keys()));
      expect(run.code).toBe(failedChecks(required) > 0 ? 1 : 0);

      const unexpected = Object.fromEntries(
        [...asserted]
          .map((scenario) => outcomes.get(scenario)!)
          .filter(({ scenario, problems }) => problems.length > 0 && !(scenario in expectedFailures))
          .map(({ scenario, problems }) => [scenario, problems]),
      );
      const nowPassing = passing(Object.keys(expectedFailures));
      expect(
        { unexpectedFailures: unexpected, expectedFailuresThatNowPass: nowPassing },
        "a scenario failed that is not an expected failure, or an expected failure passes now: " +
          `fix the server, or update "${requirements}" in test/e2e/conformance-expected-failures.json`,
      ).toEqual({ unexpectedFailures: {}, expectedFailuresThatNowPass: [] });
    },
  );
});
