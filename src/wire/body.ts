/**
 * Reads a POST body into JSON-RPC messages, validated with the SDK's own schema, so that
 * nothing malformed reaches a server. Answers -32700 (not JSON) or -32600 (not JSON-RPC, too
 * deep, too many messages).
 */
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { jsonRpcError } from "./errors.js";

/** Deeper JSON is refused before validation walks it: no MCP message needs this much. */
export const MAX_JSON_DEPTH = 64;
/** Messages in one batch (protocol 2025-03-26 batches; later versions send one at a time). */
export const MAX_BATCH_LENGTH = 100;

export interface PostBody {
  messages: JSONRPCMessage[];
  /** The body was a JSON array (a 2025-03-26 batch): the answer is an array too. */
  batch: boolean;
}

/** The body as JSON, read once: the edge classifies it before a lane takes it. */
export async function parseJsonBody(request: Request): Promise<{ json: unknown } | Response> {
  try {
    return { json: JSON.parse(await request.text()) };
  } catch {
    return jsonRpcError(400, ErrorCode.ParseError, "Parse error: the body is not valid JSON");
  }
}

/** The JSON-RPC messages of a parsed body, or the 400 that refuses it. */
export function readMessages(json: unknown): PostBody | Response {
  const batch = Array.isArray(json);
  const items: unknown[] = Array.isArray(json) ? json : [json];
  if (items.length === 0) {
    return jsonRpcError(400, ErrorCode.InvalidRequest, "Invalid Request: an empty batch holds no message");
  }
  if (items.length > MAX_BATCH_LENGTH) {
    return jsonRpcError(400, ErrorCode.InvalidRequest, `Invalid Request: a batch holds at most ${MAX_BATCH_LENGTH} messages`);
  }
  if (depthOf(json) > MAX_JSON_DEPTH) {
    return jsonRpcError(400, ErrorCode.InvalidRequest, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const messages: JSONRPCMessage[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) {
      const where = batch ? `message ${index} of the batch` : "the body";
      return jsonRpcError(
        400,
        ErrorCode.InvalidRequest,
        `Invalid Request: ${where} is not a JSON-RPC 2.0 request, notification or response`,
        { id: requestIdOf(item) },
      );
    }
    messages.push(parsed.data);
  }
  return { messages, batch };
}

/** The id of a rejected message, when it has a usable one, so the client can match the error. */
export function requestIdOf(item: unknown): string | number | null {
  if (typeof item !== "object" || item === null || !("id" in item)) return null;
  const { id } = item;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** Nesting depth of a parsed JSON value, walked without recursion so no depth can overflow the stack. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== "object" || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}
