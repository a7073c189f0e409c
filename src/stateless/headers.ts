/**
 * The request headers of spec 2026-07-28 (basic/transports, "Server Validation"): every request
 * carries `MCP-Protocol-Version` and `Mcp-Method`, and those that name a tool, prompt or resource
 * carry `Mcp-Name`. The era classifier already refused a header that disagrees with the body;
 * this adds the rules for absent headers and for `Mcp-Name`, whose value may be sent as
 * `=?base64?…?=` (UTF-8, canonical padded base64) when it is not plain ASCII.
 */
import type { JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { jsonRpcError } from "../wire/errors.js";
import { HEADER_MISMATCH_CODE, NAMED_BY } from "./protocol.js";

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkModernHeaders(request: Request, message: JSONRPCRequest): Response | undefined {
  const reject = (text: string) => jsonRpcError(400, HEADER_MISMATCH_CODE, `Bad Request: ${text}`, { id: message.id });
  if (!request.headers.has("mcp-protocol-version")) return reject("the MCP-Protocol-Version header is required");
  if (!request.headers.has("mcp-method")) return reject("the Mcp-Method header is required");
  const member = NAMED_BY[message.method];
  if (!member) return undefined;
  const header = request.headers.get("mcp-name");
  if (header === null) return reject(`the Mcp-Name header is required for ${message.method}`);
  const name = decodeHeaderValue(header.trim());
  if (name === undefined) return reject("the Mcp-Name header is not valid =?base64?…?= UTF-8");
  if (name !== message.params?.[member]) return reject(`the Mcp-Name header does not match params.${member}`);
  return undefined;
}

/** A header value as sent, or decoded from its `=?base64?…?=` form; undefined when that form is broken. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!value.startsWith(SENTINEL_PREFIX) || !value.endsWith(SENTINEL_SUFFIX)) return value;
  const encoded = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length);
  if (!CANONICAL_BASE64.test(encoded)) return undefined;
  try {
    const bytes = Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}
