/**
 * DELETE /mcp: the client ends its session. The session object closes the stream and removes
 * its storage; afterwards the id answers 404.
 */
import { leaveTopics } from "../topics/topics.js";
import { checkProtocolVersion, otherVersionThanNegotiated } from "../../wire/headers.js";
import type { RequestScope } from "../../lane/scope.js";
import type { SessionLaneOptions } from "./options.js";
import { sessionStub } from "../rpc.js";
import { requestedSessionId, sessionNotFound } from "./lookup.js";

export async function handleTerminate<E extends object>(
  { request, env, principal, changes }: RequestScope<E>,
  options: SessionLaneOptions<E>,
): Promise<Response> {
  const rejected = checkProtocolVersion(request);
  if (rejected) return rejected;
  const id = requestedSessionId(request);
  if (id instanceof Response) return id;
  const version = request.headers.get("mcp-protocol-version") ?? undefined;
  const subscriptions = await sessionStub(env, options, id).terminate(principal.id, version);
  if (!subscriptions) return sessionNotFound();
  if (!Array.isArray(subscriptions)) return otherVersionThanNegotiated(version!, subscriptions.negotiated);
  await Promise.all([leaveTopics(env, options, id, subscriptions), changes?.sessionEnded(id, principal)]);
  return new Response(null, { status: 200 });
}
