/**
 * ListenHubDO: one of a fixed number of hubs (src/listen/shards.ts) that hold the listeners of a
 * deployment, so that a change made on any isolate, by a cron trigger or by a queue consumer
 * reaches them all. It holds two kinds:
 *   - 2026-07-28 listen streams, as hibernatable sockets to the Workers that hold the clients'
 *     responses (src/wire/bridge/): each listener is its socket's attachment, found by tag after
 *     a wake, so a hub whose listeners are idle sleeps. It keeps no listener in memory and no timer:
 *     the Worker sends the keepalives and, when the client leaves, closes the socket;
 *   - 2025 sessions, in SQLite: a list change is published to each session's own SessionDO,
 *     which delivers it on the session's GET stream or keeps it in its event log.
 * Resource updates reach 2025 sessions through the topics (TopicDO, one per URI), not here.
 * Storage layout, SQLite:
 *   sessions(id, principal, binding, jurisdiction, joined_at)   the 2025 sessions this hub tells of
 *                                                              list changes, and where they are
 */
import { DurableObject } from "cloudflare:workers";
import type { JSONRPCNotification } from "@modelcontextprotocol/sdk/types.js";
import { sessionStub, type SessionStub, type SessionsPlacement } from "../sessions/rpc.js";
import { acceptStream, endStream, openSockets, refuseStream, sendFrames } from "../wire/bridge/object-end.js";
import { BridgeClose } from "../wire/bridge/protocol.js";
import { logError, errorMessage } from "../wire/log.js";
import { encodeMessage } from "../wire/sse.js";
import { accepts, isEmptyFilter } from "./filter.js";
import { acknowledgement, finalResult, stamped, type ListenerSpec } from "./listener-frames.js";
import { readListenRequest, type ListenOpening, type ListenRefusal } from "./opening.js";

/** Open listen streams one hub holds: each change is sent to every one of them in turn. */
export const MAX_LISTENERS_PER_HUB = 1000;

/** Open listen streams one principal may hold: a client opens one, a user runs a few clients. */
export const MAX_LISTENERS_PER_PRINCIPAL = 32;

/**
 * A session that expired is dropped at the next list change it misses; should none come, the hub
 * asks the sessions that joined longer ago than this whether they still exist.
 */
export const SESSION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Socket tags: every listener, and the listeners of one principal (principalTag). */
const LISTENER = "listener";

