/**
 * GET /mcp: the standalone SSE stream. The Worker checks the request and holds the client's
 * response; the session object decides what goes on it and holds a hibernatable socket to this
 * Worker (src/wire/bridge/), so a message published from any isolate reaches it, and an idle
 * session's object sleeps.
 */
import { SSE_HEADERS } from "../../wire/sse.js";
import { httpError } from "../../wire/errors.js";
import { checkProtocolVersion, checkStreamAccept, otherVersionThanNegotiated } from "../../wire/headers.js";
import type { RequestScope } from "../../lane/scope.js";
import type { SessionLaneOptions } from "./options.js";
import { bridgeStream, readOpening } from "../../wire/bridge/worker-end.js";
import { sessionStub, streamRequest, type StreamRefusal } from "../rpc.js";
import { requestedSessionId, sessionNotFound } from "./lookup.js";

export async function handleStream<E extends object>(
  { request, env, principal }: RequestScope<E>,
  options: SessionLaneOptions<E>,
): Promise<Response> {
  const rejected = checkStreamAccept(request) ?? checkProtocolVersion(request);
  if (rejected) return rejected;
  const id = requestedSessionId(request);
  if (id instanceof Response) return id;
  const version = request.headers.get("mcp-protocol-version") ?? undefined;
  const ask = {
    principal: principal.id,
    lastEventId: request.headers.get("last-event-id") ?? undefined,
    protocolVersion: version,
  };
  const opening = await readOpening<StreamRefusal>(await sessionStub(env, options, id).fetch(streamRequest(ask)));
  switch (opening.status) {
    case "open":
      return bridgeStream(opening.upgrade, { ...SSE_HEADERS, "mcp-session-id": id });
    case "not-found":
      return sessionNotFound();
    case "other-version":
      return otherVersionThanNegotiated(version!, opening.negotiated);
    case "unknown-event":
      return httpError(400, "Bad Request: Last-Event-ID names no stream of this session; reconnect without it");
    case "too-many-streams":
      return httpError(429, "Too Many Requests: this session has too many resumed streams open; close one first");
    case "too-old":
      return httpError(
        400,
        "Bad Request: Last-Event-ID is older than the session's event log; events after it were lost, reconnect without it",
      );
  }
}
