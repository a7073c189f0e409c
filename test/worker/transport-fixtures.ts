// What the tests that drive DistributedTransport directly share: a stored record, a POST's
// context, a resumable stream, and the messages of an answer.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { SessionRecord } from "../../src/sessions/record.js";
import type { PostContext } from "../../src/sessions/transport/distributed-transport.js";
import type { ResponseMode } from "../../src/wire/headers.js";
import type { ResumableStream } from "../../src/wire/response-channel.js";
import { readAllSseMessages } from "../shared/sse.js";

export const record: SessionRecord = {
  protocolVersion: "2025-06-18",
  clientInfo: { name: "stored-client", version: "7" },
  clientCapabilities: { sampling: {}, elicitation: { form: {} } },
  logLevel: "warning",
  subscriptions: [],
  standaloneStreamId: "standalone",
  principal: "anonymous",
  createdAt: 1,
  lastSeenAt: 1,
};

/** A resumable POST stream that stays open, with the parts a test varies. */
export function resumableStream(keepsEnded: boolean, handOver: ResumableStream["handOver"]): ResumableStream {
  return {
    id: "post-stream",
    protocolVersion: record.protocolVersion,
    retryMs: 1_000,
    lifetimeMs: 0,
    keepsEnded: () => keepsEnded,
    handOver,
  };
}

export function context(mode: ResponseMode): PostContext {
  return { mode, batch: false, headers: { "mcp-session-id": "s" }, requestInfo: { headers: {} } };
}

export async function answerOf(response: Response): Promise<JSONRPCMessage[]> {
  return response.headers.get("content-type")?.includes("event-stream")
    ? readAllSseMessages<JSONRPCMessage>(response)
    : [(await response.json()) as JSONRPCMessage];
}
