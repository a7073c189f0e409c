/**
 * What a 2026-07-28 request says about its client, read from `params._meta` (the era classifier
 * has already validated the envelope's shape: SDK v2 `classifyInboundRequest`).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/server";
import type { ClientCapabilities, Implementation, JSONRPCRequest, LoggingLevel } from "@modelcontextprotocol/sdk/types.js";

export interface Envelope {
  protocolVersion: string;
  clientCapabilities: ClientCapabilities;
  /** Optional on the wire; a fresh server needs one, so an anonymous one stands in. */
  clientInfo: Implementation;
  /** Absent: the request wants no `notifications/message` at all. */
  logLevel?: LoggingLevel;
}

const UNNAMED_CLIENT: Implementation = { name: "unnamed-client", version: "0" };

export function envelopeOf(request: JSONRPCRequest): Envelope {
  const meta = (request.params?._meta ?? {}) as Record<string, unknown>;
  return {
    protocolVersion: meta[PROTOCOL_VERSION_META_KEY] as string,
    clientCapabilities: (meta[CLIENT_CAPABILITIES_META_KEY] ?? {}) as ClientCapabilities,
    clientInfo: (meta[CLIENT_INFO_META_KEY] as Implementation | undefined) ?? UNNAMED_CLIENT,
    logLevel: meta[LOG_LEVEL_META_KEY] as LoggingLevel | undefined,
  };
}
