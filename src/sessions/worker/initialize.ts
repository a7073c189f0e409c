/**
 * What serving `initialize` adds to a POST: the new session's id goes out in `Mcp-Session-Id`
 * only when the session was stored. A failed initialize (invalid params, a server that errs)
 * stores nothing, and an id that names nothing would only send the client to a 404 (issue 20).
 */
import type { RequestNotes } from "../../lane/scope.js";

export class SessionCreation {
  #stored = false;

  /** Wraps the session object's `create`: the session exists once it resolves. */
  async track(create: Promise<void>): Promise<void> {
    await create;
    this.#stored = true;
  }

  /**
   * The initialize answer, with the session id once `settled` (the answer is written, as JSON or
   * as its stream) and the session was stored; without it otherwise.
   */
  async announce(response: Response, settled: Promise<void>, sessionId: string, notes: RequestNotes): Promise<Response> {
    await settled;
    if (!this.#stored) return response;
    notes.sessionId = sessionId;
    const headers = new Headers(response.headers);
    headers.set("mcp-session-id", sessionId);
    return new Response(response.body, { status: response.status, headers });
  }
}
