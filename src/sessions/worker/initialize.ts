/**
 * What serving `initialize` adds to a POST: the session limits (./admission.ts) before the
 * server runs, and the new session's id in `Mcp-Session-Id` only when the session was stored.
 * A failed initialize (invalid params, a server that errs) stores nothing and gives its quota
 * slot back; an id that names nothing would only send the client to a 404 (issue 20).
 */
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { RequestScope } from "../../lane/scope.js";
import { releaseSlot, type QuotaSlot } from "../quota/quota.js";
import type { SessionSettings } from "../settings.js";
import { admitSession, type SessionLimits } from "./admission.js";

export class SessionCreation {
  readonly #sessionId: string;
  readonly #slot: QuotaSlot | undefined;
  #stored = false;

  private constructor(sessionId: string, slot: QuotaSlot | undefined) {
    this.#sessionId = sessionId;
    this.#slot = slot;
  }

  /** A new session `sessionId` within the limits, or the 429 that refuses it. */
  static async admit<E extends object>(
    { request, env, principal }: RequestScope<E>,
    limits: SessionLimits,
    settings: SessionSettings,
    sessionId: string,
    initializeId: RequestId,
  ): Promise<SessionCreation | Response> {
    const session = { id: sessionId, expiresAt: Date.now() + settings.idleTimeoutMs };
    const slot = await admitSession(request, env, principal, limits, settings.jurisdiction, session, initializeId);
    return slot instanceof Response ? slot : new SessionCreation(sessionId, slot);
  }

  /** The settings to store with the session: where it is counted, to give the slot back when it ends. */
  settings(settings: SessionSettings): SessionSettings {
    return this.#slot ? { ...settings, quota: this.#slot } : settings;
  }

  /** Wraps the session object's `create`: the session exists once it resolves. */
  async track(create: Promise<void>): Promise<void> {
    await create;
    this.#stored = true;
  }

  /**
   * The initialize answer, with the session id once `settled` (the answer is written, as JSON or
   * as its stream) and the session was stored; without it, and the slot given back, otherwise.
   */
  async announce({ env, notes }: RequestScope<object>, response: Response, settled: Promise<void>): Promise<Response> {
    await settled;
    if (!this.#stored) {
      await releaseSlot(env, this.#slot, this.#sessionId);
      return response;
    }
    notes.sessionId = this.#sessionId;
    const headers = new Headers(response.headers);
    headers.set("mcp-session-id", this.#sessionId);
    return new Response(response.body, { status: response.status, headers });
  }
}
