/**
 * Where a lane gets the server for a request (README, "Cost per request"). With `serverReuse`
 * "never", the default, every request builds its own. With "deployment" or "principal", a server
 * built once serves many requests, one at a time: it is leased to a request, connected to that
 * request's transport, and returned when the request is over, closed, reset to no connection and
 * idle until the next request of its key. A server goes back only as it was built: one whose
 * registrations, handlers or capabilities changed during a request, or whose handler still runs,
 * is dropped, so nothing one request does to a server reaches another.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Principal } from "../security/auth.js";
import { buildServer, lowLevel, type ConnectableServer, type ServerContext, type ServerFactory } from "./server-factory.js";

/**
 * "never": a server per request. "deployment": servers are shared by every request; the factory
 * may read only `env` while it builds. "principal": shared by one principal's requests; the
 * factory may also read `principal` while it builds.
 */
export type ServerReuse = "never" | "principal" | "deployment";

/**
 * Idle servers an isolate keeps for reuse, of all keys together: enough for the concurrency one
 * isolate serves (the benches run 16 at once), few enough that 200-tool servers, about 0.5 MB
 * each, stay a small part of the isolate's 128 MB.
 */
export const MAX_IDLE_SERVERS = 16;

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
  readonly #factory: ServerFactory<E>;
  readonly #reuse: "principal" | "deployment";

  constructor(factory: ServerFactory<E>, reuse: "principal" | "deployment") {
    this.#factory = factory;
    this.#reuse = reuse;
  }

  async lease(context: ServerContext<E>): Promise<ServerLease> {
    const key = this.#reuse === "principal" ? context.principal.id : "";
    const idle = this.#idle.get(key);
    const reused = idle?.pop();
    if (reused) this.#idleCount--;
    if (idle?.length === 0) this.#idle.delete(key);
    const server = reused ?? (await ReusableServer.build(this.#factory, context, this.#reuse));
    server.lend(context);
    return {
      connect: (transport) => server.connect(transport),
      release: async () => {
        if (await server.giveBack()) this.#keep(key, server);
      },
    };
  }

  #keep(key: string, server: ReusableServer<E>): void {
    const idle = this.#idle.get(key) ?? [];
    this.#idle.delete(key);
    this.#idle.set(key, [...idle, server]);
    if (++this.#idleCount <= MAX_IDLE_SERVERS) return;
    const [oldestKey, oldest] = this.#idle.entries().next().value!;
    oldest.shift();
    this.#idleCount--;
    if (oldest.length === 0) this.#idle.delete(oldestKey);
  }
}

type Handler = (request: unknown, extra: unknown) => unknown;

/** The SDK's fields a reused server is checked and reset by (`Protocol`, `Server`, `McpServer`). */
interface LowLevelInternals {
  _requestHandlers: Map<string, Handler>;
  _notificationHandlers: Map<string, Handler>;
  _requestResolvers: Map<unknown, unknown>;
  _transport: Transport | undefined;
  _loggingLevels: Map<unknown, unknown>;
  _capabilities: unknown;
  _instructions: unknown;
  _clientCapabilities: unknown;
  _clientVersion: unknown;
}
const REGISTRIES = ["_registeredTools", "_registeredResources", "_registeredResourceTemplates", "_registeredPrompts"] as const;
type McpServerInternals = Record<(typeof REGISTRIES)[number], Record<string, object>>;

/** The request a reused server serves at the time, if any; `built` once the factory has returned. */
interface Lending<E> {
  current?: ServerContext<E>;
  built: boolean;
}

class ReusableServer<E> {
  #transport: Transport | undefined;
  #running = 0;
  readonly #lending: Lending<E>;
  readonly #server: ConnectableServer;
  readonly #internals: LowLevelInternals | undefined;
  readonly #built: unknown[];

  private constructor(server: ConnectableServer, lending: Lending<E>) {
    this.#server = server;
    this.#lending = lending;
    lending.built = true;
    this.#internals = knownInternals(lowLevel(server));
    this.#countRunningHandlers();
    this.#built = this.#snapshot();
  }

  static async build<E>(factory: ServerFactory<E>, context: ServerContext<E>, reuse: ServerReuse): Promise<ReusableServer<E>> {
    const lending: Lending<E> = { built: false };
    const current = (what: string): ServerContext<E> => {
      if (lending.current) return lending.current;
      throw new Error(
        lending.built
          ? `A reused server's ${what} was read outside a request: read it in a handler, while its request runs`
          : `serverReuse "${reuse}": the factory builds a server for many requests, so it cannot read ${what} while it builds; read it in a handler`,
      );
    };
    // Only what outlives the request is kept from the context the server is built with.
    const { env, principal } = context;
    const shared: ServerContext<E> = {
      get env() {
        return lending.current?.env ?? env;
      },
      get request() {
        return current("the request").request;
      },
      get principal(): Principal {
        return reuse === "principal" && !lending.built ? principal : current("the principal").principal;
      },
      get state() {
        return current("state").state;
      },
    };
    return new ReusableServer<E>(await buildServer(factory, shared), lending);
  }

  lend(context: ServerContext<E>): void {
    this.#lending.current = context;
  }

  async connect(transport: Transport): Promise<void> {
    this.#transport = transport;
    await this.#server.connect(transport);
  }

  /** Ends the request's connection; true when the server is as it was built and may serve another. */
  async giveBack(): Promise<boolean> {
    this.#lending.current = undefined;
    const transport = this.#transport;
    this.#transport = undefined;
    await (this.#server as { close?: () => Promise<void> }).close?.();
    // A message arriving late on the old transport must not reach the server's next connection.
    if (transport) transport.onmessage = transport.onclose = transport.onerror = undefined;
    const internals = this.#internals;
    if (!internals) return false;
    internals._loggingLevels.clear();
    internals._clientCapabilities = internals._clientVersion = undefined;
    const idle = this.#running === 0 && internals._requestResolvers.size === 0 && internals._transport === undefined;
    return idle && sameParts(this.#built, this.#snapshot());
  }

  /** A handler still running after its request could send on the next request's connection. */
  #countRunningHandlers(): void {
    const internals = this.#internals;
    if (!internals) return;
    for (const handlers of [internals._requestHandlers, internals._notificationHandlers]) {
      for (const [method, handler] of handlers) {
        handlers.set(method, async (message, extra) => {
          this.#running++;
          try {
            return await handler(message, extra);
          } finally {
            this.#running--;
          }
        });
      }
    }
  }

  /** Everything a request could change by registering, removing, updating or reconfiguring. */
  #snapshot(): unknown[] {
    const internals = this.#internals;
    if (!internals) return [];
    const parts: unknown[] = [internals._capabilities, internals._instructions];
    for (const map of [internals._requestHandlers, internals._notificationHandlers])
      for (const entry of map) parts.push(...entry);
    if (this.#server instanceof McpServer) {
      const registries = this.#server as unknown as McpServerInternals;
      for (const registry of REGISTRIES) {
        for (const [name, entry] of Object.entries(registries[registry])) parts.push(name, entry, ...Object.values(entry));
      }
    }
    return parts;
  }
}

/**
 * The SDK's fields, when they are where this file expects them: should an update move one, no
 * server is reused (and the tests of reuse fail) rather than one reset by half.
 */
function knownInternals(server: Server | undefined): LowLevelInternals | undefined {
  const internals = server as unknown as Partial<Record<keyof LowLevelInternals, unknown>> | undefined;
  const maps = [
    internals?._requestHandlers,
    internals?._notificationHandlers,
    internals?._requestResolvers,
    internals?._loggingLevels,
  ];
  return maps.every((map) => map instanceof Map) && internals && "_capabilities" in internals
    ? (internals as unknown as LowLevelInternals)
    : undefined;
}

function sameParts(built: unknown[], now: unknown[]): boolean {
  return built.length === now.length && built.every((part, index) => Object.is(part, now[index]));
}
