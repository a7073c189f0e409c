/**
 * The filter of a `subscriptions/listen` stream (spec 2026-07-28, basic/patterns/subscriptions):
 * what the client asked for, narrowed to what the server declares, and whether a change passes.
 */
import { SubscriptionFilterSchema } from "@modelcontextprotocol/core";
import type { JSONRPCNotification, ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";

/** The SDK v2's own filter type; from core, whose declarations a Worker project type-checks without Node's. */
export type SubscriptionFilter = z.infer<typeof SubscriptionFilterSchema>;

/** Resource URIs one listen stream may name: the filter travels in every hub's memory. */
export const MAX_RESOURCE_SUBSCRIPTIONS = 100;

/** The request's filter, or why it is not one. */
export function readFilter(params: unknown): SubscriptionFilter | string {
  const notifications = (params as { notifications?: unknown } | undefined)?.notifications;
  if (notifications === undefined) return "params.notifications is required";
  const checked = SubscriptionFilterSchema.safeParse(notifications);
  if (!checked.success) {
    const [issue] = checked.error.issues;
    const where = ["notifications", ...(issue?.path ?? []).map(String)].join(".");
    return `params.${where}: ${issue?.message ?? "invalid"}`;
  }
  const filter = checked.data;
  const uris = filter.resourceSubscriptions?.length ?? 0;
  if (uris > MAX_RESOURCE_SUBSCRIPTIONS) {
    return `params.notifications.resourceSubscriptions names ${uris} URIs; at most ${MAX_RESOURCE_SUBSCRIPTIONS} are allowed`;
  }
  return filter;
}

/**
 * What the server honours of `requested`: only what the client opted in to, and only what the
 * server's capabilities declare (`tools.listChanged`, `prompts.listChanged`,
 * `resources.listChanged`, `resources.subscribe`), as the SDK v2 listen router narrows it.
 */
export function honoredFilter(requested: SubscriptionFilter, capabilities: ServerCapabilities): SubscriptionFilter {
  const honored: SubscriptionFilter = {};
  if (requested.toolsListChanged && capabilities.tools?.listChanged) honored.toolsListChanged = true;
  if (requested.promptsListChanged && capabilities.prompts?.listChanged) honored.promptsListChanged = true;
  if (requested.resourcesListChanged && capabilities.resources?.listChanged) honored.resourcesListChanged = true;
  const uris = requested.resourceSubscriptions ?? [];
  if (uris.length > 0 && capabilities.resources?.subscribe) honored.resourceSubscriptions = [...new Set(uris)];
  return honored;
}

export function isEmptyFilter(filter: SubscriptionFilter): boolean {
  return Object.keys(filter).length === 0;
}

/** Whether a change passes `filter`; `resources/updated` only for a URI it names exactly. */
export function accepts(filter: SubscriptionFilter, change: JSONRPCNotification): boolean {
  switch (change.method) {
    case "notifications/tools/list_changed":
      return filter.toolsListChanged === true;
    case "notifications/prompts/list_changed":
      return filter.promptsListChanged === true;
    case "notifications/resources/list_changed":
      return filter.resourcesListChanged === true;
    case "notifications/resources/updated": {
      const uri = change.params?.["uri"];
      return typeof uri === "string" && (filter.resourceSubscriptions?.includes(uri) ?? false);
    }
    default:
      return false;
  }
}