export class ListenHubDO extends DurableObject<unknown> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, principal TEXT NOT NULL, binding TEXT NOT NULL, jurisdiction TEXT, joined_at INTEGER NOT NULL)`,
    );
  }

  /**
   * Opens a listen stream (opening.ts `openListener`): its socket's `101`, after which the
   * acknowledgement reaches the client first, or why not, as JSON.
   */
  override async fetch(request: Request): Promise<Response> {
    const opening = readListenRequest(request);
    if (typeof opening === "string") return refuseStream<ListenRefusal>({ status: "invalid", reason: opening });
    const own = await principalTag(opening.principal);
    const refusal = this.#refusal(opening, own);
    if (refusal) return refuseStream<ListenRefusal>({ status: "full", reason: refusal });
    const { subscriptionId, filter, serverInfo, keepaliveMs } = opening;
    const listener: ListenerSpec = { subscriptionId, principal: opening.principal, filter, serverInfo };
    const { socket, response } = acceptStream(this.ctx, [LISTENER, own], listener, {
      lifetimeMs: 0,
      heartbeatMs: keepaliveMs,
    });
    sendFrames(socket, encodeMessage(acknowledgement(listener)));
    // Nothing the client asked for is honoured: acknowledged, then ended at once, as the SDK v2 does.
    if (isEmptyFilter(filter)) this.#end(socket, listener);
    return response;
  }

  /**
   * A listen stream ended on the Worker's side (its client left, it read too slowly, or the
   * Worker went away): the hub answers the close, and the socket no longer counts as a listener.
   */
  override async webSocketClose(socket: WebSocket): Promise<void> {
    endStream(socket, BridgeClose.END);
  }

  /**
   * Delivers one change to this hub's listeners of `principal` (every principal when absent):
   * the listen streams whose filter passes it and, for a list change, the 2025 sessions. Returns
   * how many it reached.
   */
  async deliver(change: JSONRPCNotification, principal?: string): Promise<number> {
    const sockets = openSockets(this.ctx, principal === undefined ? LISTENER : await principalTag(principal));
    let reached = 0;
    for (const socket of sockets) {
      const { filter, subscriptionId } = socket.deserializeAttachment() as ListenerSpec;
      if (accepts(filter, change) && sendFrames(socket, encodeMessage(stamped(change, subscriptionId)))) reached++;
    }
    // 2025 sessions hear list changes here; resource updates reach them through their topics, and task status through their own lane.
    if (!change.method.endsWith("/list_changed")) return reached;
    const sessions = this.#sessions(principal);
    const published = await Promise.all(sessions.map((session) => this.#publish(session, change)));
    return reached + published.filter(Boolean).length;
  }

  /** A 2025 session joins: it hears the list changes of its principal and of the deployment. */
  async addSession(sessionId: string, principal: string, { binding, jurisdiction }: SessionsPlacement): Promise<void> {
    this.#sql.exec(
      `INSERT OR REPLACE INTO sessions (id, principal, binding, jurisdiction, joined_at) VALUES (?, ?, ?, ?, ?)`,
      sessionId,
      principal,
      binding,
      jurisdiction ?? null,
      Date.now(),
    );
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SESSION_SWEEP_INTERVAL_MS);
  }

  async removeSession(sessionId: string): Promise<void> {
    this.#sql.exec(`DELETE FROM sessions WHERE id = ?`, sessionId);
  }

  /** How many of each this hub holds, for an operator and for tests. */
  async counts(): Promise<{ listeners: number; sessions: number }> {
    return { listeners: openSockets(this.ctx, LISTENER).length, sessions: this.#sessionCount() };
  }

  /** Drops the sessions that no longer exist (expired without a change to notice it), then sleeps again. */
  override async alarm(): Promise<void> {
    const joinedBefore = Date.now() - SESSION_SWEEP_INTERVAL_MS;
    const old = this.#sql
      .exec<SessionRow>(`SELECT id, binding, jurisdiction FROM sessions WHERE joined_at <= ?`, joinedBefore)
      .toArray();
    await Promise.all(
      old.map(async (session) => {
        if ((await this.#session(session).stats()) === null) await this.removeSession(session.id);
      }),
    );
    if (this.#sessionCount() > 0) await this.ctx.storage.setAlarm(Date.now() + SESSION_SWEEP_INTERVAL_MS);
  }

  #sessionCount(): number {
    return this.#sql.exec<{ count: number }>(`SELECT COUNT(*) AS count FROM sessions`).one().count;
  }

  /** Why the hub opens no listener for `opening`, whose principal's listeners are tagged `own`, if it does not. */
  #refusal(opening: ListenOpening, own: string): string | undefined {
    const maxPerHub = opening.maxPerHub ?? MAX_LISTENERS_PER_HUB;
    const maxPerPrincipal = opening.maxPerPrincipal ?? MAX_LISTENERS_PER_PRINCIPAL;
    if (openSockets(this.ctx, LISTENER).length >= maxPerHub)
      return `this server holds ${maxPerHub} listen streams per hub, the most it allows`;
    if (opening.limitPerPrincipal && openSockets(this.ctx, own).length >= maxPerPrincipal)
      return `at most ${maxPerPrincipal} listen streams may be open per principal`;
    return undefined;
  }

  /** The server ends the subscription: the listen request's (empty) result, then the end of the stream. */
  #end(socket: WebSocket, listener: ListenerSpec): void {
    sendFrames(socket, encodeMessage(finalResult(listener)));
    endStream(socket, BridgeClose.END);
  }

  #sessions(principal: string | undefined): SessionRow[] {
    if (principal === undefined) return this.#sql.exec<SessionRow>(`SELECT id, binding, jurisdiction FROM sessions`).toArray();
    return this.#sql.exec<SessionRow>(`SELECT id, binding, jurisdiction FROM sessions WHERE principal = ?`, principal).toArray();
  }

  /** Publishes to one session; a session that is gone leaves the hub. */
  async #publish(session: SessionRow, change: JSONRPCNotification): Promise<boolean> {
    try {
      const delivered = await this.#session(session).publish([change]);
      if (!delivered) await this.removeSession(session.id);
      return delivered;
    } catch (error) {
      logError("Publishing a change to a session failed", { reason: errorMessage(error) });
      return false;
    }
  }

  /** The session of a row, in the jurisdiction it was added from. */
  #session({ id, binding, jurisdiction }: SessionRow): SessionStub {
    return sessionStub(this.env as object, { binding, jurisdiction: jurisdiction ?? undefined }, id);
  }
}

/** Tag lengths workerd allows. */
const MAX_TAG_LENGTH = 256;

/**
 * The tag of a principal's listeners: its id, or a digest of an id too long for a tag (under
 * another prefix, so that no id reads as another's digest).
 */
async function principalTag(principal: string): Promise<string> {
  const tag = `principal:${principal}`;
  if (tag.length <= MAX_TAG_LENGTH) return tag;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(principal)));
  return `principal-sha256:${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

interface SessionRow extends Record<string, SqlStorageValue> {
  id: string;
  binding: string;
  jurisdiction: DurableObjectJurisdiction | null;
}
