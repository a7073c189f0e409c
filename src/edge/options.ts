/**
 * The options of `createMcpHandler`, with their defaults merged once at construction.
 */
import type { RequestLogMode } from "./request-log.js";
import type { ChangeScope } from "../lane/changes.js";
import type { ServerFactory } from "../lane/server-factory.js";
import { serverSource, type ServerReuse } from "../lane/server-pool.js";
import { withToolListCache } from "../lane/tool-list-cache.js";
import { DEFAULT_LISTEN_BINDING, DEFAULT_LISTEN_SHARDS } from "../listen/shards.js";
import { anonymous, type Authenticator } from "../security/auth.js";
import { DEFAULT_ALLOWED_HOSTS } from "../security/origin.js";
import { DEFAULT_SESSION_BINDING } from "../sessions/rpc.js";
import { DEFAULT_SESSION_SETTINGS, type ChosenSessionSettings } from "../sessions/settings.js";
import { DEFAULT_TOPICS_BINDING } from "../sessions/topics/topics.js";
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from "../sessions/worker/admission.js";
import { DEFAULT_SERVER_REQUEST_TIMEOUT_MS, type SessionLaneOptions } from "../sessions/worker/options.js";
import type { StatelessLaneOptions } from "../stateless/options.js";
import { DEFAULT_CACHE_HINTS, type CacheHints } from "../stateless/result.js";
import { DEFAULT_STATE_SECRET } from "../stateless/rounds.js";
import type { StateStoreOptions } from "../state/store.js";
import { resolveTasksOptions, type TasksOptions } from "../tasks/options.js";
import { DEFAULT_MCP_PATH } from "../wire/endpoint.js";
import type { ResponseMode } from "../wire/headers.js";

export interface McpHandlerOptions<E> {
  server: ServerFactory<E>;
  /**
   * Whether a server the factory built serves more than one request (README, "Cost per request"):
   * `"never"` (the default) builds one per request; `"deployment"` reuses servers for every
   * request, one request at a time, and `"principal"` for one principal's requests. A reusing
   * factory may read only `env` (and `principal`, with "principal") while it builds; its handlers
   * read `request` and `state`, which answer for the request being served.
   */
  serverReuse?: ServerReuse;
  /** The MCP endpoint. Default "/mcp". */
  path?: string;
  /** The name of the SessionDO binding in wrangler.toml. Default "MCP_SESSION". */
  binding?: string;
  /** The TopicDO binding that indexes resource subscriptions across sessions. Default "MCP_TOPICS"; optional. */
  topicsBinding?: string;
  /**
   * Where the library's Durable Objects run and store their data (sessions, topics, session
   * quotas, listener hubs): `"eu"`, `"fedramp"`, `"fedramp-high"` or `"us"` (Cloudflare, "Data location").
   * Default: none, anywhere. Give createPusher the same, or it finds none of these sessions.
   */
  jurisdiction?: DurableObjectJurisdiction;
  /**
   * The answer to a POST whose client accepts both JSON and SSE. Default "auto": JSON when the
   * answer is ready within 50 ms with nothing else to send, otherwise an SSE stream (progress,
   * logs, requests to the client; resumable). "sse" always streams, "json" never does.
   */
  responseMode?: ResponseMode;
  /** The largest POST body, in bytes; larger ones get 413. Default 4 MiB, as the SDK's transport. */
  maxBodyBytes?: number;
  /**
   * How long a server→client request (elicitation, sampling, roots/list, ping) waits for the
   * client's answer before it fails with a JSON-RPC error. Default 5 minutes: a person may be
   * answering. The SDK's own per-request timeout (60 s unless the tool sets one) applies too.
   */
  serverRequestTimeoutMs?: number;
  /**
   * A POST's SSE answer is handed to the session object after this long: the client resumes
   * it through GET with Last-Event-ID (SSE polling). Default 0: it stays open, with heartbeats.
   * Either way a POST stream whose client leaves is handed over, so nothing is lost.
   */
  postStreamLifetimeMs?: number;
  /** Who a request comes from, or a 401. Default: no authentication (every request is one principal). */
  authenticate?: Authenticator<E>;
  /** Hostnames the endpoint answers to (DNS-rebinding protection). Default: loopback names and *.workers.dev. */
  allowedHosts?: string[];
  /**
   * Browser origins allowed (and answered by CORS) besides the deployment's own and, on a local
   * server, other local pages. Default: none.
   */
  allowedOrigins?: string[];
  /** Expiry, event log bounds and standalone stream polling, stored with each new session. */
  session?: Partial<ChosenSessionSettings>;
  /**
   * Limits on creating sessions (README, "Security"): live sessions per principal (per client
   * address when nobody authenticates), counted by SessionQuotaDO, and the creation rate per
   * client address and per principal, through Workers rate limiting bindings. A limit whose
   * binding the Worker lacks is off. Defaults: 100 live sessions, bindings `MCP_QUOTA`,
   * `MCP_SESSION_RATE_ADDRESS` and `MCP_SESSION_RATE_PRINCIPAL` (period 60 s).
   */
  sessionLimits?: Partial<SessionLimits>;
  /**
   * A JSON line per request on `console.log`, for Workers Logs: `true` every request,
   * `"notable"` (the default) those that start or end a session or fail (status 400 or more),
   * `false` none. Workers Logs already records each invocation's URL, status and duration; the
   * line adds the JSON-RPC methods and the session. Each line costs the console call, which under
   * `wrangler dev` is about 1.2 ms of CPU: its inspector proxy receives every one.
   */
  requestLog?: RequestLogMode;
  /**
   * `ttlMs` and `cacheScope` of 2026-07-28 list results, `resources/read` and `server/discover`
   * (spec 2026-07-28, server/utilities/caching). Default `{ ttlMs: 0, cacheScope: "private" }`:
   * clients reuse nothing, and never across users.
   */
  cache?: CacheHints;
  /**
   * The Worker secret (at least 32 bytes) that seals a 2026-07-28 `requestState`, which carries
   * the answers of earlier rounds when a handler asks the client something. Default
   * "MCP_STATE_SECRET". Read at first use: without it, such a request gets an error that says
   * how to set it (`wrangler secret put`, or `.dev.vars` for wrangler dev).
   */
  stateSecret?: string;
  /**
   * The ListenHubDO binding: the hubs that hold 2026-07-28 listen streams and tell 2025 sessions
   * of list changes. Default "MCP_LISTENERS". Without it, `subscriptions/listen` answers -32601,
   * `server/discover` advertises no list changes, and a handler's changes reach only its own
   * 2025 session.
   */
  listenBinding?: string;
  /** How many hubs share the listeners. Default 8; a deployment-wide change costs one RPC per hub. */
  listenShards?: number;
  /**
   * Who hears a change a handler sends (`sendToolListChanged()`, `sendResourceUpdated()`, …):
   * every listener of the principal whose request made it (default), or of the whole deployment.
   */
  changeScope?: ChangeScope;
  /**
   * Principal and handle state for the factory's `state` (README, "State"): the StateDO binding
   * (default "MCP_STATE"; without it they are undefined), and whether a shared principal (the
   * anonymous one of an unauthenticated deployment) has one state for the whole deployment
   * (`sharedPrincipal: "deployment"`) or none (default). Session state needs no binding.
   */
  state?: Omit<StateStoreOptions, "jurisdiction">;
  /**
   * Tools that run as durable tasks (README, "Long-running tools"): each in its own TaskDO, where
   * it outlives its request. Export the handler's `TaskDO` from the Worker module and bind it as
   * `tasks.binding` (default "MCP_TASKS"); without the binding every tool runs as an ordinary call.
   */
  tasks?: TasksOptions;
}

