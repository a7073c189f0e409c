/**
 * The demo's operator routes, behind a bearer secret (`wrangler secret put OPS_SECRET`; for
 * `wrangler dev`, a line OPS_SECRET=... in .dev.vars): push a notification to one session, tell
 * a resource's subscribers it changed, and read a session's counters. Shows the push API used
 * from a webhook; the cron trigger in demo/index.ts uses it too.
 *
 * Session ids travel in the body, never in the path: Workers Logs and wrangler dev log every
 * request's URL, and logs carry at most an id's first 8 characters (README, "Security"). The
 * routes check the Host as the MCP endpoint does, bound the body, and accept only the
 * notifications a server may send. Without OPS_SECRET they do not exist (404).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ServerNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { bearerTokens, createPusher, DEFAULT_ALLOWED_HOSTS, originGuard } from "../src/lib.js";

/** What an operator sends is a notification or a URI: a few KiB; larger bodies get 413. */
export const MAX_OPS_BODY_BYTES = 64 * 1024;

const OPS_SECRET = "OPS_SECRET";
const SessionSchema = z.object({ session: z.string().min(1) });
const NotifySchema = SessionSchema.extend({ notification: ServerNotificationSchema });
const ResourceUpdateSchema = z.object({ uri: z.string().min(1) });

export function createOpsApp(): Hono<{ Bindings: object }> {
  const app = new Hono<{ Bindings: object }>().basePath("/ops");
  const authenticate = bearerTokens<object>({ secret: OPS_SECRET });

  app.use(async (c, next) => {
    const secret = (c.env as Record<string, unknown>)[OPS_SECRET];
    if (typeof secret !== "string" || secret.trim() === "") return c.json({ error: "not found" }, 404);
    await next();
  });
  app.use(originGuard({ allowedHosts: DEFAULT_ALLOWED_HOSTS, allowedOrigins: [] }));
  app.use(
    bodyLimit({
      maxSize: MAX_OPS_BODY_BYTES,
      onError: (c) => c.json({ error: `the body must not exceed ${MAX_OPS_BODY_BYTES} bytes` }, 413),
    }),
  );
  app.use(async (c, next) => {
    const principal = await authenticate(c.req.raw, c.env, c.executionCtx);
    if (principal instanceof Response) return principal;
    await next();
  });

  app.post("/sessions/notify", async (c) => {
    const body = NotifySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      return c.json({ error: 'the body must be { "session": "<id>", "notification": <a server notification> }' }, 400);
    }
    const delivered = await createPusher(c.env).notify(body.data.session, body.data.notification);
    return delivered ? c.body(null, 202) : c.json({ error: "session not found" }, 404);
  });

  app.post("/sessions/stats", async (c) => {
    const body = SessionSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: 'the body must be { "session": "<id>" }' }, 400);
    const stats = await createPusher(c.env).stats(body.data.session);
    return stats ? c.json(stats) : c.json({ error: "session not found" }, 404);
  });

  app.post("/resources/updated", async (c) => {
    const update = ResourceUpdateSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!update.success) return c.json({ error: 'the body must be { "uri": "<resource uri>" }' }, 400);
    return c.json({ reached: await createPusher(c.env).resourceUpdated(update.data.uri) });
  });

  return app;
}
