/**
 * Where a lane gets the server for a request (README, "Cost per request"). With `serverReuse`
 * "never", the default, every request builds its own. With "deployment" or "principal", a server
 * built once serves many requests, one at a time: it is leased to a request, connected to that
 * request's transport, and returned when the request is over (./reusable-server.ts) to wait for
 * the next request of its key, within the bounds below.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ReusableServer } from "./reusable-server.js";
import { buildServer, type ServerContext, type ServerFactory } from "./server-factory.js";

/**
 * "never": a server per request. "deployment": servers are shared by every request; the factory
 * may read only `env` while it builds. "principal": shared by one principal's requests; the
 * factory may also read `principal` while it builds.
 */
export type ServerReuse = "never" | "principal" | "deployment";

/**
 * Idle servers a handler keeps for reuse, of all keys together: enough for the requests one
 * isolate serves at once (the benches run 16).
 */
export const MAX_IDLE_SERVERS = 16;

/**
 * Tools and prompts with schemas built for their own server that the idle servers of a handler
 * may hold in all, so that they stay a small part of the isolate's 128 MB: a 200-tool server
 * whose factory builds its zod schemas holds about 7 MB, against 0.16 MB when they are built once
 * in module scope and shared (measured in node), so 1,000 hold about 35 MB. Shared schemas weigh
 * nothing: servers that share theirs are bounded by MAX_IDLE_SERVERS alone, as they must be to
 * serve the isolate's concurrency without building again. One idle server is kept whatever its
 * weight.
 */
export const MAX_IDLE_OWN_SCHEMAS = 1_000;

/** A server lent to one request. */
export interface ServerLease {
  connect(transport: Transport): Promise<void>;
  /** The request is over: closes the connection; the server is reused or dropped. */
  release(): Promise<void>;
}

export interface ServerSource<E> {
  lease(context: ServerContext<E>): Promise<ServerLease>;
}

export function serverSource<E>(factory: ServerFactory<E>, reuse: ServerReuse): ServerSource<E> {
  return reuse === "never" ? new FreshServers(factory) : new ServerPool(factory, reuse);
}

/** A server per request, dropped with it. */
class FreshServers<E> implements ServerSource<E> {
  readonly #factory: ServerFactory<E>;

  constructor(factory: ServerFactory<E>) {
    this.#factory = factory;
  }

  async lease(context: ServerContext<E>): Promise<ServerLease> {
    const server = await buildServer(this.#factory, context);
    return { connect: (transport) => server.connect(transport), release: async () => undefined };
  }
}

class ServerPool<E> implements ServerSource<E> {
  /** Idle servers by key; a key used last is last, so the first is the one to evict. */
  readonly #idle = new Map<string, ReusableServer<E>[]>();
  #idleCount = 0;
  #idleOwnSchemas = 0;
  /** Schema objects of servers built before: a later server that registers them shares them. */
  readonly #seenSchemas = new WeakSet<object>();
  readonly #factory: ServerFactory<E>;
  readonly #reuse: "principal" | "deployment";

  constructor(factory: ServerFactory<E>, reuse: "principal" | "deployment") {
    this.#factory = factory;
    this.#reuse = reuse;
  }

  async lease(context: ServerContext<E>): Promise<ServerLease> {
    const key = this.#reuse === "principal" ? context.principal.id : "";
    const server = this.#take(key) ?? (await ReusableServer.build(this.#factory, context, this.#reuse, this.#seenSchemas));
    server.lend(context);
    return {
      connect: (transport) => server.connect(transport),
      release: async () => {
        if (await server.giveBack()) this.#keep(key, server);
      },
    };
  }

  #take(key: string): ReusableServer<E> | undefined {
    const idle = this.#idle.get(key);
    const server = idle?.pop();
    if (idle?.length === 0) this.#idle.delete(key);
    if (server) this.#count(server, -1);
    return server;
  }

  #keep(key: string, server: ReusableServer<E>): void {
    const idle = this.#idle.get(key) ?? [];
    idle.push(server);
    this.#idle.delete(key);
    this.#idle.set(key, idle);
    this.#count(server, 1);
    while (this.#idleCount > 1 && (this.#idleCount > MAX_IDLE_SERVERS || this.#idleOwnSchemas > MAX_IDLE_OWN_SCHEMAS)) {
      const [oldestKey, oldest] = this.#idle.entries().next().value!;
      this.#count(oldest.shift()!, -1);
      if (oldest.length === 0) this.#idle.delete(oldestKey);
    }
  }

  #count(server: ReusableServer<E>, sign: 1 | -1): void {
    this.#idleCount += sign;
    this.#idleOwnSchemas += sign * server.ownSchemas;
  }
}
