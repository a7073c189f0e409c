/**
 * ListenHubDO: one of a fixed number of hubs (src/listen/shards.ts) that hold the listeners of a
 * deployment, so that a change made on any isolate, by a cron trigger or by a queue consumer
 * reaches them all. It holds two kinds:
 *   - 2026-07-28 listen streams, in memory: an open stream lives as long as its object does;
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
import { logError, errorMessage } from "../wire/log.js";
import { isEmptyFilter } from "./filter.js";
import { ListenerStream, type ListenerSpec } from "./listener-stream.js";

/** Open listen streams one hub holds: each change is written to every one of them in turn. */
export const MAX_LISTENERS_PER_HUB = 1000;

/** Open listen streams one principal may hold: a client opens one, a user runs a few clients. */
export const MAX_LISTENERS_PER_PRINCIPAL = 32;

/** How long a write to a stream whose client left takes to come back as its close, before a limit is counted again. */
export const CLOSE_NOTICE_MS = 50;

/**
 * A session that expired is dropped at the next list change it misses; should none come, the hub
 * asks the sessions that joined longer ago than this whether they still exist.
 */
export const SESSION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface ListenOpening extends ListenerSpec {
  /** Counted against MAX_LISTENERS_PER_PRINCIPAL; false for a shared principal. */
  limitPerPrincipal: boolean;
  /** Override the limits and the keepalive interval (tests, deployments with other needs). */
  maxPerHub?: number;
  maxPerPrincipal?: number;
  keepaliveMs?: number;
}

export type ListenOutcome = { status: "open"; body: ReadableStream<Uint8Array> } | { status: "full"; reason: string };

export class ListenHubDO extends DurableObject<unknown> {
  readonly #sql: SqlStorage;
  readonly #listeners = new Set<ListenerStream>();

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, principal TEXT NOT NULL, binding TEXT NOT NULL, jurisdiction TEXT, joined_at INTEGER NOT NULL)`,
    );
  }

  /** Opens a listen stream: the acknowledgement at once, the changes as they come. */
  async listen(opening: ListenOpening): Promise<ListenOutcome> {
    let refusal = this.#refusal(opening);
    if (refusal) {
      // A client that reconnects closed its old stream, which the hub learns only once it writes to it.
      for (const listener of this.#listeners) listener.ping();
      await scheduler.wait(CLOSE_NOTICE_MS);
      refusal = this.#refusal(opening);
    }
    if (refusal) return { status: "full", reason: refusal };
    const { subscriptionId, principal, filter, serverInfo, keepaliveMs } = opening;
    const spec = { subscriptionId, principal, filter, serverInfo };
    const listener = new ListenerStream(spec, () => this.#listeners.delete(listener), keepaliveMs);
    // Nothing the client asked for is honoured: acknowledged, then ended at once, as the SDK v2 does.
    if (isEmptyFilter(filter)) listener.end();
    else this.#listeners.add(listener);
    return { status: "open", body: listener.readable };
  }

  /**
   * Delivers one change to this hub's listeners of `principal` (every principal when absent):
   * the listen streams whose filter passes it and, for a list change, the 2025 sessions. Returns
   * how many it reached.
   */
  async deliver(change: JSONRPCNotification, principal?: string): Promise<number> {
    let reached = 0;
    for (const listener of this.#listeners) if (listener.offer(change, principal)) reached++;
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
    return { listeners: this.#listeners.size, sessions: this.#sessionCount() };
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

  #refusal(opening: ListenOpening): string | undefined {
    const maxPerHub = opening.maxPerHub ?? MAX_LISTENERS_PER_HUB;
    const maxPerPrincipal = opening.maxPerPrincipal ?? MAX_LISTENERS_PER_PRINCIPAL;
    if (this.#listeners.size >= maxPerHub) return `this server holds ${maxPerHub} listen streams per hub, the most it allows`;
    const own = [...this.#listeners].filter(({ spec }) => spec.principal === opening.principal).length;
    if (opening.limitPerPrincipal && own >= maxPerPrincipal)
      return `at most ${maxPerPrincipal} listen streams may be open per principal`;
    return undefined;
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

interface SessionRow extends Record<string, SqlStorageValue> {
  id: string;
  binding: string;
  jurisdiction: DurableObjectJurisdiction | null;
}
