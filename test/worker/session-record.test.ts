// The session record's changes (src/sessions/record.ts): what a request asks the session object to
// keep, how the record takes it, and which standalone-stream messages reach the session.
import type { JSONRPCMessage, JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { applyChange, changeRequestedBy, concernsSession, type SessionRecord } from "../../src/sessions/record.js";

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
