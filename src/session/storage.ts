/**
 * The session object's storage layout, written down once. SQLite tables:
 *   session(id = 1, record)         the SessionRecord as JSON; absent before create/after delete
 *   events(seq, message, delivered) messages for the standalone stream, oldest first
 * `seq` is the SSE event id, so Last-Event-ID maps straight to a row.
 * Tables are created on the first write only: probing an unknown session id must leave no
 * storage behind, nor may a deleted session.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { SessionRecord } from "./record.js";

/** Undelivered messages beyond this are dropped oldest first, so a client that never opens the GET stream cannot grow storage without bound. */
export const MAX_LOGGED_EVENTS = 1000;

export interface LoggedEvent {
  seq: number;
  message: JSONRPCMessage;
}

export class SessionStorage {
  readonly #sql: SqlStorage;
  readonly #storage: DurableObjectStorage;

  #hasSchema: boolean;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    this.#hasSchema =
      this.#sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session'`).toArray().length > 0;
  }

  #ensureSchema(): void {
    if (this.#hasSchema) return;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS session (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)`);
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0)`,
    );
    this.#hasSchema = true;
  }

  readRecord(): SessionRecord | undefined {
    if (!this.#hasSchema) return undefined;
    const row = this.#sql.exec<{ record: string }>(`SELECT record FROM session WHERE id = 1`).toArray()[0];
    return row ? (JSON.parse(row.record) as SessionRecord) : undefined;
  }

  writeRecord(record: SessionRecord): void {
    this.#ensureSchema();
    this.#sql.exec(`INSERT OR REPLACE INTO session (id, record) VALUES (1, ?)`, JSON.stringify(record));
  }

  /** Appends messages and returns them with their event ids, in order. */
  append(messages: JSONRPCMessage[]): LoggedEvent[] {
    this.#ensureSchema();
    const logged = messages.map((message) => {
      const { seq } = this.#sql
        .exec<{ seq: number }>(`INSERT INTO events (message) VALUES (?) RETURNING seq`, JSON.stringify(message))
        .one();
      return { seq, message };
    });
    this.#sql.exec(
      `DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?`,
      MAX_LOGGED_EVENTS,
    );
    return logged;
  }

  markDelivered(seqs: number[], delivered: boolean): void {
    if (!this.#hasSchema) return;
    for (const seq of seqs) this.#sql.exec(`UPDATE events SET delivered = ? WHERE seq = ?`, Number(delivered), seq);
  }

  undelivered(): LoggedEvent[] {
    if (!this.#hasSchema) return [];
    return this.#rows(this.#sql.exec(`SELECT seq, message FROM events WHERE delivered = 0 ORDER BY seq`));
  }

  after(seq: number): LoggedEvent[] {
    if (!this.#hasSchema) return [];
    return this.#rows(this.#sql.exec(`SELECT seq, message FROM events WHERE seq > ? ORDER BY seq`, seq));
  }

  async deleteAll(): Promise<void> {
    await this.#storage.deleteAlarm();
    await this.#storage.deleteAll();
    this.#hasSchema = false;
  }

  #rows(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): LoggedEvent[] {
    return cursor.toArray().map((row) => ({
      seq: Number(row.seq),
      message: JSON.parse(String(row.message)) as JSONRPCMessage,
    }));
  }
}
