/**
 * SEP-2243 custom headers (spec 2026-07-28, basic/transports "Custom Headers from Tool
 * Parameters" and "Server Validation"): a tool's `inputSchema` may mark a property with
 * `x-mcp-header: "Region"`, and a `tools/call` that carries that argument must then carry
 * `Mcp-Param-Region` with the same value, so a proxy routing on the header and the server acting on
 * the body cannot be told different things. Pure: the lane finds the tool's schema, calls
 * `paramHeadersOf` and `checkParamHeaders`, and answers a mismatch with 400 `-32020`.
 *
 * The rules follow the SDK v2's own implementation (core `shared/mcpParamHeaders.ts`,
 * `scanXMcpHeaderDeclarations` and `validateMcpParamHeaders`), which its package does not export.
 */
import { decodeHeaderValue } from "./headers.js";

export type ParamHeaderType = "string" | "integer" | "boolean";

/** One `x-mcp-header` declaration: the argument's path from `arguments`, the header's `{Name}`, its type. */
export interface ParamHeader {
  readonly path: readonly string[];
  readonly header: string;
  readonly type: ParamHeaderType;
}

/** The schema keyword that names a header (spec: server/tools "x-mcp-header"). */
const DECLARATION_KEY = "x-mcp-header";

/** Every declared header is sent as this prefix plus the declared name. */
const HEADER_PREFIX = "Mcp-Param-";

/** RFC 9110 §5.1 `token` (`1*tchar`): the spec's constraint on a declared name; excludes CR, LF, space. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The types the spec allows a declaration on; `number` is explicitly not among them. */
const DECLARABLE_TYPES: readonly ParamHeaderType[] = ["string", "integer", "boolean"];

/**
 * A header value an integer argument is compared with numerically (the spec's SHOULD: `42.0`
 * equals `42`), as the SDK does; anything looser (`0x2a`, `1e3`, `+42`) is compared as text and
 * so does not match.
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The `x-mcp-header` declarations of a tool's JSON Schema input, found through `properties`
 * chains only (the spec's "statically reachable"; annotations under `items`, `anyOf`, `$ref`, … are
 * never reached).
 *
 * An invalid declaration (not a token, or on a type other than string/integer/boolean) is ignored
 * rather than failing the call: the schema is the server's own, so refusing the client's request
 * for it would punish the wrong party, and a conforming client has already dropped such a tool
 * from its list (spec: clients MUST exclude it) and sends none of its headers.
 *
 * A name declared twice (case-insensitively) is checked for neither property, since neither can be
 * said to own the header: the SDK's scan marks such a tool invalid and returns no declarations, so
 * its handler checks none of them (`createMcpHandler.ts`, "scan.declarations !== undefined"). The
 * SDK drops the tool's other declarations too; we keep them, as for any other invalid one.
 */
export function paramHeadersOf(inputSchema: unknown): ParamHeader[] {
  const found: ParamHeader[] = [];
  const visit = (schema: unknown, path: readonly string[]) => {
    const properties = isRecord(schema) ? schema.properties : undefined;
    if (!isRecord(properties)) return;
    for (const [key, property] of Object.entries(properties)) {
      if (!isRecord(property)) continue;
      const declared = declarationOf(property, [...path, key]);
      if (declared) found.push(declared);
      visit(property, [...path, key]);
    }
  };
  visit(inputSchema, []);
  const names = found.map(({ header }) => header.toLowerCase());
  return found.filter(({ header }) => names.filter((name) => name === header.toLowerCase()).length === 1);
}

/**
 * Undefined when every declared argument present in `args` has its `Mcp-Param-*` header with an
 * equal value; otherwise what is wrong, naming the header. An argument that is absent or null
 * needs no header, and one sent anyway is not looked at (spec: "Server MUST NOT expect the
 * header"; the SDK skips it too).
 */
export function checkParamHeaders(
  declared: readonly ParamHeader[],
  args: Record<string, unknown> | undefined,
  headers: Headers,
): string | undefined {
  for (const { path, header, type } of declared) {
    const value = valueAt(args, path);
    const expected = textOf(value);
    // Absent or null: no header is expected. An object where the schema says string, or an unsafe
    // integer: no client could write it, and the tool's argument validation refuses it, which says
    // more than a header mismatch would (the SDK skips it too).
    if (expected === undefined) continue;
    const name = HEADER_PREFIX + header;
    const sent = headers.get(name);
    if (sent === null) return `the ${name} header is required when arguments.${path.join(".")} is given`;
    const decoded = decodeHeaderValue(sent.trim());
    if (decoded === undefined) return `the ${name} header is not valid =?base64?…?= UTF-8`;
    const equal =
      type === "integer" && typeof value === "number" && DECIMAL.test(decoded) ? Number(decoded) === value : decoded === expected;
    if (!equal) return `the ${name} header does not match arguments.${path.join(".")}`;
  }
  return undefined;
}

function declarationOf(property: Record<string, unknown>, path: readonly string[]): ParamHeader | undefined {
  const header = property[DECLARATION_KEY];
  const type = property.type;
  if (typeof header !== "string" || !TOKEN.test(header)) return undefined;
  if (!isDeclarable(type)) return undefined;
  return { path, header, type };
}

function isDeclarable(type: unknown): type is ParamHeaderType {
  return DECLARABLE_TYPES.some((declarable) => declarable === type);
}

/** The argument at `path`, own members only (a missing `constructor` must not find Object's). */
function valueAt(args: Record<string, unknown> | undefined, path: readonly string[]): unknown {
  let node: unknown = args;
  for (const key of path) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** How a client writes the value into its header (spec "Value Encoding"); undefined when it sends none. */
function textOf(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value)) ? String(value) : undefined;
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
