/**
 * The session object's storage layout, written down once. SQLite tables:
 *   session(id = 1, record, settings)   the SessionRecord and SessionSettings as JSON
 *   events(seq, stream, position, message, bytes, delivered, at)
 *                                       messages of streams the object holds: the standalone
 *                                       stream (position = seq) and POST streams handed over
 *                                       by their isolate (position as that isolate numbered it),
 *                                       as ./kept-message.ts keeps them, and their size
 *   streams(stream, lost_through, done) per stream: the last position dropped, by the log's
 *                                       bounds or because the client confirmed it, and whether
 *                                       its final message is in
 *   calls(stream, requests)             POST streams whose POST runs long and has not ended them:
 *                                       the ids of the client requests it serves, so that a resume
 *                                       after the POST died (a crash, a restart) can answer them
 *   state(id = 1, value, version)       the session's state for tools (src/state/), JSON
 *   tasks(task, expires_at)             the tasks the session started (src/tasks/), for tasks/list,
 *                                       until their record expires
 * Tables are created on the first write to them only (TABLES): probing an unknown session id must
 * leave no storage behind, nor may a deleted session.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { StoredState } from "../../state/state-do.js";
import type { NumberedMessage } from "../../wire/event-id.js";
import type { SessionRecord } from "../record.js";
import type { ListedTask } from "../rpc.js";
import type { SessionSettings } from "../settings.js";
import { keptMessage } from "./kept-message.js";

export interface LoggedEvent {
  seq: number;
  stream: string;
  position: number;
  message: JSONRPCMessage;
}

/**
 * POST streams whose requests are remembered at once. Rows are removed when a stream ends, so only
 * POSTs that died leave one behind; the oldest go first, and a resume of those then gets 400.
 */
export const MAX_REMEMBERED_CALLS = 1000;

/**
 * POST streams the log remembers per session, besides the standalone stream: more than a
 * client resumes at once (MAX_RESUMED_STREAMS), and the row of a stream that never ends (its
 * isolate died) would otherwise stay for the session's life, one per request.
 */
export const MAX_LOGGED_STREAMS = 256;

/**
 * Live tasks one session may have started (each kept until its record expires, at most a day):
 * `tasks/list` must show every task `tasks/get` finds, so a session past it starts no more
 * rather than forgetting one.
 */
export const MAX_SESSION_TASKS = 1000;

/** An event of a POST stream as it goes to the stream's reader, kept in the log or not. */
export type StreamEvent = Omit<LoggedEvent, "seq">;

/**
 * The tables by what uses them, each group created when it is first written: a session that never
 * logs an event, keeps state or starts a task costs its object one table at creation instead of
 * six (creating a table is a write to the object's SQLite schema).
 */
const TABLES = {
  session: [
    `CREATE TABLE IF NOT EXISTS session (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL, settings TEXT NOT NULL)`,
  ],
  log: [
    `CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, position INTEGER,
     message TEXT NOT NULL, bytes INTEGER NOT NULL, delivered INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL,
     UNIQUE (stream, position))`,
    `CREATE TABLE IF NOT EXISTS streams (stream TEXT PRIMARY KEY, lost_through INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE IF NOT EXISTS calls (stream TEXT PRIMARY KEY, requests TEXT NOT NULL)`,
  ],
  state: [
    `CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL, version INTEGER NOT NULL)`,
  ],
  tasks: [`CREATE TABLE IF NOT EXISTS tasks (task TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)`],
} as const;

type TableGroup = keyof typeof TABLES;

/** Each group by the one table whose presence stands for it: a group's tables are created together. */
const GROUP_TABLE: Record<TableGroup, string> = { session: "session", log: "events", state: "state", tasks: "tasks" };

