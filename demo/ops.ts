/**
 * The demo's operator routes, behind a bearer secret (`wrangler secret put OPS_SECRET`; for
 * `wrangler dev`, a line OPS_SECRET=... in .dev.vars): push a notification to one session, tell
 * a resource's subscribers it changed, and read a session's counters. Shows the push API used
 * from a webhook; the cron trigger in demo/index.ts uses it too.
 */
import { Hono } from "hono";
import { NotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { bearerTokens, createPusher } from "../src/lib.js";

const ResourceUpdateSchema = z.object({ uri: z.string().min(1) });

export function createOpsApp(): Hono<{ Bindings: object }> {
  const app = new Hono<{ Bindings: object }>().basePath("/ops");
  const authenticate = bearerTokens<object>({ secret: "OPS_SECRET" });

  app.use(async (c, next) => {
    const principal = await authenticate(c.req.raw, c.env, c.executionCtx);
    if (principal instanceof Response) return principal;
    await next();
  });

  app.post("/sessions/:id/notify", async (c) => {
    const notification = NotificationSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!notification.success) return c.json({ error: "the body must be an MCP notification { method, params }" }, 400);
    const delivered = await createPusher(c.env).notify(c.req.param("id"), notification.data);
    return delivered ? c.body(null, 202) : c.json({ error: "session not found" }, 404);
  });

  app.post("/resources/updated", async (c) => {
    const update = ResourceUpdateSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!update.success) return c.json({ error: 'the body must be { "uri": "<resource uri>" }' }, 400);
    return c.json({ reached: await createPusher(c.env).resourceUpdated(update.data.uri) });
  });

  app.get("/sessions/:id", async (c) => {
    const stats = await createPusher(c.env).stats(c.req.param("id"));
    return stats ? c.json(stats) : c.json({ error: "session not found" }, 404);
  });

  return app;
}
