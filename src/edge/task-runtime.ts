/**
 * What a deployment's TaskDO needs of createMcpHandler's options: the server it runs, the state
 * its handler sees, and the listen streams its status and its handler's changes go to.
 */
import { audienceOf, createChangeFeed, deliverChange } from "../listen/feed.js";
import type { TaskRuntime } from "../tasks/task-do.js";
import type { ResolvedOptions } from "./options.js";

export function taskRuntime<E extends object>(options: ResolvedOptions<E>): TaskRuntime<E> {
  return {
    server: options.server,
    state: options.state,
    // `notifications/tasks` reaches the listen streams of the task's principal that asked for its id.
    announce: (env, view, record) =>
      deliverChange(
        env,
        options,
        { jsonrpc: "2.0", method: "notifications/tasks", params: view },
        audienceOf(record.principal, options.listen.shards),
      ),
    publish: async (env, changes, principal) => await createChangeFeed(env, options)?.publish(changes, principal),
  };
}
