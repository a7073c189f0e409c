// Checks the e2e harness itself against a tiny fixture worker (not the real server).
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { readAllSseEvents, readSseMessages, sseEvents } from "../shared/sse.js";
import { startDevServer, stopAllDevServers } from "./helpers/wrangler-dev.js";

afterAll(stopAllDevServers);

const config = "test/e2e/fixtures/health-worker/wrangler.toml";

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ESRCH");
    return false;
  }
}

/** Members of process group `pgid` (pgrep exits 1 when there are none). */
function groupMembers(pgid: number): string {
  try {
    return execFileSync("pgrep", ["-a", "-g", String(pgid)], { encoding: "utf8" });
  } catch {
    return "";
  }
}

describe("wrangler dev harness", () => {
  it("starts, passes vars, restarts on the same port and persist dir, and stops every process", async () => {
    const server = await startDevServer({ config, vars: { GREETING: "hello: world" } });
    const firstPid = server.pid;
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/env`)).json()).toEqual({ GREETING: "hello: world" });
    expect(await (await fetch(`${server.url}/count`)).json()).toEqual({ n: 1 });
    expect(groupMembers(firstPid)).toMatch(/workerd/);

    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    expect(processExists(firstPid)).toBe(false);
    expect(groupMembers(firstPid)).toBe("");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/count`)).json()).toEqual({ n: 2 });

    const secondPid = server.pid;
    await server.stop();
    await server.stop(); // idempotent
    expect(processExists(secondPid)).toBe(false);
    expect(groupMembers(secondPid)).toBe("");
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it("fails with the output tail when the worker cannot start", async () => {
    await expect(startDevServer({ config: "test/e2e/fixtures/does-not-exist.toml", readyTimeoutMs: 15_000 })).rejects.toThrow(
      /exited before it was ready[\s\S]*does-not-exist/,
    );
  });
});

describe("sse helpers", () => {
  const body = 'id: 1\ndata:\n\nevent: message\nid: 2\ndata: {"a":1}\n\n: comment\ndata: {"b"\ndata: :2}\n\n';

  it("parses events with eventsource-parser", async () => {
    const events = [];
    for await (const event of sseEvents(new Response(body))) events.push(event);
    expect(events).toEqual([{ id: "1", data: "" }, { id: "2", event: "message", data: '{"a":1}' }, { data: '{"b"\n:2}' }]);
  });

  it("collects JSON messages, skipping empty priming events", async () => {
    expect(await readSseMessages(new Response(body), 2)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("reads every event until the stream ends", async () => {
    expect(await readAllSseEvents(new Response(body))).toHaveLength(3);
  });

  const openStream = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: {"x":1}\n\n'));
      },
    });

  it("times out with what it got so far on an open stream", async () => {
    await expect(readSseMessages(new Response(openStream()), 2, 200)).rejects.toThrow(
      /timed out after 200 ms with 1 of 2 SSE messages: \[\{"x":1\}\]/,
    );
    await expect(readAllSseEvents(new Response(openStream()), 200)).rejects.toThrow(
      /still open after 200 ms, with 1 SSE events: \[\{"data":"\{\\"x\\":1\}"\}\]/,
    );
  });
});
