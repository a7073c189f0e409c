/**
 * `tools/list` answers reused across requests (README, "Cost per request"). The SDK's McpServer
 * turns every tool's zod schemas into JSON Schema on every `tools/list`: 200 tools cost 29 ms of
 * CPU where one costs 3 (bench, `--server-size`), and the server is built afresh per request, so
 * nothing of that work survived. The answer depends only on what was registered, so it is kept,
 * per handler, under a key of exactly that: each tool's name, texts, annotations, and the
 * identity of its schema objects (zod schemas are immutable). A server that registers something
 * else, for another session or principal, has another key and gets its own answer: an answer
 * never carries anything its own server did not register. Answers are kept from the second
 * server with the same schema objects on: a factory that builds its schemas per request
 * (README, "Bring your own server") would only fill the cache.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { keepText } from "../wire/message-text.js";
import type { ConnectableServer, ServerFactory } from "./server-factory.js";

/**
 * Distinct tool sets kept per handler: a deployment has one, or a few per kind of session or
 * user; a factory that registers something unique per request must not grow the isolate's memory.
 */
export const MAX_CACHED_TOOL_LISTS = 32;

type Handler = (request: unknown, extra: unknown) => Promise<unknown>;

/** The SDK's fields this reads: `McpServer._registeredTools` and `Protocol._requestHandlers`. */
interface ServerInternals {
  _registeredTools?: Record<string, Record<string, unknown>>;
  server: { _requestHandlers?: Map<string, Handler> };
}

export class ToolListCache {
  readonly #lists = new Map<string, Promise<unknown>>();
  readonly #schemaIds = new WeakMap<object, number>();
  #nextSchemaId = 0;

  get size(): number {
    return this.#lists.size;
  }

  /** Answers `server`'s tools/list from the cache when its tools are ones already answered. */
  install(server: ConnectableServer): void {
    if (!(server instanceof McpServer)) return;
    const internals = server as unknown as ServerInternals;
    const handlers = internals.server._requestHandlers;
    const original = handlers?.get("tools/list");
    if (!handlers || !original) return;
    handlers.set("tools/list", (request, extra) => {
      const { key, unseen } = this.#keyOf(internals._registeredTools ?? {});
      const cached = this.#lists.get(key);
      if (cached) return cached;
      const answer = original(request, extra);
      // Schemas never seen before are likely built per request: their key would never come again.
      if (!unseen) this.#remember(key, answer);
      return answer;
    });
  }

  #remember(key: string, answer: Promise<unknown>): void {
    if (this.#lists.size >= MAX_CACHED_TOOL_LISTS) this.#lists.delete(this.#lists.keys().next().value!);
    this.#lists.set(key, answer);
    // The same object answers every list of these tools: its JSON text is made once, too.
    void answer.then((result) => typeof result === "object" && result !== null && keepText(result)).catch(() => undefined);
    // A failed answer is not kept: the next request tries again.
    answer.catch(() => this.#lists.get(key) === answer && this.#lists.delete(key));
  }

  /**
   * Everything the SDK's tools/list reads of a tool, schemas by identity; `unseen` when a schema
   * had no identity yet.
   */
  #keyOf(tools: Record<string, Record<string, unknown>>): { key: string; unseen: boolean } {
    let unseen = false;
    const schemaId = (schema: unknown): number | null => {
      if (typeof schema !== "object" || schema === null) return null;
      let id = this.#schemaIds.get(schema);
      if (id === undefined) {
        this.#schemaIds.set(schema, (id = this.#nextSchemaId++));
        unseen = true;
      }
      return id;
    };
    const key = JSON.stringify(
      Object.entries(tools).map(([name, tool]) => [
        name,
        tool["enabled"],
        tool["title"],
        tool["description"],
        schemaId(tool["inputSchema"]),
        schemaId(tool["outputSchema"]),
        tool["annotations"],
        tool["execution"],
        tool["_meta"],
      ]),
    );
    return { key, unseen };
  }
}

/** The factory, with one cache for the servers it builds. */
export function withToolListCache<E>(factory: ServerFactory<E>): ServerFactory<E> {
  const cache = new ToolListCache();
  return async (context) => {
    const server = await factory(context);
    cache.install(server);
    return server;
  };
}
