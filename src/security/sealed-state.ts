/**
 * The sealed `requestState` of MCP 2026-07-28 multi round-trip requests (issue 21; SPEC
 * `basic/patterns/mrtr.mdx`): the server hands the client the answers of earlier rounds as an
 * opaque string and must get them back unaltered, from the same principal, for the same request.
 * AES-256-GCM under a key derived from a Worker secret; the principal, the method and a digest of
 * the salient params are the additional authenticated data, the expiry sits in the plaintext.
 * Not the SDK v2's `createRequestStateCodec`: it only signs (HMAC), so a client could read the
 * earlier answers, and the issue asks for authenticated encryption.
 */

/** Names the format in the wire form and in the AAD, so a later format never opens as this one. */
const VERSION = "v1";
const WIRE_PREFIX = `${VERSION}.`;
/** HKDF info: the same secret used elsewhere (or by another version) yields another key. */
const KEY_INFO = `durable-mcp/requestState/${VERSION}/AES-256-GCM`;
/** GCM's standard nonce length (NIST SP 800-38D), random per seal. */
const IV_BYTES = 12;
/** WebCrypto's AES-GCM default tag length, appended to the ciphertext. */
const TAG_BYTES = 16;

/** Ten minutes, as the SDK v2 codec's `ttlSeconds` default: long enough for a human to answer. */
export const DEFAULT_STATE_TTL_MS = 10 * 60 * 1000;
/**
 * Bounds what a client can make the Worker decode and decrypt per request. The answers of a few
 * rounds (elicitation forms, sampling results) fit in a few KiB; 64 KiB leaves room for many.
 */
export const MAX_STATE_BYTES = 64 * 1024;
/** In bytes: 256 bits, the AES key size, so the secret is not the weakest link. */
export const MIN_SECRET_LENGTH = 32;

/** What a state is bound to: only the salient params (`{name, arguments}` or `{uri}`), never `_meta`. */
export interface StateBinding {
  principal: string;
  method: string;
  params: Record<string, unknown>;
}

export type OpenResult =
  { ok: true; payload: unknown } | { ok: false; reason: "malformed" | "tampered-or-foreign" | "expired" | "too-large" };

export interface StateSealer {
  seal(payload: unknown, binding: StateBinding): Promise<string>;
  open(state: string, binding: StateBinding): Promise<OpenResult>;
}

export interface StateSealerOptions {
  /** At least MIN_SECRET_LENGTH bytes; see `stateSecretFrom`. */
  secret: string;
  ttlMs?: number;
  maxBytes?: number;
}

interface Envelope {
  exp: number;
  payload: unknown;
}

export function createStateSealer({
  secret,
  ttlMs = DEFAULT_STATE_TTL_MS,
  maxBytes = MAX_STATE_BYTES,
}: StateSealerOptions): StateSealer {
  if (!longEnough(secret)) throw secretError("<NAME>");
  const key = deriveKey(secret);

  return {
    async seal(payload, binding) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const envelope: Envelope = { exp: Date.now() + ttlMs, payload };
      const plaintext = new TextEncoder().encode(JSON.stringify(envelope));
      const algorithm = { name: "AES-GCM", iv, additionalData: await additionalData(binding) };
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt(algorithm, await key, plaintext));
      const state = WIRE_PREFIX + toBase64Url(concat(iv, ciphertext));
      // Handing out a state that `open` would refuse would only fail one round later.
      if (state.length > maxBytes) throw new RangeError(`The sealed requestState exceeds ${maxBytes} bytes`);
      return state;
    },

    async open(state, binding) {
      if (state.length > maxBytes) return { ok: false, reason: "too-large" };
      const bytes = state.startsWith(WIRE_PREFIX) ? fromBase64Url(state.slice(WIRE_PREFIX.length)) : undefined;
      if (!bytes || bytes.length < IV_BYTES + TAG_BYTES) return { ok: false, reason: "malformed" };
      const algorithm = { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: await additionalData(binding) };
      let plaintext: ArrayBuffer;
      try {
        plaintext = await crypto.subtle.decrypt(algorithm, await key, bytes.subarray(IV_BYTES));
      } catch {
        // GCM cannot tell a changed byte from another key or another binding: all fail the tag.
        return { ok: false, reason: "tampered-or-foreign" };
      }
      // Authenticated, so it is an envelope this sealer wrote.
      const envelope = JSON.parse(new TextDecoder().decode(plaintext)) as Envelope;
      if (Date.now() >= envelope.exp) return { ok: false, reason: "expired" };
      return { ok: true, payload: envelope.payload };
    },
  };
}

/** The secret in `env[bindingName]`, or a TypeError saying how to set it. */
export function stateSecretFrom(env: object, bindingName: string): string {
  const secret = (env as Record<string, unknown>)[bindingName];
  if (typeof secret !== "string" || !longEnough(secret)) throw secretError(bindingName);
  return secret;
}

function longEnough(secret: string): boolean {
  return new TextEncoder().encode(secret).length >= MIN_SECRET_LENGTH;
}

function secretError(name: string): TypeError {
  return new TypeError(
    `The requestState secret ${name} is missing or shorter than ${MIN_SECRET_LENGTH} bytes: ` +
      `run \`openssl rand -base64 32 | wrangler secret put ${name}\`, and for wrangler dev add a line ` +
      `${name}="<at least ${MIN_SECRET_LENGTH} random characters>" to .dev.vars`,
  );
}

async function deriveKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
  // No salt: the secret is already uniformly random; the info separates the purpose (RFC 5869 §3.1).
  const hkdf = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new TextEncoder().encode(KEY_INFO) };
  return crypto.subtle.deriveKey(hkdf, material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** A JSON array, so no principal or method can be crafted to shift the boundary between fields. */
async function additionalData({ principal, method, params }: StateBinding): Promise<Uint8Array> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalJson(params)));
  return new TextEncoder().encode(JSON.stringify([VERSION, principal, method, toBase64Url(new Uint8Array(digest))]));
}

/** JSON with every object's keys sorted, so the same params in another key order bind alike. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    nested && typeof nested === "object" && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : 1)))
      : nested,
  );
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function toBase64Url(bytes: Uint8Array): string {
  // Not String.fromCharCode(...bytes): a large state would exceed the argument limit.
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Only the canonical unpadded encoding: atob's leniency (whitespace, `+/`, padding) is refused. */
function fromBase64Url(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return toBase64Url(bytes) === text ? bytes : undefined;
}
