/**
 * The state one request's factory and handlers see (README, "State"): its session's (2025 era),
 * its principal's (both eras) and its principal's handles. A lane builds it with what it already
 * holds: the session lane passes the value its session check read, so reading it costs nothing.
 * A write may announce that what the factory registers changed: the list_changed then goes to
 * the clients of that scope, and to no one else.
 */
import type { JSONRPCNotification } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../security/auth.js";
import { hasBinding } from "../wire/namespace.js";
import type { StoredState } from "./state-do.js";
import {
  createStateStore,
  DEFAULT_STATE_BINDING,
  scopedState,
  type HandleStore,
  type JSONValue,
  type ScopedState,
  type StateCell,
  type StateStoreOptions,
} from "./store.js";

/** The lists a factory registers from state: a change announces `notifications/<list>/list_changed`. */
export type RegisteredList = "tools" | "prompts" | "resources";

export interface UpdateOptions {
  /** The lists this write changes, as the factory builds them: their clients are told to list again. */
  listChanged?: RegisteredList[];
}

/** A scope's state as a request sees it: `update` may tell the scope's clients what it changed. */
export interface RequestScopedState<T extends JSONValue> extends ScopedState<T> {
  update(change: (current: T | undefined) => T, options?: UpdateOptions): Promise<T>;
}

export interface RequestState {
  /**
   * The session's own state, 2025 era only (undefined on 2026-07-28, which has no sessions). It
   * lives and expires with the session and is deleted with it. `read` answers what the session
   * held when this request began, and this request's own writes after that.
   */
  session<T extends JSONValue>(): RequestScopedState<T> | undefined;
  /**
   * The principal's state, shared by all its sessions and requests on both eras. Undefined
   * without a StateDO binding, and for a shared principal (the anonymous one, which is everyone)
   * unless the handler was created with `state: { sharedPrincipal: "deployment" }`.
   */
  principal<T extends JSONValue>(): RequestScopedState<T> | undefined;
  /** The principal's handles (SEP-2567); undefined without a StateDO binding. */
  handles(): HandleStore | undefined;
}

/** Sends list changes to the clients of one scope. */
export type Announce = (changes: JSONRPCNotification[]) => Promise<unknown>;

/** What a lane knows of its request's scopes. */
export interface StateScopes {
  /** 2025: the session's value as its check read it, and where it is written. */
  session?: { cell: StateCell; known: StoredState | null; announce: Announce };
  /** Tells every client of the principal, on both eras. */
  announceToPrincipal: Announce;
}

export function createRequestState(
  env: object,
  principal: Principal,
  options: StateStoreOptions,
  scopes: StateScopes,
): RequestState {
  const store = hasBinding(env, options.binding ?? DEFAULT_STATE_BINDING) ? createStateStore(env, options) : undefined;
  const { session } = scopes;
  return {
    session<T extends JSONValue>() {
      return session && announcing(scopedState<T>(session.cell, { known: session.known }), session.announce);
    },
    principal<T extends JSONValue>() {
      const state = store?.principal<T>(principal);
      return state && announcing(state, scopes.announceToPrincipal);
    },
    handles() {
      return store?.handles(principal);
    },
  };
}

function announcing<T extends JSONValue>(state: ScopedState<T>, announce: Announce): RequestScopedState<T> {
  return {
    read: () => state.read(),
    async update(change, { listChanged = [] } = {}) {
      const value = await state.update(change);
      if (listChanged.length > 0) {
        await announce(listChanged.map((list) => ({ jsonrpc: "2.0", method: `notifications/${list}/list_changed` })));
      }
      return value;
    },
  };
}
