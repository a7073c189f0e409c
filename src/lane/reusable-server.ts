/**
 * A server built for many requests, one at a time (./server-pool.ts): the context its factory
 * got answers for the request it serves at the time, and it goes back to the pool only as it was
 * built. One whose registrations, handlers or capabilities changed during a request, or whose
 * handler still runs, is dropped, so nothing one request does to a server reaches another.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Principal } from "../security/auth.js";
import { buildServer, lowLevel, type ConnectableServer, type ServerContext, type ServerFactory } from "./server-factory.js";

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
const registries = (server: McpServer) => server as unknown as McpServerInternals;

/** The tools and prompts of `server` with a schema object no server built before had; marks them seen. */
function ownSchemasOf(server: ConnectableServer, seen: WeakSet<object>): number {
  if (!(server instanceof McpServer)) return 0;
  const { _registeredTools: tools, _registeredPrompts: prompts } = registries(server);
  const schemasOf = (entry: Record<string, unknown>) => [entry["inputSchema"], entry["outputSchema"], entry["argsSchema"]];
  let own = 0;
  for (const entry of [...Object.values(tools), ...Object.values(prompts)]) {
    const schemas = schemasOf(entry as Record<string, unknown>).filter(
      (schema): schema is object => typeof schema === "object" && schema !== null,
    );
    if (schemas.some((schema) => !seen.has(schema))) own++;
    for (const schema of schemas) seen.add(schema);
  }
  return own;
}

/** The request a reused server serves at the time, if any; `built` once the factory has returned. */
interface Lending<E> {
  current?: ServerContext<E>;
  built: boolean;
}

export class ReusableServer<E> {
  #transport: Transport | undefined;
  #running = 0;
  readonly #lending: Lending<E>;
  readonly #server: ConnectableServer;
  readonly #internals: LowLevelInternals | undefined;
  readonly #built: unknown[];
  /** Its weight while idle: its tools and prompts whose schemas were built for it. */
  readonly ownSchemas: number;

  private constructor(server: ConnectableServer, lending: Lending<E>, seenSchemas: WeakSet<object>) {
    this.#server = server;
    this.#lending = lending;
    lending.built = true;
    this.#internals = knownInternals(lowLevel(server));
    this.#countRunningHandlers();
    this.#built = this.#snapshot();
    this.ownSchemas = ownSchemasOf(server, seenSchemas);
  }

  static async build<E>(
    factory: ServerFactory<E>,
    context: ServerContext<E>,
    reuse: "principal" | "deployment",
    seenSchemas: WeakSet<object>,
  ): Promise<ReusableServer<E>> {
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
    return new ReusableServer<E>(await buildServer(factory, shared), lending, seenSchemas);
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
      const registered = registries(this.#server);
      for (const registry of REGISTRIES) {
        for (const [name, entry] of Object.entries(registered[registry])) parts.push(name, entry, ...Object.values(entry));
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
