/**
 * How a Worker opens a listen stream on its hub (src/listen/hub-do.ts): through the hub's `fetch`,
 * not an RPC, since only a fetch can hand back a WebSocket. The opening travels in one header of
 * that internal upgrade request; the hub answers with its listener's socket (a `101`, for the
 * Worker to bridge: src/wire/bridge/worker-end.ts) or, in the same round trip, with why not as
 * JSON.
 */
import type { Opening } from "../wire/bridge/protocol.js";
import { readOpening } from "../wire/bridge/worker-end.js";
import type { ListenerSpec } from "./listener-frames.js";

export interface ListenOpening extends ListenerSpec {
  /** Counted against MAX_LISTENERS_PER_PRINCIPAL; false for a shared principal. */
  limitPerPrincipal: boolean;
  /** Override the limits and the keepalive interval (tests, deployments with other needs). */
  maxPerHub?: number;
  maxPerPrincipal?: number;
  keepaliveMs?: number;
}

/** Why the hub opened no listener: it holds as many as it may, or the opening is none it can keep. */
export type ListenRefusal = { status: "full"; reason: string } | { status: "invalid"; reason: string };

export type ListenOutcome = Opening<ListenRefusal>;

/**
 * Characters of an opening as its header carries it. The hub keeps the opening as its socket's
 * attachment, which workerd holds in memory across hibernation and refuses above 16,384 bytes
 * once serialized. A character costs at most 2 bytes there: a string with one character beyond
 * Latin-1 is stored at 2 bytes a character (one such string fits up to 8,188 characters, an ASCII
 * one 16,379), and an escaped character takes 6 here. 7 KiB therefore stays below the limit with
 * room for the serialization's own framing, and holds 100 resource URIs
 * (MAX_RESOURCE_SUBSCRIPTIONS) of 60 characters.
 */
export const MAX_OPENING_CHARS = 7 * 1024;

const OPENING_HEADER = "x-listen-opening";

/** The hub's request for `opening`, or why there is none: the opening is longer than a hub keeps. */
export function listenRequest(opening: ListenOpening): Request | string {
  const encoded = asciiJson(opening);
  if (encoded.length > MAX_OPENING_CHARS) return tooLarge(encoded.length);
  return new Request("https://hub.internal/listen", { headers: { upgrade: "websocket", [OPENING_HEADER]: encoded } });
}

/** The opening a hub's request carries, or why it carries none it can keep. */
export function readListenRequest({ headers }: Request): ListenOpening | string {
  const encoded = headers.get(OPENING_HEADER);
  if (encoded === null) return `the request has no ${OPENING_HEADER} header`;
  if (encoded.length > MAX_OPENING_CHARS) return tooLarge(encoded.length);
  try {
    return JSON.parse(encoded) as ListenOpening;
  } catch {
    return `the ${OPENING_HEADER} header is not JSON`;
  }
}

/** Opens a listener on `hub`: its socket's `101`, or why not. Too long an opening never leaves the Worker. */
export async function openListener(
  hub: { fetch(request: Request): Promise<Response> },
  opening: ListenOpening,
): Promise<ListenOutcome> {
  const request = listenRequest(opening);
  if (typeof request === "string") return { status: "invalid", reason: request };
  return readOpening<ListenRefusal>(await hub.fetch(request));
}

function tooLarge(chars: number): string {
  return `the subscription takes ${chars} characters (its filter, its id and the server's description); a listener hub keeps at most ${MAX_OPENING_CHARS}`;
}

/** JSON with every character beyond ASCII escaped (`\uXXXX`): a valid header value, which JSON.parse reads back as it was. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
