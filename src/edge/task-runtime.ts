/**
 * What a deployment's TaskDO needs of createMcpHandler's options: the server it runs, the state
 * its handler sees, and where its status and its handler's changes go: a 2025 session's task
 * tells its session's standalone stream, a 2026-07-28 task the listen streams that asked for it.
 */
import { audienceOf, createChangeFeed, deliverChange } from "../listen/feed.js";
import { sessionStub } from "../sessions/rpc.js";
import { sessionTaskOf } from "../tasks/session-view.js";
import type { TaskRuntime } from "../tasks/task-do.js";
import type { ResolvedOptions } from "./options.js";

export function taskRuntime<E extends object>(options: ResolvedOptions<E>): TaskRuntime<E> {
  return {
    server: options.server,
    state: options.state,
    announce: (env, view, record) => {
      const { sessionId } = record.owner;
      if (sessionId !== undefined) {
        const status = { jsonrpc: "2.0" as const, method: "notifications/tasks/status", params: sessionTaskOf(view) };
        return sessionStub(env, options, sessionId).publish([status]);
      }
      return deliverChange(
        env,
        options,
        { jsonrpc: "2.0", method: "notifications/tasks", params: view },
        audienceOf(record.principal, options.listen.shards),
      );
    },
    publish: async (env, changes, principal) => await createChangeFeed(env, options)?.publish(changes, principal),
  };
}
