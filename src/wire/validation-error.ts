/**
 * One line instead of a schema dump. When a request's params fail the SDK's zod schema, the SDK
 * answers with the ZodError's message, its issues as multi-line JSON, under -32603 (issue 20).
 * Such an answer becomes -32602 with a line that names each field and what was wrong with it.
 */
import { ErrorCode, type JSONRPCErrorResponse } from "@modelcontextprotocol/sdk/types.js";

/** Fields named in the message; the rest are counted, so that a hostile body cannot make it long. */
export const MAX_NAMED_ISSUES = 3;

interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

/** `response` unchanged unless its message is a dump of schema issues. */
export function readableValidationError(response: JSONRPCErrorResponse): JSONRPCErrorResponse {
  const issues = schemaIssues(response.error.message);
  if (!issues) return response;
  const named = issues.slice(0, MAX_NAMED_ISSUES).map(describeIssue);
  const more = issues.length > MAX_NAMED_ISSUES ? ` (and ${issues.length - MAX_NAMED_ISSUES} more)` : "";
  const message = `Invalid params: ${named.join("; ")}${more}`;
  return { ...response, error: { code: ErrorCode.InvalidParams, message } };
}

function schemaIssues(message: string): SchemaIssue[] | undefined {
  if (!message.startsWith("[")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isSchemaIssue)) return undefined;
  return parsed;
}

function isSchemaIssue(value: unknown): value is SchemaIssue {
  if (typeof value !== "object" || value === null) return false;
  const { path, message } = value as Partial<SchemaIssue>;
  return Array.isArray(path) && typeof message === "string";
}

/** `params.clientInfo: expected object, received undefined`, on one line whatever the field name holds. */
function describeIssue({ path, message }: SchemaIssue): string {
  const field = path.length > 0 ? path.map(String).join(".") : "the message";
  const what = message.replace(/^Invalid input: /, "");
  return `${field}: ${what}`.replace(/\s+/g, " ");
}
