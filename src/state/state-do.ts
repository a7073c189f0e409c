/**
 * StateDO: one piece of durable state a tool keeps between calls (README, "State"), one object
 * per scope key (`idFromName`): a principal's state, or the state behind one server-minted
 * handle. The value is JSON, owned by one principal (to anyone else it does not exist), versioned
 * so that writes are compare-and-swap, and may expire. Values travel as JSON text, which the
 * object only measures. Storage layout, SQLite:
 *   state(value, version, owner, expires_at)   at most one row
 */
import { DurableObject } from "cloudflare:workers";

/**
 * The largest value, as JSON: a principal's state is read by each of its requests that needs it,
 * and a handle's by every call that names it; far below the 2 MB of a SQLite row.
 */
export const MAX_STATE_BYTES = 64 * 1024;

export interface StoredState {
  json: string;
  version: number;
}

/** A write: the version it read (0 when there was none), the new value, and how long it lives (absent: as before). */
export interface StateWrite {
  owner: string;
  expectedVersion: number;
  json: string;
  ttlMs?: number;
}

export type WriteOutcome =
  | { status: "written"; version: number }
  /** Another write came first: read again and retry. */
  | { status: "conflict"; current: StoredState | null }
  | { status: "too-large"; bytes: number }
  /** The state belongs to another principal. */
  | { status: "not-found" };

/**
 * Whether `json` may replace `current`: only if nobody wrote since the caller read version
 * `expectedVersion` (0: nothing), and within MAX_STATE_BYTES. Every store of state decides so.
 */
export function compareAndSwap(
  current: StoredState | null,
  expectedVersion: number,
  json: string,
): Exclude<WriteOutcome, { status: "not-found" }> {
  if ((current?.version ?? 0) !== expectedVersion) return { status: "conflict", current };
  const bytes = new TextEncoder().encode(json).byteLength;
  if (bytes > MAX_STATE_BYTES) return { status: "too-large", bytes };
  return { status: "written", version: expectedVersion + 1 };
}

interface Row extends Record<string, SqlStorageValue> {
  value: string;
  version: number;
  owner: string;
  expires_at: number | null;
}

export class StateDO extends DurableObject<unknown> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
  }

  /** The value and its version, or null when there is none for `owner`. */
  async read(owner: string): Promise<StoredState | null> {
    const row = this.#row();
    if (!row || row.owner !== owner) return null;
    return { json: row.value, version: row.version };
  }

  /** Writes `value` if the stored version is still `expectedVersion`; nothing in between can interleave. */
  async write({ owner, expectedVersion, json, ttlMs }: StateWrite): Promise<WriteOutcome> {
    const row = this.#row();
    if (row && row.owner !== owner) return { status: "not-found" };
    const outcome = compareAndSwap(row ? { json: row.value, version: row.version } : null, expectedVersion, json);
    if (outcome.status !== "written") return outcome;
    const { version } = outcome;
    const expiresAt = ttlMs === undefined ? (row?.expires_at ?? null) : Date.now() + ttlMs;
    this.#sql.exec(
      `CREATE TABLE IF NOT EXISTS state (value TEXT NOT NULL, version INTEGER NOT NULL, owner TEXT NOT NULL, expires_at INTEGER)`,
    );
    this.#sql.exec(`DELETE FROM state`);
    this.#sql.exec(`INSERT INTO state (value, version, owner, expires_at) VALUES (?, ?, ?, ?)`, json, version, owner, expiresAt);
    if (expiresAt !== null) await this.ctx.storage.setAlarm(expiresAt);
    return { status: "written", version };
  }

  /** Removes the state of `owner`, and with it all storage. */
  async remove(owner: string): Promise<boolean> {
    const row = this.#row();
    if (!row || row.owner !== owner) return false;
    await this.ctx.storage.deleteAll();
    return true;
  }

  override async alarm(): Promise<void> {
    const row = this.#row(true);
    if (row?.expires_at != null && row.expires_at <= Date.now()) await this.ctx.storage.deleteAll();
  }

  /** The row, unless it expired (an alarm may run late); `raw` reads it whatever its age. */
  #row(raw = false): Row | undefined {
    const hasTable = this.#sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state'`).toArray().length > 0;
    if (!hasTable) return undefined;
    const row = this.#sql.exec<Row>(`SELECT value, version, owner, expires_at FROM state`).toArray()[0];
    if (!raw && row?.expires_at != null && row.expires_at <= Date.now()) return undefined;
    return row;
  }
}
