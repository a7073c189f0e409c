/**
 * The one bound both in-memory registries of the session object apply (src/sessions/object/
 * answer-router.ts, stream-liveness.ts): entries expire by age and their number is capped, so
 * a client cannot grow the object's memory without limit.
 */

/**
 * Drops entries of a map kept oldest first (in insertion order) while the oldest is older than
 * `maxAgeMs` or there is no room for one more.
 */
export function makeRoom<V>(
  map: Map<string, V>,
  addedAt: (value: V) => number,
  maxAgeMs: number,
  maxSize: number,
  now: number,
): void {
  for (const [key, value] of map) {
    if (now - addedAt(value) <= maxAgeMs && map.size < maxSize) return;
    map.delete(key);
  }
}
