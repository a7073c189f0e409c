/**
 * The liveness half of the session's broker: which SSE POST streams of the session can still be
 * resumed through their isolate. A POST stream is live while its POST holds an inbox (answer-
 * router.ts knows which do); a stream whose POST began but has not opened its inbox yet is
 * starting, and a client that resumes it then waits for the inbox, up to INBOX_GRACE_MS.
 */
import { makeRoom } from "./make-room.js";

/**
 * A POST still running after QUICK_ANSWER_MS opens its inbox (src/sessions/worker/session-link.ts); a
 * stream that has none this long after its POST began has ended without one. A client that
 * resumes it earlier waits for the inbox this long at most.
 */
export const INBOX_GRACE_MS = 2_000;
/** POST streams remembered at once while their inbox may still open. */
export const MAX_STARTING_STREAMS = 1000;

export class StreamLiveness {
  readonly #hasInbox: (streamId: string) => boolean;
  /** SSE POST streams of this session that have no inbox yet, by stream id: when their POST began. */
  readonly #starting = new Map<string, number>();
  /** Resumes waiting for a starting stream's inbox. */
  readonly #inboxWaiters = new Map<string, Set<() => void>>();

  /** `hasInbox`: whether the POST of a stream holds an inbox now (AnswerRouter.hasInbox). */
  constructor(hasInbox: (streamId: string) => boolean) {
    this.#hasInbox = hasInbox;
  }

  /** Remembers an SSE POST stream as this session's, so its client may resume it before its inbox opens. */
  registerStream(streamId: string): void {
    const now = Date.now();
    makeRoom(this.#starting, (at) => at, INBOX_GRACE_MS, MAX_STARTING_STREAMS, now);
    this.#starting.set(streamId, now);
  }

  /**
   * The inbox of `streamId` opened: the stream is no longer starting, and resumes waiting for it
   * go on. True when it was registered: its client may resume it.
   */
  inboxOpened(streamId: string): boolean {
    const registered = this.#starting.delete(streamId);
    for (const wake of this.#inboxWaiters.get(streamId) ?? []) wake();
    return registered;
  }

  /**
   * Whether `streamId` names a POST stream of this session whose isolate can still hand it
   * over: it has an inbox, or opens one within INBOX_GRACE_MS of its POST (then this waits).
   */
  async isLive(streamId: string): Promise<boolean> {
    if (this.#hasInbox(streamId)) return true;
    const startedAt = this.#starting.get(streamId);
    if (startedAt === undefined) return false;
    await this.#inboxOpening(streamId, startedAt + INBOX_GRACE_MS - Date.now());
    return this.#hasInbox(streamId);
  }

  /** Resolves when the inbox of `streamId` opens, or after `timeoutMs`. */
  #inboxOpening(streamId: string, timeoutMs: number): Promise<void> {
    const waiters = this.#inboxWaiters.get(streamId) ?? new Set();
    this.#inboxWaiters.set(streamId, waiters);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.#inboxWaiters.delete(streamId);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      waiters.add(wake);
    });
  }
}
