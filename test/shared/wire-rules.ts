// The Streamable HTTP wire rules (spec 2025-11-25, basic/transports), written once and run
// against both endpoints: the Worker inside workerd (test/worker/wire-rules.test.ts) and wrangler
// dev over the network (test/e2e/wire-rules.test.ts). Status, headers, and a JSON-RPC error body
// a client can act on for every rejection.
import { beforeAll, describe, expect, it } from "vitest";
import { expectJsonRpcError } from "./expect.js";
import {
  callTool,
  initializeBody,
  mcpHeaders,
  mcpPost,
  mcpRequest,
  openSession,
  openStream,
  readJsonRpcResponse,
  request,
  type Endpoint,
} from "./mcp.js";
import { readAllSseMessages, readSseMessages, sseCursor } from "./sse.js";

/** The code of rejections that are about HTTP, not about the JSON-RPC content (as the SDK's own transport). */
const HTTP_REJECTION = -32000;
/** The SDK's code for an unknown session (its webStandardStreamableHttp.ts). */
const SESSION_NOT_FOUND = -32001;
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/** The wire rules against the MCP endpoint `endpointOf` returns once the tests run (another path of its origin included). */
export function describeWireRules(name: string, endpointOf: () => Endpoint): void {
  describe(`the wire rules, against ${name}`, () => {
    let endpoint: Endpoint;
    beforeAll(() => {
      endpoint = endpointOf();
    });

    const echo = (id: number | string = 1, message = "hi") => request(id, "tools/call", { name: "echo", arguments: { message } });

    describe("session id", () => {
      it("a request other than initialize without Mcp-Session-Id gets 400", async () => {
        const error = await expectJsonRpcError(await mcpPost(endpoint, echo()), 400, { code: HTTP_REJECTION });
        expect(error.message).toMatch(/Mcp-Session-Id/);
      });

      it.each(["POST", "GET", "DELETE"])("an unknown session id gets 404 on %s", async (method) => {
        const sessionId = crypto.randomUUID();
        const response =
          method === "POST" ? await mcpPost(endpoint, echo(), { sessionId }) : await mcpRequest(endpoint, method, { sessionId });
        await expectJsonRpcError(response, 404, { code: SESSION_NOT_FOUND });
      });

      it.each(["not-a-session", "00000000-0000-0000-0000-000000000000", "' OR 1=1 --"])(
        "a malformed session id (%s) gets 404",
        async (sessionId) => {
          await expectJsonRpcError(await mcpPost(endpoint, echo(), { sessionId }), 404, { code: SESSION_NOT_FOUND });
        },
      );
    });

    describe("body", () => {
      it("a body that is not JSON gets 400 with -32700", async () => {
        await expectJsonRpcError(await mcpPost(endpoint, '{"jsonrpc": "2.0", "id": 1,'), 400, { code: PARSE_ERROR });
      });

      it.each([
        ["an object that is no JSON-RPC message", { foo: 1 }],
        ["an empty batch", []],
        ["a batch holding a number", [1]],
      ])("%s gets 400 with -32600", async (_, body) => {
        const sessionId = await openSession(endpoint);
        await expectJsonRpcError(await mcpPost(endpoint, body, { sessionId }), 400, { code: INVALID_REQUEST });
      });

      it("a rejected message's id comes back in the error", async () => {
        const wrongVersion = { jsonrpc: "1.0", id: 7, method: "ping" };
        await expectJsonRpcError(await mcpPost(endpoint, wrongVersion), 400, { code: INVALID_REQUEST, id: 7 });
      });

      it("initialize batched with another message gets 400 with -32600", async () => {
        const batch = [initializeBody("init-1"), request(2, "ping")];
        const response = await mcpPost(endpoint, batch);
        await expectJsonRpcError(response, 400, { code: INVALID_REQUEST, id: "init-1" });
        expect(response.headers.get("mcp-session-id")).toBeNull();
      });

      it("initialize alone in a batch gets 400 with -32600 and creates no session", async () => {
        const response = await mcpPost(endpoint, [initializeBody("init-1")]);
        const error = await expectJsonRpcError(response, 400, { code: INVALID_REQUEST, id: "init-1" });
        expect(error.message).toMatch(/not in a batch/);
        expect(response.headers.get("mcp-session-id")).toBeNull();
      });

      it("a body over 4 MiB gets 413", async () => {
        const sessionId = await openSession(endpoint);
        const body = JSON.stringify(echo(1, "x".repeat(4 * 1024 * 1024)));
        await expectJsonRpcError(await mcpPost(endpoint, body, { sessionId }), 413, { code: HTTP_REJECTION });
      });

      it("a body over 4 MiB sent without Content-Length (chunked) gets 413", async () => {
        const sessionId = await openSession(endpoint);
        const bytes = new TextEncoder().encode(JSON.stringify(echo(1, "x".repeat(4 * 1024 * 1024))));
        const chunked = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
              controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
            controller.close();
          },
        });
        const init = { method: "POST", headers: mcpHeaders({ sessionId }), body: chunked, duplex: "half" };
        const response = await endpoint.fetch(new Request(endpoint.url, init as RequestInit));
        await expectJsonRpcError(response, 413, { code: HTTP_REJECTION });
      });

      it("a body of just under 4 MiB is served", async () => {
        const sessionId = await openSession(endpoint);
        const message = "x".repeat(4 * 1024 * 1024 - 1024);
        const answer = await readJsonRpcResponse(
          await mcpPost(endpoint, echo(1, message), { sessionId, accept: "application/json" }),
        );
        expect(answer.result).toEqual({ content: [{ type: "text", text: message }] });
      });
    });

    describe("headers", () => {
      it("a POST whose Accept allows neither JSON nor SSE gets 406", async () => {
        const sessionId = await openSession(endpoint);
        await expectJsonRpcError(await mcpPost(endpoint, echo(), { sessionId, accept: "text/html" }), 406, {
          code: HTTP_REJECTION,
        });
      });

      it("a GET whose Accept does not allow text/event-stream gets 406", async () => {
        const sessionId = await openSession(endpoint);
        const response = await mcpRequest(endpoint, "GET", { sessionId, accept: "application/json" });
        await expectJsonRpcError(response, 406, { code: HTTP_REJECTION });
      });

      it("a POST sent as Content-Type text/plain gets 415", async () => {
        const sessionId = await openSession(endpoint);
        const response = await mcpPost(endpoint, echo(), { sessionId, contentType: "text/plain" });
        await expectJsonRpcError(response, 415, { code: HTTP_REJECTION });
      });

      it("a POST sent as Content-Type application/json; charset=utf-8 is served", async () => {
        const sessionId = await openSession(endpoint);
        const response = await mcpPost(endpoint, echo(1, "with charset"), {
          sessionId,
          contentType: "application/json; charset=utf-8",
        });
        expect((await readJsonRpcResponse(response)).result).toEqual({ content: [{ type: "text", text: "with charset" }] });
      });

      it.each(["POST", "GET", "DELETE"])(
        "an unsupported MCP-Protocol-Version gets 400 on %s, and the session lives on",
        async (method) => {
          const sessionId = await openSession(endpoint);
          const options = { sessionId, protocolVersion: "1999-01-01" };
          const response =
            method === "POST"
              ? await mcpPost(endpoint, echo(), options)
              : await mcpRequest(endpoint, method, { ...options, accept: "text/event-stream" });
          const error = await expectJsonRpcError(response, 400, { code: HTTP_REJECTION });
          expect(error.message).toMatch(/1999-01-01/);

          const answer = await readJsonRpcResponse(await mcpPost(endpoint, echo(2, "still there"), { sessionId }));
          expect(answer.result).toEqual({ content: [{ type: "text", text: "still there" }] });
        },
      );

      it.each(["POST", "GET", "DELETE"])(
        "a supported MCP-Protocol-Version other than the session negotiated gets 400 on %s, and the session lives on",
        async (method) => {
          const sessionId = await openSession(endpoint);
          const options = { sessionId, protocolVersion: "2025-06-18" };
          const response =
            method === "POST"
              ? await mcpPost(endpoint, echo(), options)
              : await mcpRequest(endpoint, method, { ...options, accept: "text/event-stream" });
          const error = await expectJsonRpcError(response, 400, { code: HTTP_REJECTION });
          expect(error.message).toMatch(/"2025-06-18" is not the version this session negotiated at initialize \("2025-11-25"\)/);

          const answer = await readJsonRpcResponse(await mcpPost(endpoint, echo(2, "still there"), { sessionId }));
          expect(answer.result).toEqual({ content: [{ type: "text", text: "still there" }] });
        },
      );

      it("a session's request without MCP-Protocol-Version is served at the negotiated version", async () => {
        const sessionId = await openSession(endpoint);
        const answer = await readJsonRpcResponse(
          await mcpPost(endpoint, echo(1, "no header"), { sessionId, protocolVersion: null }),
        );
        expect(answer.result).toEqual({ content: [{ type: "text", text: "no header" }] });
      });
    });

    describe("methods and paths", () => {
      it.each(["PUT", "PATCH"])("%s gets 405 with an Allow header", async (method) => {
        const sessionId = await openSession(endpoint);
        const response = await mcpRequest(endpoint, method, { sessionId });
        await expectJsonRpcError(response, 405, { code: HTTP_REJECTION });
        const allowed = response.headers
          .get("allow")
          ?.split(",")
          .map((name) => name.trim());
        expect(allowed).toEqual(expect.arrayContaining(["GET", "POST", "DELETE"]));
        expect(allowed).not.toContain(method);
      });

      it("HEAD gets 405 and leaves the session's open standalone stream as it was", async () => {
        const sessionId = await openSession(endpoint);
        const stream = sseCursor(await openStream(endpoint, sessionId));
        await stream.event();
        const head = await mcpRequest(endpoint, "HEAD", { sessionId, accept: "text/event-stream" });
        expect(head.status).toBe(405);
        expect(head.headers.get("allow")).toBe("GET, POST, DELETE");
        expect(await head.text()).toBe("");
        await callTool(endpoint, sessionId, "log", { message: "after HEAD" });
        expect(await stream.message()).toMatchObject({ params: { data: "after HEAD" } });
        await stream.cancel();
      });

      it("GET /health answers 200", async () => {
        const response = await endpoint.fetch(new Request(new URL("/health", endpoint.url)));
        expect(response.status).toBe(200);
        expect(JSON.parse(await response.text())).toEqual({ status: "ok" });
      });

      it("another path gets 404 naming the MCP endpoint", async () => {
        const response = await endpoint.fetch(new Request(new URL("/sse", endpoint.url), { method: "POST", body: "{}" }));
        const error = await expectJsonRpcError(response, 404, { code: HTTP_REJECTION });
        expect(error.message).toMatch(/\/mcp/);
      });
    });

    describe("POSTs without requests", () => {
      it("notifications only get 202 with an empty body", async () => {
        const sessionId = await openSession(endpoint);
        const response = await mcpPost(endpoint, { jsonrpc: "2.0", method: "notifications/initialized" }, { sessionId });
        expect(response.status).toBe(202);
        expect(await response.text()).toBe("");
      });

      it("a response to the server's own request gets 202 with an empty body", async () => {
        const sessionId = await openSession(endpoint);
        const tool = await mcpPost(endpoint, request(1, "tools/call", { name: "ping_client", arguments: {} }), { sessionId });
        const messages = sseCursor(tool);
        const ping = await messages.message<{ id: string | number; method: string }>();
        expect(ping.method).toBe("ping");

        const answer = await mcpPost(endpoint, { jsonrpc: "2.0", id: ping.id, result: {} }, { sessionId });
        expect(answer.status).toBe(202);
        expect(await answer.text()).toBe("");
        expect(await messages.message()).toMatchObject({ id: 1, result: { content: [{ text: "the client answered ping" }] } });
      });

      it("a response nobody waits for gets 400 with -32600 and no id, as the spec asks", async () => {
        const sessionId = await openSession(endpoint);
        const response = await mcpPost(endpoint, { jsonrpc: "2.0", id: "from-the-client", result: {} }, { sessionId });
        await expectJsonRpcError(response, 400, {
          code: INVALID_REQUEST,
          id: null,
          mentioning: '"from-the-client" is waiting for an answer',
        });
      });
    });

    describe("standalone stream", () => {
      it("a second GET replaces the open stream: the first ends, new messages go to the second", async () => {
        const sessionId = await openSession(endpoint);
        const first = await openStream(endpoint, sessionId);
        expect(first.status).toBe(200);
        expect(first.headers.get("content-type")).toMatch(/^text\/event-stream/);
        expect(first.headers.get("mcp-session-id")).toBe(sessionId);

        const second = await openStream(endpoint, sessionId);
        expect(second.status).toBe(200);
        expect(await readAllSseMessages(first)).toEqual([]);

        await callTool(endpoint, sessionId, "toggle_extra_tool");
        expect(await readSseMessages(second, 1)).toEqual([{ jsonrpc: "2.0", method: "notifications/tools/list_changed" }]);
      });
    });

    describe("DELETE", () => {
      it("ends the session: 200, its open stream ends, and the id answers 404 from then on", async () => {
        const sessionId = await openSession(endpoint);
        const stream = await openStream(endpoint, sessionId);
        expect(stream.status).toBe(200);

        const deleted = await mcpRequest(endpoint, "DELETE", { sessionId });
        expect(deleted.status).toBe(200);
        expect(await readAllSseMessages(stream)).toEqual([]);

        await expectJsonRpcError(await mcpPost(endpoint, echo(), { sessionId }), 404, { code: SESSION_NOT_FOUND });
        await expectJsonRpcError(await openStream(endpoint, sessionId), 404, { code: SESSION_NOT_FOUND });
        await expectJsonRpcError(await mcpRequest(endpoint, "DELETE", { sessionId }), 404, { code: SESSION_NOT_FOUND });
      });
    });
  });
}
