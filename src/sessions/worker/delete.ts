/**
 * DELETE /mcp: the client ends its session. The session object closes the stream and removes
 * its storage; afterwards the id answers 404. The session's tasks, which no one else may reach,
 * are cancelled: their handlers stop rather than run on for nobody until their TTL.
 */
import { leaveTopics } from "../topics/topics.js";
import { checkProtocolVersion, otherVersionThanNegotiated } from "../../wire/headers.js";
import type { RequestScope } from "../../lane/scope.js";
import type { SessionLaneOptions } from "./options.js";
import { sessionStub } from "../rpc.js";
import { requestedSessionId, sessionNotFound } from "./lookup.js";
import { taskStub } from "../../tasks/client.js";
import { errorMessage, logError } from "../../wire/log.js";

export async function handleTerminate<E extends object>(
  { request, env, principal, changes, waitUntil }: RequestScope<E>,
  options: SessionLaneOptions<E>,
): Promise<Response> {
  const rejected = checkProtocolVersion(request);
  if (rejected) return rejected;
  const id = requestedSessionId(request);
  if (id instanceof Response) return id;
  const version = request.headers.get("mcp-protocol-version") ?? undefined;
  const ended = await sessionStub(env, options, id).terminate(principal.id, version);
  if (!ended) return sessionNotFound();
  if ("negotiated" in ended) return otherVersionThanNegotiated(version!, ended.negotiated);
  const { subscriptions, tasks } = ended;
  const owner = { principal: principal.id, sessionId: id };
  // Only a deployment that runs tasks has any; each cancels only for its owner.
  const cancelled = tasks.map((taskId) => taskStub(env, options.tasks, taskId)?.cancel(owner));
  waitUntil(
    Promise.all(cancelled).catch((error) =>
      logError("Cancelling an ended session's tasks failed", { reason: errorMessage(error) }),
    ),
  );
  await Promise.all([leaveTopics(env, options, id, subscriptions), changes?.sessionEnded(id, principal)]);
  return new Response(null, { status: 200 });
}
