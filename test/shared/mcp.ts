// Helpers for raw HTTP tests of the MCP endpoint, shared by the workerd tests (which call the
// Worker's fetch directly) and the end-to-end tests (which call wrangler dev over the network).
import type { JSONRPCErrorResponse, JSONRPCRequest, JSONRPCResultResponse } from "@modelcontextprotocol/sdk/types.js";
import { readAllSseMessages } from "./sse.js";

export const PROTOCOL_VERSION = "2025-11-25";

/** Where requests go: a URL, and the fetch that reaches it. */
export interface Endpoint {
  url: string;
  fetch: (request: Request) => Promise<Response>;
}

export interface McpRequestOptions {
  sessionId?: string;
  /** Default "application/json, text/event-stream"; null omits the header. */
  accept?: string | null;
  /** Default "application/json"; null omits the header. */
  contentType?: string | null;
  /** Default PROTOCOL_VERSION when sessionId is set, else none; null omits the header. */
  protocolVersion?: string | null;
  /** Extra headers, applied last. */
  headers?: Record<string, string>;
}

/**
 * Any JSON-RPC message as a test reads it: the members of the SDK's JSONRPCMessage union merged,
 * every field optional, so that a test can look at `method`, `params`, `result` or `error`
 * without narrowing first.
 */
export type AnyMessage = Partial<JSONRPCRequest & JSONRPCResultResponse & JSONRPCErrorResponse>;

export interface JsonRpcAnswer {
  jsonrpc: "2.0";
  id: string | number | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** `endpoint` with `Authorization: Bearer <token>` on every request. */
export function withBearer(endpoint: Endpoint, token: string): Endpoint {
  return {
    url: endpoint.url,
    fetch: (request) => {
      request.headers.set("authorization", `Bearer ${token}`);
      return endpoint.fetch(request);
    },
  };
}

/** The headers mcpPost sends; also used for GET and DELETE. */
export function mcpHeaders(options: McpRequestOptions = {}): Headers {
  const headers = new Headers();
  const accept = options.accept === undefined ? "application/json, text/event-stream" : options.accept;
  const contentType = options.contentType === undefined ? "application/json" : options.contentType;
  const protocolVersion = options.protocolVersion === undefined && options.sessionId ? PROTOCOL_VERSION : options.protocolVersion;
  if (accept !== null) headers.set("Accept", accept);
  if (contentType !== null) headers.set("Content-Type", contentType);
  if (protocolVersion) headers.set("MCP-Protocol-Version", protocolVersion);
  if (options.sessionId) headers.set("Mcp-Session-Id", options.sessionId);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  return headers;
}

/** POST `body` (JSON-stringified unless it is already a string). */
export function mcpPost(endpoint: Endpoint, body: unknown, options: McpRequestOptions = {}): Promise<Response> {
  return endpoint.fetch(
    new Request(endpoint.url, {
      method: "POST",
      headers: mcpHeaders(options),
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export function mcpRequest(endpoint: Endpoint, method: string, options: McpRequestOptions = {}): Promise<Response> {
  return endpoint.fetch(new Request(endpoint.url, { method, headers: mcpHeaders({ contentType: null, ...options }) }));
}

/** GET: opens the session's standalone SSE stream. */
export function openStream(endpoint: Endpoint, sessionId: string, headers: Record<string, string> = {}): Promise<Response> {
  return mcpRequest(endpoint, "GET", { sessionId, accept: "text/event-stream", headers });
}

export function initializeBody(id: number | string = 1, capabilities: Record<string, unknown> = {}) {
  return {
    jsonrpc: "2.0" as const,
    id,
    method: "initialize",
    params: { protocolVersion: PROTOCOL_VERSION, capabilities, clientInfo: { name: "raw-test", version: "0" } },
  };
}

export function request(id: number | string, method: string, params?: Record<string, unknown>) {
  return { jsonrpc: "2.0" as const, id, method, ...(params && { params }) };
}

/** The single JSON-RPC message of a POST response, whether it came as JSON or as an SSE stream. */
export async function readJsonRpcResponse(response: Response, timeoutMs = 10_000): Promise<JsonRpcAnswer> {
  const contentType = response.headers.get("Content-Type") ?? "";
  if (contentType.includes("text/event-stream")) {
    const messages = await readAllSseMessages<JsonRpcAnswer & { method?: string }>(response, timeoutMs);
    const answer = messages.find((message) => message.method === undefined);
    if (!answer) throw new Error(`no response in the stream: ${JSON.stringify(messages)}`);
    return answer;
  }
  if (contentType.includes("application/json")) return (await response.json()) as JsonRpcAnswer;
  throw new Error(`unexpected Content-Type ${JSON.stringify(contentType)} (${response.status}): ${await response.text()}`);
}

/** initialize + notifications/initialized; returns the Mcp-Session-Id. */
export async function openSession(endpoint: Endpoint, capabilities: Record<string, unknown> = {}): Promise<string> {
  const response = await mcpPost(endpoint, initializeBody(1, capabilities));
  if (response.status !== 200) throw new Error(`initialize: HTTP ${response.status}: ${await response.text()}`);
  const sessionId = response.headers.get("Mcp-Session-Id");
  const message = await readJsonRpcResponse(response);
  if (!message.result) throw new Error(`initialize failed: ${JSON.stringify(message)}`);
  if (!sessionId) throw new Error("initialize response has no Mcp-Session-Id header");
  const initialized = await mcpPost(endpoint, { jsonrpc: "2.0", method: "notifications/initialized" }, { sessionId });
  if (initialized.status !== 202) throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  return sessionId;
}

/** Calls a tool and returns its JSON-RPC answer (read from JSON or SSE). */
export async function callTool(
  endpoint: Endpoint,
  sessionId: string,
  name: string,
  args: Record<string, unknown> = {},
  options: McpRequestOptions = {},
): Promise<JsonRpcAnswer> {
  const response = await mcpPost(endpoint, request(crypto.randomUUID(), "tools/call", { name, arguments: args }), {
    sessionId,
    ...options,
  });
  if (response.status !== 200) throw new Error(`tools/call ${name}: HTTP ${response.status}: ${await response.text()}`);
  return readJsonRpcResponse(response);
}
