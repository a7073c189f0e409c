/**
 * The client address a request's limits are counted by: `CF-Connecting-IP`, which Cloudflare's
 * edge sets (and overwrites) on every request. An IPv6 client is counted by its /64, the block
 * one subscriber gets; counting single addresses would let it rotate through 2^64 of them.
 */

/** Addresses of this machine: wrangler dev serving its own developer, tests and benchmarks. */
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The key of the request's client address, or undefined when there is none to count: no
 * `CF-Connecting-IP` (not behind Cloudflare), or a loopback address, which Cloudflare never
 * sets and which only a local `wrangler dev` sees.
 */
export function clientAddressKey(request: Request): string | undefined {
  const address = request.headers.get("cf-connecting-ip")?.trim().toLowerCase();
  if (!address || LOOPBACK.test(address)) return undefined;
  if (!address.includes(":")) return address;
  const block = ipv6Block(address);
  return block && `${block}::/64`;
}

/** The first four groups of an IPv6 address, "::" expanded; undefined when it is not one. */
function ipv6Block(address: string): string | undefined {
  const [head = "", tail, ...rest] = address.split("::");
  if (rest.length > 0) return undefined;
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(missing).fill("0"), ...right];
  if (!groups.slice(0, 4).every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":");
}
