/**
 * The library's entry point: `createMcpHandler(options)` returns the Worker's fetch handler.
 * Export `SessionDO` from the Worker module next to it, bound as options.binding.
 */
import type { McpHandler } from "../wire/endpoint.js";
import { createApp } from "./app.js";
import { resolveOptions, type McpHandlerOptions } from "./options.js";

export function createMcpHandler<E extends object>(options: McpHandlerOptions<E>): McpHandler<E> {
  const app = createApp(resolveOptions(options));
  return { fetch: (request, env, ctx) => app.fetch(request, env, ctx) };
}
