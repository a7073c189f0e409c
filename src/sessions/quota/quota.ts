/**
 * How many sessions one principal holds, counted by SessionQuotaDO (one per principal, or per
 * client address for the anonymous principal, which every client shares). A session holds a
 * lease that ends when the session would expire: its object renews it when its expiry moves
 * and releases it when the session ends, and a lease nobody renews (a failed release) lapses
 * on its own, so no count can stay wrong for longer than an idle timeout. Optional: without
 * the binding there is no cap.
 */
import { errorMessage, logError } from "../../wire/log.js";
import { objectNamed } from "../../wire/namespace.js";
import { sessionIdPrefix } from "../../wire/session-id.js";
import type { SessionQuotaDO } from "./quota-do.js";

/** The binding name createMcpHandler uses unless told otherwise. */
export const DEFAULT_QUOTA_BINDING = "MCP_QUOTA";

/**
 * A lease outlasts its session's expiry by this much: the session object renews it from its
 * alarm, which runs at that expiry or later, and the session must not stop counting meanwhile.
 */
export const LEASE_GRACE_MS = 60_000;

/** Where a session's lease is counted; stored with the session, which gives it back when it ends. */
export interface QuotaSlot {
  binding: string;
  /** `principal:<id>` or `address:<client address key>`. */
  key: string;
  /** The deployment's jurisdiction when the slot was taken, so that it is given back in the same one. */
  jurisdiction: DurableObjectJurisdiction | undefined;
}

export type SlotClaim = { claimed: true } | { claimed: false; retryAfterMs: number };

export function quotaStub(env: object, slot: QuotaSlot): DurableObjectStub<SessionQuotaDO> | undefined {
  return objectNamed<SessionQuotaDO>(env, slot.binding, slot.jurisdiction, slot.key);
}

/** Gives a session's slot back: it ended, or was never stored. */
export async function releaseSlot(env: object, slot: QuotaSlot | undefined, sessionId: string): Promise<void> {
  await updateSlot(slot, sessionId, (quota) => quota.release(sessionId), env);
}

/** The session's expiry moved to `expiresAt`: so does its lease. */
export async function renewSlot(env: object, slot: QuotaSlot | undefined, sessionId: string, expiresAt: number): Promise<void> {
  await updateSlot(slot, sessionId, (quota) => quota.renew(sessionId, expiresAt + LEASE_GRACE_MS), env);
}

/** A failure only logs: the session goes on, and a lease nobody renews or releases lapses by itself. */
async function updateSlot(
  slot: QuotaSlot | undefined,
  sessionId: string,
  update: (quota: DurableObjectStub<SessionQuotaDO>) => Promise<void>,
  env: object,
): Promise<void> {
  const quota = slot && quotaStub(env, slot);
  if (!quota) return;
  try {
    await update(quota);
  } catch (error) {
    logError("Updating a session's quota lease failed", { session: sessionIdPrefix(sessionId), reason: errorMessage(error) });
  }
}