export interface ResolvedOptions<E>
  extends
    Required<
      Omit<
        McpHandlerOptions<E>,
        | "server"
        | "serverReuse"
        | "session"
        | "sessionLimits"
        | "listenBinding"
        | "listenShards"
        | "jurisdiction"
        | "state"
        | "tasks"
      >
    >,
    SessionLaneOptions<E>,
    StatelessLaneOptions<E> {}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export function resolveOptions<E>(options: McpHandlerOptions<E>): ResolvedOptions<E> {
  const topicsBinding = options.topicsBinding ?? DEFAULT_TOPICS_BINDING;
  const jurisdiction = options.jurisdiction;
  return {
    // One cache per handler: the servers it builds answer tools/list from it (src/lane/tool-list-cache.ts).
    server: serverSource(withToolListCache(options.server), options.serverReuse ?? "never"),
    path: options.path ?? DEFAULT_MCP_PATH,
    binding: options.binding ?? DEFAULT_SESSION_BINDING,
    topicsBinding,
    jurisdiction,
    responseMode: options.responseMode ?? "auto",
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    serverRequestTimeoutMs: options.serverRequestTimeoutMs ?? DEFAULT_SERVER_REQUEST_TIMEOUT_MS,
    postStreamLifetimeMs: options.postStreamLifetimeMs ?? 0,
    authenticate: options.authenticate ?? anonymous,
    allowedHosts: options.allowedHosts ?? DEFAULT_ALLOWED_HOSTS,
    allowedOrigins: options.allowedOrigins ?? [],
    requestLog: options.requestLog ?? "notable",
    cache: options.cache ?? DEFAULT_CACHE_HINTS,
    stateSecret: options.stateSecret ?? DEFAULT_STATE_SECRET,
    listen: {
      binding: options.listenBinding ?? DEFAULT_LISTEN_BINDING,
      shards: options.listenShards ?? DEFAULT_LISTEN_SHARDS,
      jurisdiction,
    },
    changeScope: options.changeScope ?? "principal",
    state: { ...options.state, jurisdiction },
    tasks: resolveTasksOptions(options.tasks, jurisdiction),
    session: { ...DEFAULT_SESSION_SETTINGS, ...options.session, topicsBinding, jurisdiction },
    sessionLimits: { ...DEFAULT_SESSION_LIMITS, ...options.sessionLimits },
  };
}
