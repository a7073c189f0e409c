/**
 * What kind of JSON-RPC message this is, told by its shape. Only for messages already
 * validated (by the SDK's schema at the edge, or produced by the SDK itself): the hot path
 * must not parse each message with zod again at every step.
 */
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";

export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return "method" in message && "id" in message;
}

export function isResponse(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return !("method" in message);
}

export function isErrorResponse(message: JSONRPCMessage): message is JSONRPCErrorResponse {
  return "error" in message;
}

/** The request a `notifications/cancelled` cancels, or undefined for any other message. */
export function cancelledRequestId(message: JSONRPCMessage): RequestId | undefined {
  if (!("method" in message) || message.method !== "notifications/cancelled" || "id" in message) return undefined;
  const requestId = (message as JSONRPCNotification).params?.["requestId"];
  return typeof requestId === "string" || typeof requestId === "number" ? requestId : undefined;
}
