/**
 * SessionQuotaDO: the live sessions of one principal or client address (`idFromName(key)`, see
 * ./quota.ts), as leases that end when each session would expire. Storage layout, SQLite:
 *   leases(session, expires_at)   one row per live session; expired rows are pruned
 * An alarm at the latest lease's end deletes everything once no lease is left, so an address
 * that came once keeps no storage.
 */
import { DurableObject } from "cloudflare:workers";
import type { SlotClaim } from "./quota.js";

export class SessionQuotaDO extends DurableObject<unknown> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
  }

  /** A lease for a new session until `expiresAt`, unless `max` live ones exist already. */
  async claim(sessionId: string, max: number, expiresAt: number): Promise<SlotClaim> {
    const now = Date.now();
    this.#prepare(now);
    const { live, earliest } = this.#sql
      .exec<{ live: number; earliest: number | null }>(`SELECT COUNT(*) AS live, MIN(expires_at) AS earliest FROM leases`)
      .one();
    if (live >= max) return { claimed: false, retryAfterMs: Math.max(0, (earliest ?? now) - now) };
    await this.#lease(sessionId, expiresAt);
    return { claimed: true };
  }

  /** The session's expiry moved (it was used): its lease ends then. */
  async renew(sessionId: string, expiresAt: number): Promise<void> {
    this.#prepare(Date.now());
    await this.#lease(sessionId, expiresAt);
  }

  /** The session ended (DELETE, expiry, or an initialize that stored nothing). */
  async release(sessionId: string): Promise<void> {
    if (this.#hasTable()) this.#sql.exec(`DELETE FROM leases WHERE session = ?`, sessionId);
  }

  override async alarm(): Promise<void> {
    if (!this.#hasTable()) return;
    this.#sql.exec(`DELETE FROM leases WHERE expires_at <= ?`, Date.now());
    const { latest } = this.#sql.exec<{ latest: number | null }>(`SELECT MAX(expires_at) AS latest FROM leases`).one();
    if (latest === null) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(latest);
  }

  #prepare(now: number): void {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS leases (session TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)`);
    this.#sql.exec(`DELETE FROM leases WHERE expires_at <= ?`, now);
  }

  async #lease(sessionId: string, expiresAt: number): Promise<void> {
    this.#sql.exec(`INSERT OR REPLACE INTO leases (session, expires_at) VALUES (?, ?)`, sessionId, expiresAt);
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm < expiresAt) await this.ctx.storage.setAlarm(expiresAt);
  }

  #hasTable(): boolean {
    return this.#sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'leases'`).toArray().length > 0;
  }
}
