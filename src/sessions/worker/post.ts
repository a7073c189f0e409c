/**
 * POST /mcp: a fresh server and transport per request. The one round trip to the session
 * object is `open` (check, record, inbox, routing of the client's answers and cancellations);
 * `initialize` instead creates the session.
 */
import {
  ErrorCode,
  type Implementation,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../../security/auth.js";
import { indexSubscription } from "../topics/topics.js";
import { newSessionId } from "../../wire/session-id.js";
import { DistributedTransport } from "../transport/distributed-transport.js";
import { cancelledRequestId, isRequest, isResponse } from "../../wire/message-kind.js";
import type { PostBody } from "../../wire/body.js";
import { jsonRpcError } from "../../wire/errors.js";
import { checkProtocolVersion, otherVersionThanNegotiated, type ResponseMode } from "../../wire/headers.js";
import { isChange } from "../../lane/changes.js";
import type { RequestScope } from "../../lane/scope.js";
import { createRequestState } from "../../state/request-state.js";
import type { StateCell } from "../../state/store.js";
import type { SessionLaneOptions } from "./options.js";
import { SessionLink } from "./session-link.js";
import { sessionStub, type OpenedSession, type SessionStub } from "../rpc.js";
import { requestedSessionId, sessionNotFound } from "./lookup.js";
import { oversizedClientDescription } from "../record.js";
import { SessionCreation } from "./initialize.js";
import { tasksOn } from "../../tasks/client.js";
import { SessionTaskLayer } from "./task-layer.js";

interface Session {
  id: string;
  stub: SessionStub;
  link: SessionLink;
  opened?: OpenedSession;
  /** Set while serving initialize. */
  created?: SessionCreation;
}

/** `body`: the POST's messages, read and checked by the edge; `mode`: how it may be answered. */
export async function handlePost<E extends object>(
  scope: RequestScope<E>,
  body: PostBody,
  mode: ResponseMode,
  options: SessionLaneOptions<E>,
): Promise<Response> {
  const { request, env, principal, notes, waitUntil, changes } = scope;
  notes.rpc = body.messages.map((message) => ("method" in message ? message.method : "response"));
  // By method alone: the server validates its params, and answers a bad initialize with an error.
  const initialize = body.messages.filter(isRequest).find((request) => request.method === "initialize");
  // Alone, and not in a batch: 2025-03-26 forbids initialize in a batch, later versions have none.
  if (initialize && (body.batch || body.messages.length > 1)) {
    return jsonRpcError(400, ErrorCode.InvalidRequest, "Invalid Request: initialize must be sent alone, not in a batch", {
      id: initialize.id,
    });
  }
  // Refused before any session exists: the record would carry it on every request.
  const oversized = initialize && oversizedClientDescription(initialize.params);
  if (oversized) return jsonRpcError(400, ErrorCode.InvalidParams, `Invalid params: ${oversized}`, { id: initialize?.id });
  const routed = body.messages.filter(isRouted);
  const local = body.messages.filter((message) => !isRouted(message));
  const session = initialize
    ? await newSession(scope, options, initialize.id)
    : await existingSession(request, env, principal, options, local, routed, mode !== "json");
  if (session instanceof Response) return session;
  // A new session's id goes out only once it is stored (./initialize.ts).
  if (!initialize) notes.sessionId = session.id;
  const headers: Record<string, string> = initialize ? {} : { "mcp-session-id": session.id };
  const unrouted = session.opened?.unrouted ?? [];
  if (unrouted.length > 0 && !local.some(isRequest)) return unknownAnswers(unrouted, headers);
  if (local.length === 0) return new Response(null, { status: 202, headers });

  const { stub, link, created } = session;
  const transport = new DistributedTransport({
    sessionId: session.id,
    record: session.opened?.record,
    disableLocalSse: true,
    onsessioninitialized:
      created &&
      ((record) =>
        created.track(
          Promise.all([
            stub.create({ ...record, principal: principal.id }, created.settings(options.session)),
            changes?.sessionStarted(session.id, principal),
          ]).then(() => undefined),
        )),
    onsessionchange: async (change) => {
      // The record first: a subscription it refuses must create no topic.
      const refused = await stub.change(change);
      if (!refused) await indexSubscription(env, options, session.id, principal.id, change);
      return refused;
    },
    onserverrequest: (requestId, method) => link.expect(requestId, method),
    onrunslong: () => link.runsLong(),
  });
  transport.onresponsesse = async (messages) => {
    // A change concerns every listener of its scope, this session among them: the feed delivers it once to each.
    const changed = changes ? messages.filter(isChange) : [];
    const own = changed.length > 0 ? messages.filter((message) => !isChange(message)) : messages;
    await Promise.all([own.length > 0 && stub.publish(own), changed.length > 0 && changes?.publish(changed, principal)]);
  };
  link.connect((message) => transport.receive(message));
  const opened = session.opened;
  const state = createRequestState(env, principal, options.state, {
    session: { cell: sessionStateCell(stub, principal), known: opened?.state ?? null, announce: (lists) => stub.publish(lists) },
    // Without listener hubs a change reaches only the request's own session, as a handler's does.
    announceToPrincipal: (lists) => (changes ? changes.publish(lists, principal) : stub.publish(lists)),
  });
  const server = await options.server.lease({ env, request, principal, state });
  await server.connect(tasksOn(env, options.tasks) ? tasksLayer(transport, scope, options, stub, initialize, opened) : transport);
  const response = await transport.handlePost(local, {
    mode,
    stream: opened && {
      id: link.streamId,
      protocolVersion: opened.record.protocolVersion,
      retryMs: opened.settings.retryMs,
      lifetimeMs: options.postStreamLifetimeMs,
      // The session object knows the stream as live only while its inbox is open: keep what it may resume.
      keepsEnded: () => link.hasInbox,
      handOver: (messages, done, lostThrough) => stub.handOver(link.streamId, messages, done, lostThrough),
    },
    batch: body.batch,
    headers,
    requestInfo: { headers: Object.fromEntries(request.headers), url: new URL(request.url) },
    authInfo: principal.authInfo,
  });
  waitUntil(
    transport.settled.then(async () => {
      link.close();
      await server.release();
    }),
  );
  return created ? created.announce(scope, response, transport.settled) : response;
}

/** The Transport that runs the deployment's task tools as tasks (./task-layer.ts), in front of the POST's. */
function tasksLayer<E extends object>(
  transport: DistributedTransport,
  { env, principal, request }: RequestScope<E>,
  options: SessionLaneOptions<E>,
  session: SessionStub,
  initialize: JSONRPCRequest | undefined,
  opened: OpenedSession | undefined,
): SessionTaskLayer {
  const params = initialize?.params as { capabilities?: object; clientInfo?: Implementation } | undefined;
  const client = opened
    ? { capabilities: opened.record.clientCapabilities, info: opened.record.clientInfo }
    : { capabilities: params?.capabilities ?? {}, info: params?.clientInfo ?? { name: "unknown", version: "0" } };
  return new SessionTaskLayer(transport, { env, tasks: options.tasks, principal, session, client, request });
}

/**
 * The session's state for tools, kept by its object and written compare-and-swap there. It has
 * no read of its own: its value comes with `open` (or is none, for a session being created).
 */
function sessionStateCell(stub: SessionStub, principal: Principal): StateCell {
  return { write: (expectedVersion, json) => stub.writeState(principal.id, expectedVersion, json) };
}

/** The client's answers to server→client requests and its cancellations go through the broker. */
function isRouted(message: JSONRPCMessage): boolean {
  return isResponse(message) || cancelledRequestId(message) !== undefined;
}

/** A session for `initialize`, within the session limits. */
async function newSession<E extends object>(
  scope: RequestScope<E>,
  options: SessionLaneOptions<E>,
  initializeId: RequestId,
): Promise<Session | Response> {
  const id = newSessionId();
  const created = await SessionCreation.admit(scope, options.sessionLimits, options.session, id, initializeId);
  if (created instanceof Response) return created;
  const stub = sessionStub(scope.env, options, id);
  return { id, stub, link: new SessionLink(stub, options.serverRequestTimeoutMs, []), created };
}

async function existingSession<E extends object>(
  request: Request,
  env: E,
  principal: Principal,
  options: SessionLaneOptions<E>,
  local: JSONRPCMessage[],
  routed: JSONRPCMessage[],
  streams: boolean,
): Promise<Session | Response> {
  const rejected = checkProtocolVersion(request);
  if (rejected) return rejected;
  const id = requestedSessionId(request);
  if (id instanceof Response) return id;
  const stub = sessionStub(env, options, id);
  const requestIds = local.filter(isRequest).map((message) => message.id);
  const link = new SessionLink(stub, options.serverRequestTimeoutMs, requestIds);
  // An SSE answer is a stream its client may resume: the session object must know it is ours.
  const version = request.headers.get("mcp-protocol-version") ?? undefined;
  const streamId = streams && requestIds.length > 0 ? link.streamId : undefined;
  const opened = await stub.open(principal.id, routed, streamId, version);
  if (!opened) return sessionNotFound();
  if ("status" in opened) return otherVersionThanNegotiated(version!, opened.negotiated);
  return { id, stub, link, opened };
}

function unknownAnswers(ids: RequestId[], headers: HeadersInit): Response {
  return jsonRpcError(
    400,
    ErrorCode.InvalidRequest,
    `Invalid Request: no request with id ${ids.map((id) => JSON.stringify(id)).join(", ")} is waiting for an answer in this session`,
    { headers },
  );
}
