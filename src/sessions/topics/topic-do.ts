/**
 * TopicDO: the subscribers of one resource URI (`idFromName(uri)`), so `resources/updated`
 * reaches every session that subscribed, whichever isolate handled the subscribe. Only an
 * index: delivery goes through each session's own SessionDO. Storage layout, SQLite:
 *   subscribers(session, principal)   sessions subscribed to this URI, and whose they are
 */
import { DurableObject } from "cloudflare:workers";

export class TopicDO extends DurableObject<unknown> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
  }

  async subscribe(sessionId: string, principal: string): Promise<void> {
    this.#createTable();
    this.#sql.exec(`INSERT OR REPLACE INTO subscribers (session, principal) VALUES (?, ?)`, sessionId, principal);
  }

  /** Removes sessions that unsubscribed, were deleted or expired; an empty topic keeps no storage. */
  async unsubscribe(sessionIds: string[]): Promise<void> {
    if (!this.#hasTable()) return;
    for (const sessionId of sessionIds) this.#sql.exec(`DELETE FROM subscribers WHERE session = ?`, sessionId);
    if (this.#sql.exec(`SELECT 1 FROM subscribers LIMIT 1`).toArray().length === 0) await this.ctx.storage.deleteAll();
  }

  /** The subscribed sessions of `principal`, or of everyone when absent. */
  async subscribers(principal?: string): Promise<string[]> {
    if (!this.#hasTable()) return [];
    const rows =
      principal === undefined
        ? this.#sql.exec<{ session: string }>(`SELECT session FROM subscribers`)
        : this.#sql.exec<{ session: string }>(`SELECT session FROM subscribers WHERE principal = ?`, principal);
    return rows.toArray().map(({ session }) => session);
  }

  /** Topics stored before subscribers had a principal gain the column; their rows match no principal. */
  #createTable(): void {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS subscribers (session TEXT PRIMARY KEY, principal TEXT NOT NULL DEFAULT '')`);
    const columns = this.#sql.exec<{ name: string }>(`PRAGMA table_info(subscribers)`).toArray();
    if (!columns.some(({ name }) => name === "principal")) {
      this.#sql.exec(`ALTER TABLE subscribers ADD COLUMN principal TEXT NOT NULL DEFAULT ''`);
    }
  }

  #hasTable(): boolean {
    return this.#sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'subscribers'`).toArray().length > 0;
  }
}
