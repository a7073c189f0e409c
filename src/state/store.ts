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
      return scoped<T>(() => stub(`principal:${principal.id}`), principal.id, false);
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
          const valid = HANDLE_PATTERN.test(handle);
          return scoped<T>(() => (valid ? stub(`handle:${handle}`) : undefined), principal.id, true);
        },
      };
    },
  };
}

type StateStub = Pick<DurableObjectStub<StateDO>, "read" | "write">;

/** `mustExist`: a handle's state is never created by an update, only by `create`. */
function scoped<T extends JSONValue>(stub: () => StateStub | undefined, owner: string, mustExist: boolean): ScopedState<T> {
  return {
    async read() {
      const stored = await stub()?.read(owner);
      return stored ? (JSON.parse(stored.json) as T) : undefined;
    },
    async update(change) {
      const target = stub();
      let current: StoredState | null = target ? await target.read(owner) : null;
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        if (!target || (mustExist && !current)) throw new StateError(NO_SUCH_HANDLE);
        const value = change(current ? (JSON.parse(current.json) as T) : undefined);
        const outcome = await target.write({ owner, expectedVersion: current?.version ?? 0, json: JSON.stringify(value) });
        if (outcome.status !== "conflict") {
          check(outcome);
          return value;
        }
        current = outcome.current;
      }
      throw new StateError(`The state changed under ${MAX_UPDATE_ATTEMPTS} attempts in a row to update it; try again`);
    },
  };
}

function check(outcome: WriteOutcome): void {
  if (outcome.status === "too-large") {
    throw new StateError(`The state would take ${outcome.bytes} bytes as JSON; at most ${MAX_STATE_BYTES} are kept`);
  }
  if (outcome.status === "not-found") throw new StateError(NO_SUCH_HANDLE);
}
