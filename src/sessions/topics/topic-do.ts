/**
 * TopicDO: the subscribers of one resource URI (`idFromName(uri)`), so `resources/updated`
 * reaches every session that subscribed, whichever isolate handled the subscribe. Only an
 * index: delivery goes through each session's own SessionDO. Storage layout, SQLite:
 *   subscribers(session)   session ids subscribed to this URI
 */
import { DurableObject } from "cloudflare:workers";

export class TopicDO extends DurableObject<unknown> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
  }

  async subscribe(sessionId: string): Promise<void> {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS subscribers (session TEXT PRIMARY KEY)`);
    this.#sql.exec(`INSERT OR IGNORE INTO subscribers (session) VALUES (?)`, sessionId);
  }

  /** Removes sessions that unsubscribed, were deleted or expired; an empty topic keeps no storage. */
  async unsubscribe(sessionIds: string[]): Promise<void> {
    if (!this.#hasTable()) return;
    for (const sessionId of sessionIds) this.#sql.exec(`DELETE FROM subscribers WHERE session = ?`, sessionId);
    if (this.#sql.exec(`SELECT 1 FROM subscribers LIMIT 1`).toArray().length === 0) await this.ctx.storage.deleteAll();
  }

  async subscribers(): Promise<string[]> {
    if (!this.#hasTable()) return [];
    return this.#sql
      .exec<{ session: string }>(`SELECT session FROM subscribers`)
      .toArray()
      .map(({ session }) => session);
  }

  #hasTable(): boolean {
    return this.#sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'subscribers'`).toArray().length > 0;
  }
}
