/**
 * The MCP wire as the benchmark speaks it: the same headers and bodies for every system, and
 * the checks that a response carries the right JSON-RPC result (as JSON or inside SSE).
 */
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { createParser } from "eventsource-parser";

export const ECHO_TEXT = "hello";
/** No single request of the harness waits longer than this. */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface JsonRpcMessage {
  id?: string | number | null;
  method?: string;
  result?: { content?: { text?: string }[]; protocolVersion?: string; resultType?: string; tools?: unknown[] };
  error?: unknown;
}

/** What every POST sends: both media types, as Streamable HTTP clients must (McpAgent requires it). */
export function postHeaders(sessionId?: string): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...(sessionId !== undefined && { "mcp-session-id": sessionId, "mcp-protocol-version": LATEST_PROTOCOL_VERSION }),
  };
}

export function initializeBody(id: number | string): string {
  const params = { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "bench", version: "1" } };
  return JSON.stringify({ jsonrpc: "2.0", id, method: "initialize", params });
}

export function toolCallBody(id: number | string, name: string, args: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
}

export const toolsListBody = (id: number | string): string => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" });

export const echoCallBody = (id: number | string): string => toolCallBody(id, "echo", { message: ECHO_TEXT });

/** The 2026-07-28 revision: no session; each request names its version, method and tool. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";

/** The headers of a 2026-07-28 `tools/call echo`: the version, method and name the body carries. */
export function modernEchoHeaders(): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": MODERN_PROTOCOL_VERSION,
    "mcp-method": "tools/call",
    "mcp-name": "echo",
  };
}

/** A 2026-07-28 `tools/call echo`: its version and client capabilities ride in `params._meta`. */
export function modernEchoCallBody(id: number | string): string {
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": MODERN_PROTOCOL_VERSION,
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const params = { name: "echo", arguments: { message: ECHO_TEXT }, _meta };
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params });
}

/** The JSON-RPC messages of a response body: the data of each SSE event, or the JSON itself. */
export function parseMessages(body: string, contentType: string | undefined): JsonRpcMessage[] {
  try {
    if (!contentType?.startsWith("text/event-stream")) return [JSON.parse(body)].flat() as JsonRpcMessage[];
    const messages: JsonRpcMessage[] = [];
    const parser = createParser({ onEvent: ({ data }) => data && messages.push(JSON.parse(data) as JsonRpcMessage) });
    parser.feed(body);
    return messages;
  } catch {
    return [];
  }
}

export const isEchoResult = (messages: JsonRpcMessage[], id: number | string): boolean =>
  messages.some((m) => m.id === id && m.result?.content?.[0]?.text === ECHO_TEXT);

/** On 2026-07-28 a finished call says so: `resultType: "complete"` (not `input_required`). */
export const isModernEchoResult = (messages: JsonRpcMessage[], id: number | string): boolean =>
  messages.some((m) => m.id === id && m.result?.resultType === "complete" && m.result.content?.[0]?.text === ECHO_TEXT);

/** A tools/list result with all `count` tools (a server this small lists them on one page). */
export const isToolsList = (messages: JsonRpcMessage[], id: number | string, count: number): boolean =>
  messages.some((m) => m.id === id && m.result?.tools?.length === count);

export const isResult = (messages: JsonRpcMessage[], id: number | string): boolean =>
  messages.some((m) => m.id === id && m.result !== undefined);

/** initialize + notifications/initialized over fetch; returns the session id. */
export async function openSession(mcpUrl: string): Promise<string> {
  const response = await fetch(mcpUrl, {
    method: "POST",
    headers: postHeaders(),
    body: initializeBody(0),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const sessionId = response.headers.get("mcp-session-id");
  const messages = parseMessages(await response.text(), response.headers.get("content-type") ?? undefined);
  if (response.status !== 200 || !sessionId || !isResult(messages, 0)) {
    throw new Error(`initialize failed: ${response.status} ${JSON.stringify(messages)}`);
  }
  const initialized = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" });
  const ack = await fetch(mcpUrl, {
    method: "POST",
    headers: postHeaders(sessionId),
    body: initialized,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await ack.body?.cancel();
  if (ack.status >= 300) throw new Error(`notifications/initialized failed: ${ack.status}`);
  return sessionId;
}
