// Restore by replay (src/sessions/transport/restore.ts), with a real McpServer in workerd: the
// fresh server learns the session from its own handlers, and a refused replay says so.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import type { SessionRecord } from "../../src/sessions/record.js";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { RESTORE_ID_PREFIX } from "../../src/sessions/transport/restore.js";
import { request } from "../shared/mcp.js";
import { answerOf, context, record } from "./transport-fixtures.js";

/** `inspect` answers with the client's capabilities, after a log message below and one at the stored level ("warning"). */
function inspectingServer(): McpServer {
  const server = new McpServer({ name: "t", version: "1" }, { capabilities: { logging: {}, tools: {} } });
  server.registerTool("inspect", {}, async (extra) => {
    await server.sendLoggingMessage({ level: "info", data: "below the level" }, extra.sessionId);
    await server.sendLoggingMessage({ level: "warning", data: "at the level" }, extra.sessionId);
    return {
      content: [{ type: "text", text: "" }],
      structuredContent: { capabilities: server.server.getClientCapabilities() },
    };
  });
  return server;
}

/** The POST's answer, and what the server sent outside it (as responseSse: its logs are not related to the request). */
async function restoreAndInspect(stored: SessionRecord): Promise<{ answer: JSONRPCMessage[]; published: JSONRPCMessage[] }> {
  const published: JSONRPCMessage[] = [];
  const transport = new DistributedTransport({ sessionId: "s", record: stored, disableLocalSse: true });
  transport.onresponsesse = async (messages) => void published.push(...messages);
  await inspectingServer().connect(transport);
  const answer = await answerOf(await transport.handlePost([request(1, "tools/call", { name: "inspect" })], context("sse")));
  await transport.settled;
  return { answer, published };
}

describe("restore by replay", () => {
  it("gives the fresh server the stored client capabilities and log level, and keeps the replay from the client", async () => {
    const { answer, published } = await restoreAndInspect(record);
    expect(answer).toEqual([
      {
        jsonrpc: "2.0",
        id: 1,
        result: { content: [{ type: "text", text: "" }], structuredContent: { capabilities: record.clientCapabilities } },
      },
    ]);
    expect(published).toEqual([
      { jsonrpc: "2.0", method: "notifications/message", params: { level: "warning", data: "at the level" } },
    ]);
    expect(JSON.stringify([answer, published])).not.toContain(RESTORE_ID_PREFIX);
  });

  it("rejects with the step and the server's reason when the server refuses the stored initialize", async () => {
    const corrupt = { ...record, clientInfo: undefined } as unknown as SessionRecord;
    await expect(restoreAndInspect(corrupt)).rejects.toThrow(/^Restoring the session failed at initialize: [\s\S]*clientInfo/);
  });
});
