// The `jurisdiction` option (issue 16, "Data location"): every object the library creates, the
// Worker's lookups and the objects' own, in the jurisdiction the deployment names. workerd has
// none, so ./jurisdictions.ts stands in for them (see there what differs from Cloudflare).
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPusher } from "../../src/lib.js";
import type { SessionDO } from "../../src/sessions/object/session-do.js";
import type { SessionRecord } from "../../src/sessions/record.js";
import { DEFAULT_SESSION_SETTINGS, type SessionSettings } from "../../src/sessions/settings.js";
import { initializeBody, mcpPost, mcpRequest, openSession, openStream, request } from "../shared/mcp.js";
import { modernRequest } from "../shared/modern.js";
import { sseCursor } from "../shared/sse.js";
import { simulateJurisdictions } from "./jurisdictions.js";
import { storedState, worker, workerWith } from "./helpers.js";

let restore: () => void;
beforeEach(() => {
  restore = simulateJurisdictions();
});
afterEach(() => restore());

const inEu = <T extends Rpc.DurableObjectBranded | undefined>(namespace: DurableObjectNamespace<T>, name: string) => {
  const eu = namespace.jurisdiction("eu");
  return eu.get(eu.idFromName(name));
};

/** The settings a session object holds, or undefined when it holds none. */
const storedSettings = (stub: DurableObjectStub<SessionDO>) =>
  runInDurableObject(stub, (_instance, state) => {
    const tables = state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE name = 'session'`).toArray();
    if (tables.length === 0) return undefined;
    const [row] = state.storage.sql.exec<{ settings: string }>(`SELECT settings FROM session`).toArray();
    return row && (JSON.parse(row.settings) as SessionSettings);
  });

const subscribe = (endpoint: typeof worker, sessionId: string, uri: string) =>
  mcpPost(endpoint, request(crypto.randomUUID(), "resources/subscribe", { uri }), { sessionId });

describe("jurisdiction", () => {
  it("keeps a handler's sessions in the objects of its jurisdiction, which only a pusher with the same one reaches", async () => {
    const eu = workerWith({ jurisdiction: "eu" });
    const sessionId = await openSession(eu);

    expect(await storedSettings(inEu(env.MCP_SESSION, sessionId))).toMatchObject({ jurisdiction: "eu" });
    expect((await storedState(sessionId)).tables).toEqual([]);
    // The deployment without the option looks in the default namespace, where there is no such session.
    expect((await mcpRequest(worker, "GET", { sessionId })).status).toBe(404);

    const stream = sseCursor(await openStream(eu, sessionId));
    const euPusher = createPusher(env, { jurisdiction: "eu" });
    expect(await euPusher.notify(sessionId, { method: "notifications/tools/list_changed" })).toBe(true);
    expect(await stream.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    expect(await euPusher.stats(sessionId)).toMatchObject({ openStreams: 1 });
    await stream.cancel();

    const mismatched = createPusher(env);
    expect(await mismatched.notify(sessionId, { method: "notifications/tools/list_changed" })).toBe(false);
    expect(await mismatched.stats(sessionId)).toBeNull();
  });

  it("indexes subscriptions in the topics of the jurisdiction, and forgets them there on DELETE", async () => {
    const eu = workerWith({ jurisdiction: "eu" });
    const sessionId = await openSession(eu);
    const uri = `demo://notes/${crypto.randomUUID()}`;
    expect((await subscribe(eu, sessionId, uri)).status).toBe(200);

    expect(await inEu(env.MCP_TOPICS, uri).subscribers()).toEqual([sessionId]);
    expect(await env.MCP_TOPICS.get(env.MCP_TOPICS.idFromName(uri)).subscribers()).toEqual([]);
    expect(await createPusher(env).resourceUpdated(uri)).toBe(0);
    expect(await createPusher(env, { jurisdiction: "eu" }).resourceUpdated(uri)).toBe(1);

    expect((await mcpRequest(eu, "DELETE", { sessionId })).status).toBe(200);
    expect(await inEu(env.MCP_TOPICS, uri).subscribers()).toEqual([]);
  });

  it("counts a principal's sessions in the quota objects of the jurisdiction", async () => {
    const eu = workerWith({ jurisdiction: "eu", sessionLimits: { maxSessionsPerPrincipal: 1 } });
    const address = `203.0.113.${Math.floor(Math.random() * 254) + 1}`;
    const initialize = () => mcpPost(eu, initializeBody(), { headers: { "cf-connecting-ip": address } });
    const first = await initialize();
    expect(first.status).toBe(200);
    expect((await initialize()).status).toBe(429);

    const sessionId = first.headers.get("mcp-session-id")!;
    const quota = { binding: "MCP_QUOTA", key: `address:${address}`, jurisdiction: "eu" };
    expect((await storedSettings(inEu(env.MCP_SESSION, sessionId)))?.quota).toEqual(quota);
    // The default namespace's quota object for that address counts nothing.
    const outside = env.MCP_QUOTA.get(env.MCP_QUOTA.idFromName(quota.key));
    expect(await outside.claim("another", 1, Date.now() + 60_000)).toEqual({ claimed: true });
  });

  it("holds listen streams and 2025 sessions in the hubs of the jurisdiction, which only a pusher with the same one reaches", async () => {
    const eu = workerWith({ jurisdiction: "eu" });
    const response = await modernRequest(eu, crypto.randomUUID(), "subscriptions/listen", {
      notifications: { toolsListChanged: true },
    });
    expect(response.status).toBe(200);
    const listener = sseCursor(response);
    expect(await listener.message()).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
    const sessionId = await openSession(eu);
    const stream = sseCursor(await openStream(eu, sessionId));

    expect(await createPusher(env).toolsListChanged()).toBe(0);
    // The other tests' eu sessions are in these hubs too.
    expect(await createPusher(env, { jurisdiction: "eu" }).toolsListChanged()).toBeGreaterThanOrEqual(2);
    expect(await listener.message()).toMatchObject({ method: "notifications/tools/list_changed" });
    // The hub found the session in the jurisdiction the session joined it from.
    expect(await stream.message()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    await Promise.all([listener.cancel(), stream.cancel()]);
  });

  it("makes an expiring session leave its topics and give its quota slot back in its own jurisdiction", async () => {
    // Reached by its plain name (the stand-in renames the objects of a jurisdiction), with the
    // settings an eu deployment stores: the session finds the other objects on its own.
    const sessionId = crypto.randomUUID();
    const uri = `demo://notes/${crypto.randomUUID()}`;
    const key = `principal:${crypto.randomUUID()}`;
    const euQuota = inEu(env.MCP_QUOTA, key);
    expect(await euQuota.claim(sessionId, 1, Date.now() + 60_000)).toEqual({ claimed: true });
    const euTopic = inEu(env.MCP_TOPICS, uri);
    const defaultTopic = env.MCP_TOPICS.get(env.MCP_TOPICS.idFromName(uri));
    await euTopic.subscribe(sessionId, "someone");
    await defaultTopic.subscribe(sessionId, "someone");

    const now = Date.now();
    const record: SessionRecord = {
      protocolVersion: "2025-11-25",
      clientInfo: { name: "test", version: "1" },
      clientCapabilities: {},
      subscriptions: [uri],
      principal: "someone",
      standaloneStreamId: crypto.randomUUID(),
      createdAt: now,
      lastSeenAt: now,
    };
    const settings: SessionSettings = {
      ...DEFAULT_SESSION_SETTINGS,
      idleTimeoutMs: 200,
      topicsBinding: "MCP_TOPICS",
      jurisdiction: "eu",
      quota: { binding: "MCP_QUOTA", key, jurisdiction: "eu" },
    };
    await env.MCP_SESSION.get(env.MCP_SESSION.idFromName(sessionId)).create(record, settings);

    await vi.waitFor(async () => expect(await euTopic.subscribers()).toEqual([]), { timeout: 3000, interval: 50 });
    expect(await euQuota.claim("next", 1, Date.now() + 60_000)).toEqual({ claimed: true });
    // Nothing was looked up outside the jurisdiction.
    expect(await defaultTopic.subscribers()).toEqual([sessionId]);
  });
});
