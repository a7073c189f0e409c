/**
 * The session record: what a fresh server needs to continue a session that another isolate
 * initialized (README, "How a request flows"). Stored once per session in its Durable Object.
 */
import {
  InitializeResultSchema,
  ResourceUpdatedNotificationSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ClientCapabilities,
  type Implementation,
  type InitializeRequestParams,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type LoggingLevel,
} from "@modelcontextprotocol/sdk/types.js";

export interface SessionRecord {
  /** The version negotiated by `initialize`, not the one the client asked for. */
  protocolVersion: string;
  clientInfo: Implementation;
  clientCapabilities: ClientCapabilities;
  /** Set by `logging/setLevel`; replayed into each fresh server. */
  logLevel?: LoggingLevel;
  /** Resource URIs this session subscribed to with `resources/subscribe`. */
  subscriptions: string[];
  /** Who created the session (see src/security/auth.ts); nobody else may use it. */
  principal: string;
  /** Random id of the standalone stream, the prefix of its SSE event ids. */
  standaloneStreamId: string;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * Resource subscriptions one session may hold: each is a TopicDO the session creates, and the
 * record, which every request of the session reads, carries them all.
 */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 100;
/** The longest resource URI a session may subscribe to, so that the subscriptions stay small. */
export const MAX_SUBSCRIPTION_URI_LENGTH = 2048;

/**
 * The most bytes of `clientInfo` and `capabilities` (as JSON) a session stores: the record is
 * read by every request of the session and rewritten as it is used. Clients send under 1 KiB.
 */
export const MAX_CLIENT_DESCRIPTION_BYTES = 32 * 1024;

/** Why `initialize` may not create a session with these params (see above), if it may not. */
export function oversizedClientDescription(params: JSONRPCRequest["params"]): string | undefined {
  const description = JSON.stringify({ clientInfo: params?.clientInfo, capabilities: params?.capabilities });
  const bytes = new TextEncoder().encode(description).byteLength;
  if (bytes <= MAX_CLIENT_DESCRIPTION_BYTES) return undefined;
  return `clientInfo and capabilities take ${bytes} bytes as JSON; a session stores at most ${MAX_CLIENT_DESCRIPTION_BYTES}`;
}

/** What the Worker learns from a request and asks the session object to keep. */
export type SessionChange =
  { kind: "setLogLevel"; level: LoggingLevel } | { kind: "subscribe"; uri: string } | { kind: "unsubscribe"; uri: string };

export function applyChange(record: SessionRecord, change: SessionChange): SessionRecord {
  switch (change.kind) {
    case "setLogLevel":
      return { ...record, logLevel: change.level };
    case "subscribe":
      return record.subscriptions.includes(change.uri)
        ? record
        : { ...record, subscriptions: [...record.subscriptions, change.uri] };
    case "unsubscribe":
      return { ...record, subscriptions: record.subscriptions.filter((uri) => uri !== change.uri) };
  }
}

/** Why the record must not take the change (a subscription beyond the bounds above), if it must not. */
export function refusedChange(record: SessionRecord, change: SessionChange): string | undefined {
  if (change.kind !== "subscribe" || record.subscriptions.includes(change.uri)) return undefined;
  if (change.uri.length > MAX_SUBSCRIPTION_URI_LENGTH) {
    return `The resource URI is ${change.uri.length} characters long; a session may subscribe to URIs of at most ${MAX_SUBSCRIPTION_URI_LENGTH}`;
  }
  if (record.subscriptions.length >= MAX_SUBSCRIPTIONS_PER_SESSION) {
    return `This session already holds ${record.subscriptions.length} resource subscriptions, the most one session may (${MAX_SUBSCRIPTIONS_PER_SESSION}): unsubscribe from one first`;
  }
  return undefined;
}

/**
 * Whether a message for the standalone stream concerns this session. A fresh server cannot
 * know the session's subscriptions, so `resources/updated` is filtered here: the spec sends
 * it only for resources the client subscribed to.
 */
export function concernsSession(record: SessionRecord, message: JSONRPCMessage): boolean {
  const updated = ResourceUpdatedNotificationSchema.safeParse(message);
  return !updated.success || record.subscriptions.includes(updated.data.params.uri);
}

/**
 * The record of a session that `initialize` just created. The protocol version is the one the
 * server answered with: it may differ from the one the client asked for (spec 2025-11-25,
 * lifecycle "Version Negotiation"). Throws when the result is not an initialize result.
 */
export function initializedRecord(
  params: InitializeRequestParams,
  result: unknown,
  now = Date.now(),
): Omit<SessionRecord, "principal"> {
  return {
    protocolVersion: InitializeResultSchema.parse(result).protocolVersion,
    clientInfo: params.clientInfo,
    clientCapabilities: params.capabilities,
    subscriptions: [],
    standaloneStreamId: crypto.randomUUID(),
    createdAt: now,
    lastSeenAt: now,
  };
}

/** The change a request asks for, kept once the server has answered it with success. */
export function changeRequestedBy(request: JSONRPCRequest): SessionChange | undefined {
  switch (request.method) {
    case "logging/setLevel": {
      const parsed = SetLevelRequestSchema.safeParse(request);
      return parsed.success ? { kind: "setLogLevel", level: parsed.data.params.level } : undefined;
    }
    case "resources/subscribe": {
      const parsed = SubscribeRequestSchema.safeParse(request);
      return parsed.success ? { kind: "subscribe", uri: parsed.data.params.uri } : undefined;
    }
    case "resources/unsubscribe": {
      const parsed = UnsubscribeRequestSchema.safeParse(request);
      return parsed.success ? { kind: "unsubscribe", uri: parsed.data.params.uri } : undefined;
    }
    default:
      return undefined;
  }
}
