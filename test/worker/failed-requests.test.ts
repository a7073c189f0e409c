// What a client gets back from a request that fails validation: no session id for a failed
// initialize, and one line that names each wrong field instead of a schema dump (issue 20).
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { initializeBody, mcpPost, openSession, readJsonRpcResponse, request } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { MAX_NAMED_ISSUES, readableValidationError } from "../../src/wire/validation-error.js";
import { worker } from "./helpers.js";

const invalidInitialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 5, capabilities: {} } };
const initializeIssues =
  "Invalid params: params.protocolVersion: expected string, received number; params.clientInfo: expected object, received undefined";

describe("a failed initialize", () => {
  it.each([
    ["JSON", "application/json, text/event-stream"],
    ["SSE", "text/event-stream"],
  ])("answers as %s without Mcp-Session-Id, naming each wrong field on one line", async (_, accept) => {
    const response = await mcpPost(worker, invalidInitialize, { accept });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const answer = await readJsonRpcResponse(response);
    expect(answer.error).toEqual({ code: ErrorCode.InvalidParams, message: initializeIssues });
  });

  it("a successful initialize answered as SSE still carries its Mcp-Session-Id", async () => {
    const response = await mcpPost(worker, initializeBody(), { accept: "text/event-stream" });
    const sessionId = response.headers.get("mcp-session-id");
    expect((await readJsonRpcResponse(response)).result).toBeDefined();
    const answer = await readJsonRpcResponse(await mcpPost(worker, request(2, "ping"), { sessionId: sessionId! }));
    expect(answer.result).toEqual({});
  });
});

describe("invalid params", () => {
  it("of a session's request get -32602 with one line", async () => {
    const sessionId = await openSession(worker);
    const answer = await readJsonRpcResponse(await mcpPost(worker, request(2, "resources/read", { uri: 5 }), { sessionId }));
    expect(answer.error).toEqual({
      code: ErrorCode.InvalidParams,
      message: "Invalid params: params.uri: expected string, received number",
    });
  });

  it("of a 2026-07-28 request get -32602 with one line", async () => {
    const answer = (await (await modernRequest(worker, 3, "tools/list", { cursor: 7 })).json()) as { error: unknown };
    expect(answer.error).toEqual({
      code: ErrorCode.InvalidParams,
      message: "Invalid params: params.cursor: expected string, received number",
    });
  });

  it(`names at most ${MAX_NAMED_ISSUES} fields and counts the rest`, () => {
    const issues = Array.from({ length: 5 }, (_, index) => ({
      path: ["params", `f${index}`],
      message: "Invalid input: bad\nvalue",
    }));
    const message = JSON.stringify(issues, null, 2);
    const readable = readableValidationError({ jsonrpc: "2.0", id: 1, error: { code: ErrorCode.InternalError, message } });
    expect(readable.error).toEqual({
      code: ErrorCode.InvalidParams,
      message: "Invalid params: params.f0: bad value; params.f1: bad value; params.f2: bad value (and 2 more)",
    });
  });

  it("leaves other errors as they are", () => {
    const error = { jsonrpc: "2.0" as const, id: 1, error: { code: ErrorCode.InternalError, message: "[not a dump" } };
    expect(readableValidationError(error)).toBe(error);
  });
});