export class SessionStorage {
  readonly #sql: SqlStorage;
  readonly #storage: DurableObjectStorage;
  readonly #groups: Set<TableGroup>;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    const tables = new Set(
      this.#sql
        .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
        .toArray()
        .map(({ name }) => name),
    );
    this.#groups = new Set((Object.keys(GROUP_TABLE) as TableGroup[]).filter((group) => tables.has(GROUP_TABLE[group])));
    // A session whose log was stored before a table joined the log's group gets it now; for the
    // tables it has, the statements change nothing.
    if (this.#groups.has("log")) for (const statement of TABLES.log) this.#sql.exec(statement);
  }

  read(): { record: SessionRecord; settings: SessionSettings } | undefined {
    if (!this.#groups.has("session")) return undefined;
    const row = this.#sql.exec<{ record: string; settings: string }>(`SELECT record, settings FROM session`).toArray()[0];
    return row && { record: JSON.parse(row.record) as SessionRecord, settings: JSON.parse(row.settings) as SessionSettings };
  }

  write(record: SessionRecord, settings: SessionSettings): void {
    this.#create("session");
    this.#sql.exec(
      `INSERT OR REPLACE INTO session (id, record, settings) VALUES (1, ?, ?)`,
      JSON.stringify(record),
      JSON.stringify(settings),
    );
  }

  /** The session's state for tools, or null when it has none. */
  readState(): StoredState | null {
    if (!this.#groups.has("state")) return null;
    const row = this.#sql.exec<{ value: string; version: number }>(`SELECT value, version FROM state`).toArray()[0];
    return row ? { json: row.value, version: row.version } : null;
  }

  writeState({ json, version }: StoredState): void {
    this.#create("state");
    this.#sql.exec(`INSERT OR REPLACE INTO state (id, value, version) VALUES (1, ?, ?)`, json, version);
  }

  /**
   * Appends to the standalone stream, whose positions are the log's own sequence. A message the
   * log keeps nothing of (./kept-message.ts) is left out: it has no position to be sent with.
   */
  appendStandalone(stream: string, messages: JSONRPCMessage[], now: number): LoggedEvent[] {
    this.#create("log");
    return messages.flatMap((message) => {
      const kept = keptMessage(message);
      if (!kept) return [];
      const { seq } = this.#sql
        .exec<{ seq: number }>(
          `INSERT INTO events (stream, message, bytes, at) VALUES (?, ?, ?, ?) RETURNING seq`,
          stream,
          kept.json,
          kept.bytes,
          now,
        )
        .one();
      this.#sql.exec(`UPDATE events SET position = seq WHERE seq = ?`, seq);
      return [{ seq, stream, position: seq, message: kept.message }];
    });
  }

  /**
   * Appends a POST stream's messages and returns those new to it, as they are, for its reader;
   * positions already logged or dropped are skipped (a handover resends them). `lostThrough`:
   * positions up to it were dropped by the isolate's own bound. A stream the log first hears of
   * from a later position (its row went to MAX_LOGGED_STREAMS) has lost what came before.
   */
  appendToStream(stream: string, messages: NumberedMessage[], done: boolean, lostThrough: number, now: number): StreamEvent[] {
    this.#create("log");
    const before = Math.max(lostThrough, (messages[0]?.position ?? 1) - 1);
    const { dropped } = this.#sql
      .exec<{ dropped: number }>(
        `INSERT INTO streams (stream, lost_through, done) VALUES (?, ?, ?)
         ON CONFLICT (stream) DO UPDATE SET lost_through = MAX(lost_through, ?), done = MAX(done, excluded.done)
         RETURNING lost_through AS dropped`,
        stream,
        before,
        Number(done),
        lostThrough,
      )
      .one();
    if (done) this.#sql.exec(`DELETE FROM calls WHERE stream = ?`, stream);
    // What was dropped, or confirmed by the client, is not logged again when a handover resends it.
    return messages.flatMap(({ position, message }) => {
      if (position <= dropped) return [];
      const kept = keptMessage(message);
      if (!kept) {
        this.#droppedThrough(stream, position);
        return [{ stream, position, message }];
      }
      const row = this.#sql
        .exec<{ seq: number }>(
          `INSERT OR IGNORE INTO events (stream, position, message, bytes, at) VALUES (?, ?, ?, ?, ?) RETURNING seq`,
          stream,
          position,
          kept.json,
          kept.bytes,
          now,
        )
        .toArray()[0];
      return row ? [{ stream, position, message }] : [];
    });
  }

  /** The POST of `stream` serves `requests` and runs long: remembered until the stream ends. */
  rememberCall(stream: string, requests: RequestId[]): void {
    this.#create("log");
    this.#sql.exec(`INSERT OR REPLACE INTO calls (stream, requests) VALUES (?, ?)`, stream, JSON.stringify(requests));
    this.#sql.exec(`DELETE FROM calls WHERE rowid <= (SELECT MAX(rowid) FROM calls) - ?`, MAX_REMEMBERED_CALLS);
  }

  /** The requests of a POST that has not ended its stream (it runs, or it died), or undefined. */
  rememberedCall(stream: string): RequestId[] | undefined {
    if (!this.#groups.has("log")) return undefined;
    const row = this.#sql.exec<{ requests: string }>(`SELECT requests FROM calls WHERE stream = ?`, stream).toArray()[0];
    return row && (JSON.parse(row.requests) as RequestId[]);
  }

  /** Remembers a task the session started; false, and nothing stored, when MAX_SESSION_TASKS live ones are. */
  rememberTask(task: string, expiresAt: number, now: number): boolean {
    this.#create("tasks");
    this.#sql.exec(`DELETE FROM tasks WHERE expires_at <= ?`, now);
    const live = this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM tasks`).one().n;
    if (live >= MAX_SESSION_TASKS) return false;
    this.#sql.exec(`INSERT OR REPLACE INTO tasks (task, expires_at) VALUES (?, ?)`, task, expiresAt);
    return true;
  }

  /** The session's tasks that have not expired, oldest first, each with its place in that order. */
  tasks(now: number): ListedTask[] {
    if (!this.#groups.has("tasks")) return [];
    return this.#sql
      .exec<{ task: string; position: number }>(
        `SELECT task, rowid AS position FROM tasks WHERE expires_at > ? ORDER BY rowid`,
        now,
      )
      .toArray()
      .map(({ task, position }) => ({ taskId: task, position }));
  }

  /** The stream's events after `position`, in order. */
  after(stream: string, position: number): LoggedEvent[] {
    if (!this.#groups.has("log")) return [];
    return this.#events(`WHERE stream = ? AND position > ? ORDER BY position`, stream, position);
  }

  eventCount(): number {
    if (!this.#groups.has("log")) return 0;
    return this.#sql.exec<{ count: number }>(`SELECT COUNT(*) AS count FROM events`).one().count;
  }

  /** The newest position the log has seen of the stream, kept or dropped; 0 when none. */
  lastPosition(stream: string): number {
    if (!this.#groups.has("log")) return 0;
    return this.#sql
      .exec<{ last: number }>(
        `SELECT MAX(COALESCE((SELECT MAX(position) FROM events WHERE stream = ?1), 0),
                    COALESCE((SELECT lost_through FROM streams WHERE stream = ?1), 0)) AS last`,
        stream,
      )
      .one().last;
  }

  undelivered(stream: string): LoggedEvent[] {
    if (!this.#groups.has("log")) return [];
    return this.#events(`WHERE stream = ? AND delivered = 0 ORDER BY position`, stream);
  }

  markDelivered(seqs: number[], delivered: boolean): void {
    if (!this.#groups.has("log")) return;
    for (const seq of seqs) this.#sql.exec(`UPDATE events SET delivered = ? WHERE seq = ?`, Number(delivered), seq);
  }

  /**
   * The client holds everything up to `position`: those events are no longer needed. Recorded
   * as dropped, so the stream's last position stays known and a resend is not logged again.
   */
  acknowledge(stream: string, position: number): void {
    if (!this.#groups.has("log")) return;
    this.#sql.exec(`DELETE FROM events WHERE stream = ? AND position <= ?`, stream, position);
    this.#droppedThrough(stream, position);
  }

  /** What the log knows of a POST stream, or undefined if it never held it. */
  streamState(stream: string): { lostThrough: number; done: boolean } | undefined {
    if (!this.#groups.has("log")) return undefined;
    const row = this.#sql
      .exec<{ lost_through: number; done: number }>(`SELECT lost_through, done FROM streams WHERE stream = ?`, stream)
      .toArray()[0];
    return row && { lostThrough: row.lost_through, done: row.done === 1 };
  }

  /**
   * Applies the log's bounds (age, count, bytes); what they drop is remembered per stream, so a
   * resume past it is refused. Then forgets the streams that ended and hold no event, and the
   * oldest beyond MAX_LOGGED_STREAMS with their events; never `standalone`.
   */
  prune({ eventLogMaxEvents, eventLogMaxAgeMs, eventLogMaxBytes }: SessionSettings, standalone: string, now: number): void {
    if (!this.#groups.has("log")) return;
    const dropped = this.#sql
      .exec<{ stream: string; through: number }>(
        `DELETE FROM events WHERE at < ? OR seq <= (SELECT MAX(seq) FROM events) - ?
           OR seq IN (SELECT seq FROM (SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS newer FROM events) WHERE newer > ?)
         RETURNING stream, position AS through`,
        now - eventLogMaxAgeMs,
        eventLogMaxEvents,
        eventLogMaxBytes,
      )
      .toArray();
    for (const { stream, through } of dropped) this.#droppedThrough(stream, through);
    this.#sql.exec(
      `DELETE FROM streams WHERE done = 1 AND NOT EXISTS (SELECT 1 FROM events WHERE events.stream = streams.stream)`,
    );
    const forgotten = this.#sql
      .exec<{ stream: string }>(
        `DELETE FROM streams WHERE stream != ?1
           AND rowid NOT IN (SELECT rowid FROM streams WHERE stream != ?1 ORDER BY rowid DESC LIMIT ?2)
         RETURNING stream`,
        standalone,
        MAX_LOGGED_STREAMS,
      )
      .toArray();
    for (const { stream } of forgotten) this.#sql.exec(`DELETE FROM events WHERE stream = ?`, stream);
  }

  /** The bytes the log holds, as its bound counts them. */
  loggedBytes(): number {
    if (!this.#groups.has("log")) return 0;
    return this.#sql.exec<{ bytes: number }>(`SELECT COALESCE(SUM(bytes), 0) AS bytes FROM events`).one().bytes;
  }

  async deleteAll(): Promise<void> {
    await this.#storage.deleteAlarm();
    await this.#storage.deleteAll();
    this.#groups.clear();
  }

  #create(group: TableGroup): void {
    if (this.#groups.has(group)) return;
    for (const statement of TABLES[group]) this.#sql.exec(statement);
    this.#groups.add(group);
  }

  #droppedThrough(stream: string, position: number): void {
    this.#sql.exec(
      `INSERT INTO streams (stream, lost_through) VALUES (?, ?)
       ON CONFLICT (stream) DO UPDATE SET lost_through = MAX(lost_through, excluded.lost_through)`,
      stream,
      position,
    );
  }

  #events(where: string, ...bindings: SqlStorageValue[]): LoggedEvent[] {
    return this.#sql
      .exec<{ seq: number; stream: string; position: number; message: string }>(
        `SELECT seq, stream, position, message FROM events ${where}`,
        ...bindings,
      )
      .toArray()
      .map((row) => ({ ...row, message: JSON.parse(row.message) as JSONRPCMessage }));
  }
}
