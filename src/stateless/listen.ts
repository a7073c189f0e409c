/**
 * `subscriptions/listen` (spec 2026-07-28, basic/patterns/subscriptions): the answer is an SSE
 * stream that stays open and carries the changes the client opted in to, narrowed to what the
 * server declares. The listener is held by a listener hub (src/listen/hub-do.ts), where every
 * isolate, cron trigger or queue consumer can reach it, as a hibernatable socket to this Worker,
 * which holds the client's response (src/wire/bridge/): the hub sleeps while its listeners are idle.
 */
import { hasTaskClientCapabilityV2 } from "@modelcontextprotocol/ext-tasks/core/v2";
import { ErrorCode, type JSONRPCRequest, type MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import type { RequestScope } from "../lane/scope.js";
import { honoredFilter, readFilter } from "../listen/filter.js";
import { openListener } from "../listen/opening.js";
import { homeShard, hubStub, type HubPlacement } from "../listen/shards.js";
import { bridgeStream } from "../wire/bridge/worker-end.js";
import { jsonRpcError } from "../wire/errors.js";
import { SSE_HEADERS } from "../wire/sse.js";
import type { StatelessTransport } from "./transport.js";

export async function serveListen<E extends object>(
  { env, principal }: RequestScope<E>,
  message: JSONRPCRequest,
  transport: StatelessTransport,
  extra: MessageExtraInfo,
  placement: HubPlacement,
  tasks: boolean,
): Promise<Response> {
  const hub = hubStub(env, placement, homeShard(principal, crypto.randomUUID(), placement.shards));
  if (!hub) {
    const why = `Method not found: subscriptions/listen needs the ${placement.binding} Durable Object binding, which this deployment lacks`;
    return jsonRpcError(404, ErrorCode.MethodNotFound, why, { id: message.id });
  }
  const filter = readFilter(message.params);
  if (typeof filter === "string")
    return jsonRpcError(400, ErrorCode.InvalidParams, `Invalid params: ${filter}`, { id: message.id });
  const { capabilities, serverInfo } = await transport.describeServer(extra);
  const outcome = await openListener(hub, {
    subscriptionId: message.id,
    principal: principal.id,
    // Task status only for a deployment that runs tasks, to a client that negotiates them.
    filter: honoredFilter(filter, capabilities, tasks && hasTaskClientCapabilityV2(message.params)),
    serverInfo,
    limitPerPrincipal: !principal.shared,
  });
  if (outcome.status === "full") {
    // As the SDK v2 listen router answers its own limit: a JSON-RPC error in a 200.
    return jsonRpcError(200, ErrorCode.InternalError, `Subscription limit reached: ${outcome.reason}`, { id: message.id });
  }
  if (outcome.status === "invalid")
    return jsonRpcError(400, ErrorCode.InvalidParams, `Invalid params: ${outcome.reason}`, { id: message.id });
  return bridgeStream(outcome.upgrade, SSE_HEADERS);
}
