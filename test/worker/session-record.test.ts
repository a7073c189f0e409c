// The session record (src/sessions/record.ts): how a successful initialize builds it, what a
// request asks the session object to keep, how the record takes it, and which standalone-stream
// messages reach the session.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage, type JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import {
  applyChange,
  changeRequestedBy,
  concernsSession,
  initializedRecord,
  type SessionRecord,
} from "../../src/sessions/record.js";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { answerOf, context } from "./transport-fixtures.js";

const record: SessionRecord = {
  protocolVersion: "2025-11-25",
  clientInfo: { name: "c", version: "1" },
  clientCapabilities: {},
  subscriptions: ["demo://a"],
  principal: "anonymous",
  standaloneStreamId: "standalone",
  createdAt: 1,
  lastSeenAt: 2,
};

const call = (method: string, params?: Record<string, unknown>): JSONRPCRequest => ({
  jsonrpc: "2.0",
  id: 1,
  method,
  ...(params && { params }),
});

describe("applyChange", () => {
  it("sets the log level, and leaves the rest of the record and the original as they were", () => {
    const changed = applyChange(record, { kind: "setLogLevel", level: "debug" });
    expect(changed).toEqual({ ...record, logLevel: "debug" });
    expect(record.logLevel).toBeUndefined();
  });

  it("adds a subscription at the end", () => {
    expect(applyChange(record, { kind: "subscribe", uri: "demo://b" }).subscriptions).toEqual(["demo://a", "demo://b"]);
    expect(record.subscriptions).toEqual(["demo://a"]);
  });

  it("keeps one subscription per URI however often it is subscribed", () => {
    expect(applyChange(record, { kind: "subscribe", uri: "demo://a" })).toEqual(record);
  });

  it("removes a subscription, and ignores one it does not hold", () => {
    expect(applyChange(record, { kind: "unsubscribe", uri: "demo://a" }).subscriptions).toEqual([]);
    expect(applyChange(record, { kind: "unsubscribe", uri: "demo://other" })).toEqual(record);
  });
});

describe("changeRequestedBy", () => {
  it.each([
    [call("logging/setLevel", { level: "warning" }), { kind: "setLogLevel", level: "warning" }],
    [call("resources/subscribe", { uri: "demo://x" }), { kind: "subscribe", uri: "demo://x" }],
    [call("resources/unsubscribe", { uri: "demo://x" }), { kind: "unsubscribe", uri: "demo://x" }],
  ])("reads %j as %j", (request, change) => {
    expect(changeRequestedBy(request)).toEqual(change);
  });

  it.each([
    ["another method", call("tools/call", { name: "echo", arguments: {} })],
    ["a level that does not exist", call("logging/setLevel", { level: "loud" })],
    ["setLevel without params", call("logging/setLevel")],
    ["subscribe without a uri", call("resources/subscribe", {})],
    ["subscribe to a uri that is no string", call("resources/subscribe", { uri: 5 })],
    ["unsubscribe without params", call("resources/unsubscribe")],
  ])("asks for nothing for %s", (_, request) => {
    expect(changeRequestedBy(request)).toBeUndefined();
  });
});

describe("concernsSession", () => {
  const updated = (uri: string): JSONRPCMessage => ({
    jsonrpc: "2.0",
    method: "notifications/resources/updated",
    params: { uri },
  });

  it("lets resources/updated through for a subscribed URI only", () => {
    expect(concernsSession(record, updated("demo://a"))).toBe(true);
    expect(concernsSession(record, updated("demo://b"))).toBe(false);
  });

  it.each<[string, JSONRPCMessage]>([
    ["another notification", { jsonrpc: "2.0", method: "notifications/tools/list_changed" }],
    ["a request to the client", { jsonrpc: "2.0", id: "s-1", method: "roots/list" }],
  ])("lets %s through", (_, message) => {
    expect(concernsSession(record, message)).toBe(true);
  });
});

const clientInfo = { name: "record-test", version: "1" };

describe("initializedRecord", () => {
  it("takes the protocol version from the server's result, not from the client's request", () => {
    const built = initializedRecord(
      { protocolVersion: "2025-11-25", capabilities: { roots: {} }, clientInfo },
      { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name: "t", version: "1" } },
      42,
    );
    expect(built).toEqual({
      protocolVersion: "2025-06-18",
      clientInfo,
      clientCapabilities: { roots: {} },
      subscriptions: [],
      standaloneStreamId: expect.any(String),
      createdAt: 42,
      lastSeenAt: 42,
    });
  });

  it("stores the version a real server chose for a client that asked for one it does not speak", async () => {
    const stored: Omit<SessionRecord, "principal">[] = [];
    const transport = new DistributedTransport({
      sessionId: "s",
      disableLocalSse: true,
      onsessioninitialized: async (created) => void stored.push(created),
    });
    await new McpServer({ name: "t", version: "1" }).connect(transport);
    const initialize = {
      jsonrpc: "2.0" as const,
      id: 1,
      method: "initialize",
      params: { protocolVersion: "1999-01-01", capabilities: {}, clientInfo },
    };
    const [answer] = await answerOf(await transport.handlePost([initialize], context("json")));
    expect(answer).toMatchObject({ result: { protocolVersion: LATEST_PROTOCOL_VERSION } });
    expect(stored.map(({ protocolVersion }) => protocolVersion)).toEqual([LATEST_PROTOCOL_VERSION]);
  });
});
