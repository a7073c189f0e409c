/**
 * What idle clients cost per day at Cloudflare's published prices (issue 19), from the idle
 * bench's figures: the object's duration while it is resident, and the requests of each GET the
 * client sends again. The marginal price: the Paid plan's monthly allowances (400,000 GB-s,
 * 1 million Durable Object requests, 10 million Worker requests) are left out, since an account
 * shares them with everything else it runs.
 *
 * Not counted: WebSocket messages to an object (billed 20:1 as requests), since none reach an
 * object in an idle window (McpAgent's object only sends on its socket, durable-mcp's holds
 * none); the Worker's CPU time (Workers Standard bills CPU, not wall time), a few µs per
 * heartbeat; storage, which an idle session does not grow.
 */

const DURABLE_OBJECTS_PRICING = "https://developers.cloudflare.com/durable-objects/platform/pricing/";
const WORKERS_PRICING = "https://developers.cloudflare.com/workers/platform/pricing/";

/** The Workers Paid plan's prices beyond its allowances, as the results file records them. */
export const IDLE_PRICES = {
  /** Duration is billed at 128 MB per active object, whatever it uses. */
  objectGb: 128 / 1024,
  /** Durable Objects duration beyond the 400,000 GB-s a month. */
  usdPerMillionGbSeconds: 12.5,
  /** Durable Objects requests beyond the million a month; each RPC method call on a stub is one. */
  usdPerMillionObjectRequests: 0.15,
  /** Workers Standard requests beyond the 10 million a month. */
  usdPerMillionWorkerRequests: 0.3,
  allowances: "left out (marginal price)",
  sources: [DURABLE_OBJECTS_PRICING, WORKERS_PRICING],
} as const;

/** The population the issue prices. */
export const IDLE_CLIENTS = 10_000;
const MINUTES_PER_DAY = 24 * 60;

export interface IdleCost {
  /** Resident seconds × 128 MB, over IDLE_CLIENTS objects for a day. */
  gbSecondsPerDay: number;
  /** The Worker requests and object requests of the GETs sent again, over IDLE_CLIENTS for a day. */
  requestsPerDay: { worker: number; object: number };
  usdPerDay: { duration: number; requests: number; total: number };
}

/**
 * A day of IDLE_CLIENTS clients, each like the measured one: `residentSecondsPerMinute` of its
 * object's duration and `reconnectsPerMinute` GETs, each one Worker request and
 * `objectRequestsPerGet` object requests.
 */
export function idleCost(residentSecondsPerMinute: number, reconnectsPerMinute: number, objectRequestsPerGet: number): IdleCost {
  const perDay = (perMinute: number) => perMinute * MINUTES_PER_DAY * IDLE_CLIENTS;
  const gbSecondsPerDay = perDay(residentSecondsPerMinute) * IDLE_PRICES.objectGb;
  const workerRequests = perDay(reconnectsPerMinute);
  const objectRequests = workerRequests * objectRequestsPerGet;
  const duration = durationUsd(gbSecondsPerDay);
  const requests =
    (workerRequests * IDLE_PRICES.usdPerMillionWorkerRequests + objectRequests * IDLE_PRICES.usdPerMillionObjectRequests) / 1e6;
  return {
    gbSecondsPerDay: Math.round(gbSecondsPerDay),
    requestsPerDay: { worker: Math.round(workerRequests), object: Math.round(objectRequests) },
    usdPerDay: { duration: roundUsd(duration), requests: roundUsd(requests), total: roundUsd(duration + requests) },
  };
}

/** IDLE_CLIENTS objects resident `seconds` once: what a start costs, paid once by a day of one held stream. */
export const oneStartUsd = (seconds: number): number => roundUsd(durationUsd(seconds * IDLE_CLIENTS * IDLE_PRICES.objectGb));

const durationUsd = (gbSeconds: number) => (gbSeconds * IDLE_PRICES.usdPerMillionGbSeconds) / 1e6;

/** To a hundredth of a cent: one start of 10,000 idle objects costs a fraction of a dollar. */
const roundUsd = (usd: number) => Math.round(usd * 1e4) / 1e4;
