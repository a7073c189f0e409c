/**
 * The filter of a `subscriptions/listen` stream (spec 2026-07-28, basic/patterns/subscriptions):
 * what the client asked for, narrowed to what the server declares, and whether a change passes.
 */
import { SubscriptionFilterSchema } from "@modelcontextprotocol/core";
import { TaskSubscriptionNotificationsV2Schema } from "@modelcontextprotocol/ext-tasks/core/v2";
import type { JSONRPCNotification, ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";

/**
 * The SDK v2's own filter type (from core, whose declarations a Worker project type-checks without
 * Node's), with the tasks extension's `taskIds` (SEP-2663): the tasks whose `notifications/tasks`
 * the stream wants. Written out, as TaskSubscriptionNotificationsV2Schema's `{ taskIds?: string[] }`
 * is: ListenHubDO is public, and the extension's declarations do not type-check under a user's
 * `skipLibCheck: false`; its schema still parses the filter.
 */
export type SubscriptionFilter = z.infer<typeof SubscriptionFilterSchema> & { taskIds?: string[] };

/** Resource URIs one listen stream may name: the filter travels in every hub's memory. */
export const MAX_RESOURCE_SUBSCRIPTIONS = 100;

/** Task ids one listen stream may name, for the same reason. */
export const MAX_TASK_SUBSCRIPTIONS = 100;

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
  const tasks = TaskSubscriptionNotificationsV2Schema.safeParse(notifications);
  if (!tasks.success) return "params.notifications.taskIds: an array of task ids";
  const filter: SubscriptionFilter = { ...checked.data, ...tasks.data };
  const uris = filter.resourceSubscriptions?.length ?? 0;
  if (uris > MAX_RESOURCE_SUBSCRIPTIONS) {
    return `params.notifications.resourceSubscriptions names ${uris} URIs; at most ${MAX_RESOURCE_SUBSCRIPTIONS} are allowed`;
  }
  const taskIds = filter.taskIds?.length ?? 0;
  if (taskIds > MAX_TASK_SUBSCRIPTIONS) {
    return `params.notifications.taskIds names ${taskIds} tasks; at most ${MAX_TASK_SUBSCRIPTIONS} are allowed`;
  }
  return filter;
}

/**
 * What the server honours of `requested`: only what the client opted in to, and only what the
 * server's capabilities declare (`tools.listChanged`, `prompts.listChanged`,
 * `resources.listChanged`, `resources.subscribe`), as the SDK v2 listen router narrows it;
 * `taskIds` when the deployment runs tasks (`tasks`).
 */
export function honoredFilter(
  requested: SubscriptionFilter,
  capabilities: ServerCapabilities,
  tasks: boolean,
): SubscriptionFilter {
  const honored: SubscriptionFilter = {};
  if (requested.toolsListChanged && capabilities.tools?.listChanged) honored.toolsListChanged = true;
  if (requested.promptsListChanged && capabilities.prompts?.listChanged) honored.promptsListChanged = true;
  if (requested.resourcesListChanged && capabilities.resources?.listChanged) honored.resourcesListChanged = true;
  const uris = requested.resourceSubscriptions ?? [];
  if (uris.length > 0 && capabilities.resources?.subscribe) honored.resourceSubscriptions = [...new Set(uris)];
  const taskIds = requested.taskIds ?? [];
  if (taskIds.length > 0 && tasks) honored.taskIds = [...new Set(taskIds)];
  return honored;
}

export function isEmptyFilter(filter: SubscriptionFilter): boolean {
  return Object.keys(filter).length === 0;
}

/** Whether a change passes `filter`; `resources/updated` only for a URI it names exactly, `tasks` only for a task it names. */
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
    case "notifications/tasks": {
      const taskId = change.params?.["taskId"];
      return typeof taskId === "string" && (filter.taskIds?.includes(taskId) ?? false);
    }
    default:
      return false;
  }
}
