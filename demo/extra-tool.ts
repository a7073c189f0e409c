/**
 * Whether `extra_tool` is on, per principal, in a Durable Object of the demo's own (binding
 * DEMO_EXTRA_TOOL): the factory reads it before it builds the server, so the tool that
 * `toggle_extra_tool` adds is listed by the next `tools/list` of every client of that principal,
 * the ones the list change reached. The issue "Durable state for tools" is to give such state a
 * home in the library, read with the session check instead of in an RPC of its own.
 */
import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../src/lib.js";

/** What `toggle_extra_tool` needs: whether the tool is on, and an atomic flip. */
export interface ExtraToolSwitch {
  enabled: boolean;
  /** Flips the switch and resolves with its new position. */
  toggle(): Promise<boolean>;
}

export class ExtraToolDO extends DurableObject<unknown> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS switch (id INTEGER PRIMARY KEY CHECK (id = 1), enabled INTEGER NOT NULL)`);
  }

  async enabled(): Promise<boolean> {
    return this.#read();
  }

  /** Read and written in one turn of the object: concurrent toggles never lose one another. */
  async toggle(): Promise<boolean> {
    const enabled = !this.#read();
    this.#sql.exec(`INSERT OR REPLACE INTO switch (id, enabled) VALUES (1, ?)`, enabled ? 1 : 0);
    return enabled;
  }

  #read(): boolean {
    return this.#sql.exec<{ enabled: number }>(`SELECT enabled FROM switch`).toArray()[0]?.enabled === 1;
  }
}

/** The principal's switch, or undefined where the deployment has no DEMO_EXTRA_TOOL binding. */
export async function extraToolSwitch(env: object, principal: Principal): Promise<ExtraToolSwitch | undefined> {
  const namespace = (env as { DEMO_EXTRA_TOOL?: DurableObjectNamespace<ExtraToolDO> }).DEMO_EXTRA_TOOL;
  if (!namespace) return undefined;
  const stub = namespace.get(namespace.idFromName(principal.id));
  return { enabled: await stub.enabled(), toggle: () => stub.toggle() };
}
