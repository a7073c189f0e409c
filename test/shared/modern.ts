// Raw 2026-07-28 requests for the tests of both projects: every request carries its version and
// client capabilities in params._meta, and the headers that name its method and target.
import type { Endpoint } from "./mcp.js";

export const MODERN_VERSION = "2026-07-28";

export interface ModernRequestOptions {
  capabilities?: Record<string, unknown>;
  logLevel?: string;
  /** Replaces the `_meta` protocol version (the header follows unless `headers` says otherwise). */
  version?: string;
  /** Headers to set, or to omit with null, after the ones the request would carry. */
  headers?: Record<string, string | null>;
  accept?: string;
}

/** The headers spec 2026-07-28 asks for: version, method, and the name of a tool, prompt, resource or task. */
function standardHeaders(method: string, params: Record<string, unknown>, version: string): Record<string, string> {
  const name =
    method === "resources/read"
      ? params["uri"]
      : method === "tools/call" || method === "prompts/get"
        ? params["name"]
        : method.startsWith("tasks/")
          ? params["taskId"]
          : undefined;
  return {
    "MCP-Protocol-Version": version,
    "Mcp-Method": method,
    ...(typeof name === "string" && { "Mcp-Name": name }),
  };
}

export function modernRequest(
  endpoint: Endpoint,
  id: string | number,
  method: string,
  params: Record<string, unknown> = {},
  options: ModernRequestOptions = {},
): Promise<Response> {
  const version = options.version ?? MODERN_VERSION;
  const meta = {
    "io.modelcontextprotocol/protocolVersion": version,
    "io.modelcontextprotocol/clientCapabilities": options.capabilities ?? {},
    "io.modelcontextprotocol/clientInfo": { name: "raw-modern-test", version: "0" },
    ...(options.logLevel && { "io.modelcontextprotocol/logLevel": options.logLevel }),
  };
  const headers = new Headers({
    "Content-Type": "application/json",
    Accept: options.accept ?? "application/json, text/event-stream",
    ...standardHeaders(method, params, version),
  });
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  const own = (params["_meta"] ?? {}) as Record<string, unknown>;
  const body = { jsonrpc: "2.0", id, method, params: { ...params, _meta: { ...own, ...meta } } };
  return endpoint.fetch(new Request(endpoint.url, { method: "POST", headers, body: JSON.stringify(body) }));
}

/** POSTs `body` as written, with the headers of its method and nothing else of modernRequest's. */
export function modernPost(endpoint: Endpoint, body: { method: string } & Record<string, unknown>): Promise<Response> {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json",
    "MCP-Protocol-Version": MODERN_VERSION,
    "Mcp-Method": body.method,
  };
  return endpoint.fetch(new Request(endpoint.url, { method: "POST", headers, body: JSON.stringify(body) }));
}
