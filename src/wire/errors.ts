/**
 * The one builder of JSON-RPC error responses for the HTTP layer: every rejection (400, 404,
 * 405, 406, 413, 415, 500) is a JSON-RPC error object a person can act on, never a stack.
 */
import type { JSONRPCErrorResponse, RequestId } from "@modelcontextprotocol/sdk/types.js";

export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  options: { id?: RequestId | null; headers?: HeadersInit; data?: unknown } = {},
): Response {
  const error = options.data === undefined ? { code, message } : { code, message, data: options.data };
  const body = { jsonrpc: "2.0", id: options.id ?? null, error };
  return Response.json(body, { status, headers: options.headers });
}

/**
 * JSON-RPC's implementation-defined "server error" range starts here; the SDK's own transport
 * answers HTTP-level rejections (wrong Accept, missing session id) with it too.
 */
export const HTTP_REJECTION_CODE = -32000;

/** For wire-rule failures that are not about the JSON-RPC content itself. */
export function httpError(status: number, message: string, headers?: HeadersInit): Response {
  return jsonRpcError(status, HTTP_REJECTION_CODE, message, { headers });
}

/** A JSON-RPC error response to one request, for messages that never become HTTP responses. */
export function errorResponse(id: RequestId, code: number, message: string): JSONRPCErrorResponse {
  return { jsonrpc: "2.0", id, error: { code, message } };
}
