/**
 * What a `subscriptions/listen` stream says, as pure functions of its listener: the
 * acknowledgement first, then every change its filter passes, each stamped with the subscription
 * id (the listen request's id), and the listen request's (empty) result when the server ends the
 * subscription. The hub sends them on the listener's socket (src/wire/bridge/); the Worker that
 * holds the client's response adds the keepalives.
 */
import { SERVER_INFO_META_KEY, SUBSCRIPTION_ID_META_KEY } from "@modelcontextprotocol/server";
import type { Implementation, JSONRPCNotification, JSONRPCResultResponse, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { SubscriptionFilter } from "./filter.js";

/** One listener, as its hub keeps it: the attachment of its socket, so it survives hibernation. */
export interface ListenerSpec {
  subscriptionId: RequestId;
  /** Whose listener it is: a change scoped to another principal passes it by. */
  principal: string;
  /** Already narrowed to what the server honours. */
  filter: SubscriptionFilter;
  serverInfo: Implementation;
}

/** The first message of the stream: the filter the server honours. */
export function acknowledgement({ subscriptionId, filter }: ListenerSpec): JSONRPCNotification {
  return stamped(
    { jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged", params: { notifications: filter } },
    subscriptionId,
  );
}

/** `notification` as the listener of `subscriptionId` receives it: with the id in its `_meta`. */
export function stamped(notification: JSONRPCNotification, subscriptionId: RequestId): JSONRPCNotification {
  const params = notification.params ?? {};
  const meta = { ...(params["_meta"] as object | undefined), [SUBSCRIPTION_ID_META_KEY]: subscriptionId };
  return { ...notification, params: { ...params, _meta: meta } };
}

/** The last message when the server ends the subscription: the listen request's (empty) result. */
export function finalResult({ subscriptionId, serverInfo }: ListenerSpec): JSONRPCResultResponse {
  const meta = { [SUBSCRIPTION_ID_META_KEY]: subscriptionId, [SERVER_INFO_META_KEY]: serverInfo };
  return { jsonrpc: "2.0", id: subscriptionId, result: { resultType: "complete", _meta: meta } };
}
