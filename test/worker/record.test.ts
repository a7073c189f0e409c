// The session record built from a successful initialize (src/sessions/record.ts).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { initializedRecord, type SessionRecord } from "../../src/sessions/record.js";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { answerOf, context } from "./transport-fixtures.js";

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
