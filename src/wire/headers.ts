/**
 * Header checks of the Streamable HTTP wire rules (spec 2025-11-25, basic/transports).
 * Each returns the rejection to send, or undefined when the request may go on.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import { httpError } from "./errors.js";

/** How a POST is answered: one JSON body, an SSE stream, or "auto" (JSON when quick, else SSE). */
export type ResponseMode = "json" | "sse" | "auto";

const JSON_TYPE = "application/json";
const SSE_TYPE = "text/event-stream";

/** Media types the Accept header allows, wildcards included (RFC 9110 §12.5.1), ignoring q=0. */
function accepts(request: Request, type: string): boolean {
  const header = request.headers.get("accept");
  if (!header) return false;
  const [major] = type.split("/");
  return header.split(",").some((part) => {
    const [range = "", ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    if (params.some((param) => /^q=0(\.0*)?$/.test(param))) return false;
    return range === type || range === "*/*" || range === `${major}/*`;
  });
}

/**
 * The response mode a POST gets: the configured preference when the client accepts both,
 * otherwise the one it accepts. A client that accepts neither gets 406.
 */
export function chooseResponseMode(request: Request, preferred: ResponseMode): ResponseMode | Response {
  const json = accepts(request, JSON_TYPE);
  const sse = accepts(request, SSE_TYPE);
  if (json && sse) return preferred;
  if (json) return "json";
  if (sse) return "sse";
  return httpError(406, `Not Acceptable: the Accept header must allow ${JSON_TYPE} and ${SSE_TYPE}`);
}

export function checkStreamAccept(request: Request): Response | undefined {
  if (accepts(request, SSE_TYPE)) return undefined;
  return httpError(406, `Not Acceptable: the Accept header must allow ${SSE_TYPE} to open the stream`);
}

export function checkContentType(request: Request): Response | undefined {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === JSON_TYPE) return undefined;
  return httpError(415, `Unsupported Media Type: the body must be sent as Content-Type: ${JSON_TYPE}`);
}

/**
 * An absent header is allowed: a session's requests are served at the version it negotiated
 * at initialize (spec 2025-11-25, basic/transports, "Protocol Version Header").
 */
export function checkProtocolVersion(request: Request): Response | undefined {
  const version = request.headers.get("mcp-protocol-version");
  if (version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  return httpError(
    400,
    `Bad Request: unsupported MCP-Protocol-Version "${version}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}`,
  );
}

/** A supported version that is not the session's: the client must send the one it negotiated. */
export function otherVersionThanNegotiated(header: string, negotiated: string): Response {
  return httpError(
    400,
    `Bad Request: MCP-Protocol-Version "${header}" is not the version this session negotiated at initialize ("${negotiated}")`,
  );
}
