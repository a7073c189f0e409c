/**
 * Durable state for tools (README, "State"), kept in StateDO objects: a principal's own state,
 * shared by all its sessions and requests on both eras, and state behind server-minted handles
 * (the 2026-07-28 way, SEP-2567: a tool returns a handle, a later call passes it back as an
 * argument). Every write is compare-and-swap, so `update` never loses a concurrent one.
 */
import type { Principal } from "../security/auth.js";
import { objectNamed } from "../wire/namespace.js";
import { MAX_STATE_BYTES, type StateDO, type StoredState, type WriteOutcome } from "./state-do.js";

/**
 * A JSON value. SDK v2 has this type only in @modelcontextprotocol/server, whose declarations
 * need Node's types in a Worker project (see src/listen/filter.ts), and core does not export it.
 */
export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };

/** The binding createStateStore uses unless told otherwise. */
export const DEFAULT_STATE_BINDING = "MCP_STATE";

/** A handle lives a day unless its tool says otherwise… */
export const DEFAULT_HANDLE_TTL_MS = 24 * 60 * 60 * 1000;
/** …and never more than 30 days: a forgotten handle must not keep storage forever. */
export const MAX_HANDLE_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Writes that lose to a concurrent one are retried this often before `update` gives up. */
export const MAX_UPDATE_ATTEMPTS = 100;

/** What a handle looks like: unguessable (122 random bits), and checked before any object is reached. */
const HANDLE_PATTERN = /^hdl_[0-9a-f]{32}$/;

export class StateError extends Error {}

const NO_SUCH_HANDLE = "No such handle: it expired, or it was never this principal's";

export interface ScopedState<T extends JSONValue> {
  /** The current value, or undefined when there is none (or, for a handle, no such handle). */
  read(): Promise<T | undefined>;
  /** Reads, applies `change` and writes, atomically; `change` may run again if another write came first. */
  update(change: (current: T | undefined) => T): Promise<T>;
}

export interface HandleStore {
  /** Stores `initial` behind a new handle of this principal's, for `ttlMs` (default a day, at most 30 days). */
  create<T extends JSONValue>(initial: T, options?: { ttlMs?: number }): Promise<string>;
  /** The state behind `handle`; one that is malformed, expired or another principal's reads as undefined. */
  open<T extends JSONValue>(handle: string): ScopedState<T>;
}

export interface StateStore {
  /**
   * The principal's own state. For a shared principal (the anonymous one of an unauthenticated
   * deployment, which is everyone) undefined unless the store was created with
   * `sharedPrincipal: "deployment"`: one value for all users must be a choice, never a default.
   */
  principal<T extends JSONValue>(principal: Principal): ScopedState<T> | undefined;
  handles(principal: Principal): HandleStore;
}

export interface StateStoreOptions {
  /** The StateDO binding. Default "MCP_STATE". */
  binding?: string;
  /** What a shared principal's state is: none (default), or one for the whole deployment. */
  sharedPrincipal?: "off" | "deployment";
  /** As createMcpHandler's `jurisdiction`: where the state objects live. */
  jurisdiction?: DurableObjectJurisdiction;
}

export function createStateStore(env: object, options: StateStoreOptions = {}): StateStore {
  const binding = options.binding ?? DEFAULT_STATE_BINDING;
  const stub = (key: string) => {
    const object = objectNamed<StateDO>(env, binding, options.jurisdiction, key);
    if (!object)
      throw new StateError(`No Durable Object binding named "${binding}" for state: add one with class_name = "StateDO"`);
    return object;
  };
  return {
    principal<T extends JSONValue>(principal: Principal) {
      if (principal.shared && options.sharedPrincipal !== "deployment") return undefined;
      return scopedState<T>(objectCell(stub(`principal:${principal.id}`), principal.id));
    },
    handles(principal) {
      return {
        async create(initial, { ttlMs = DEFAULT_HANDLE_TTL_MS } = {}) {
          if (!(ttlMs > 0 && ttlMs <= MAX_HANDLE_TTL_MS)) {
            throw new StateError(`A handle lives more than 0 ms and at most ${MAX_HANDLE_TTL_MS} ms; ${ttlMs} was asked`);
          }
          const handle = `hdl_${crypto.randomUUID().replaceAll("-", "")}`;
          const json = JSON.stringify(initial);
          const outcome = await stub(`handle:${handle}`).write({ owner: principal.id, expectedVersion: 0, json, ttlMs });
          check(outcome);
          return handle;
        },
        open<T extends JSONValue>(handle: string) {
          const object = HANDLE_PATTERN.test(handle) ? stub(`handle:${handle}`) : undefined;
          return scopedState<T>(objectCell(object, principal.id), { mustExist: true });
        },
      };
    },
  };
}

/**
 * Where one scope's value lives: a StateDO, or a session's own object. A cell without `read`
 * is one whose value always comes along with another read (`known`: the session check's).
 */
export interface StateCell {
  read?(): Promise<StoredState | null>;
  /** Writes `json` if the stored version is still `expectedVersion` (compareAndSwap). */
  write(expectedVersion: number, json: string): Promise<WriteOutcome>;
}

/**
 * The state in `cell`. `known`: the value a read just brought along (the session check's), which
 * `read` answers instead of asking the cell; it then follows this state's own writes.
 * `mustExist`: a handle's state is never created by an update, only by `create`.
 */
export function scopedState<T extends JSONValue>(
  cell: StateCell | undefined,
  { mustExist = false, known }: { mustExist?: boolean; known?: StoredState | null } = {},
): ScopedState<T> {
  let last = known;
  const current = async () => (last !== undefined ? last : ((await cell?.read?.()) ?? null));
  return {
    async read() {
      const stored = await current();
      return stored ? (JSON.parse(stored.json) as T) : undefined;
    },
    async update(change) {
      let stored = cell ? await current() : null;
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        if (!cell || (mustExist && !stored)) throw new StateError(NO_SUCH_HANDLE);
        const value = change(stored ? (JSON.parse(stored.json) as T) : undefined);
        const json = JSON.stringify(value);
        const outcome = await cell.write(stored?.version ?? 0, json);
        if (outcome.status !== "conflict") {
          check(outcome);
          if (outcome.status === "written") last = { json, version: outcome.version };
          return value;
        }
        stored = outcome.current;
      }
      throw new StateError(`The state changed under ${MAX_UPDATE_ATTEMPTS} attempts in a row to update it; try again`);
    },
  };
}

/** A StateDO's value, as `owner` sees it. */
function objectCell(object: DurableObjectStub<StateDO> | undefined, owner: string): StateCell | undefined {
  return (
    object && {
      read: () => object.read(owner),
      write: (expectedVersion, json) => object.write({ owner, expectedVersion, json }),
    }
  );
}

function check(outcome: WriteOutcome): void {
  if (outcome.status === "too-large") {
    throw new StateError(`The state would take ${outcome.bytes} bytes as JSON; at most ${MAX_STATE_BYTES} are kept`);
  }
  if (outcome.status === "not-found") throw new StateError(NO_SUCH_HANDLE);
}
