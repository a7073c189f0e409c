/**
 * The Worker's routes: the MCP endpoint (POST, GET, DELETE, OPTIONS), a health check, and the
 * wire rules that need no session (405, 413, CORS). Holds no state between requests.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { Authenticator, Principal } from "../security/auth.js";
import { originGuard } from "../security/origin.js";
import { httpError } from "../wire/errors.js";
import { logError } from "../wire/log.js";
import type { RequestNotes, RequestScope } from "../lane/scope.js";
import { createChangeFeed } from "../listen/feed.js";
import { mcpCors } from "./cors.js";
import { routePost } from "./post.js";
import { requestLog } from "./request-log.js";
import type { ResolvedOptions } from "./options.js";
import { MissingBindingError } from "../sessions/rpc.js";
import { handleStream } from "../sessions/worker/get.js";
import { handleTerminate } from "../sessions/worker/delete.js";

/** The endpoint's methods besides OPTIONS (CORS). Not HEAD: see refuseHead. */
const MCP_METHODS = ["GET", "POST", "DELETE"];

interface AppEnv<E> {
  Bindings: E;
  Variables: { principal: Principal; notes: RequestNotes };
}

export function createApp<E extends object>(options: ResolvedOptions<E>): Hono<AppEnv<E>> {
  const app = new Hono<AppEnv<E>>();
  const scope = (c: Context<AppEnv<E>>): RequestScope<E> => ({
    request: c.req.raw,
    env: c.env,
    principal: c.get("principal"),
    notes: c.get("notes"),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    changes: createChangeFeed(c.env, options),
  });

  app.use(requestLog(options.requestLog));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => notAllowed(c.req.path === options.path ? MCP_METHODS : methods),
    }),
  );
  app.use(options.path, refuseHead);
  app.use(options.path, originGuard(options));
  app.use(options.path, mcpCors(options));

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.use(
    options.path,
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => httpError(413, `Payload Too Large: the body must not exceed ${options.maxBodyBytes} bytes`),
    }),
  );
  app.on(["POST", "GET", "DELETE"], options.path, authentication(options.authenticate));
  app.post(options.path, (c) => routePost(scope(c), options));
  app.get(options.path, (c) => handleStream(scope(c), options));
  app.delete(options.path, (c) => handleTerminate(scope(c), options));

  app.notFound(() => httpError(404, `Not Found: the MCP endpoint is ${options.path}`));
  app.onError((error) => {
    if (error instanceof MissingBindingError) return httpError(500, error.message);
    logError(error.message, { stack: error.stack });
    return httpError(500, "Internal Server Error");
  });
  return app;
}

function notAllowed(methods: string[]): Response {
  return httpError(405, `Method Not Allowed: use ${methods.join(", ")}`, { Allow: methods.join(", ") });
}

/**
 * Hono answers HEAD with the GET route, which would open a standalone stream and so close the
 * client's open one. A stream has no headers to show without opening it: HEAD gets 405.
 */
const refuseHead: MiddlewareHandler = async function refuseHead(c, next) {
  if (c.req.method === "HEAD") return notAllowed(MCP_METHODS);
  await next();
};

/** Runs the configured authenticator; its 401 ends the request, its principal goes on with it. */
function authentication<E extends object>(authenticate: Authenticator<E>): MiddlewareHandler<AppEnv<E>> {
  return async function authenticateRequest(c, next) {
    const principal = await authenticate(c.req.raw, c.env, c.executionCtx);
    if (principal instanceof Response) return principal;
    c.set("principal", principal);
    await next();
  };
}
