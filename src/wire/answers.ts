/**
 * The answers a client gives to a server's question (elicitation, sampling, roots), checked with
 * the SDK's schemas: the 2026-07-28 lane takes them from `inputResponses`, a task from
 * `tasks/update`. Anything that is not a well-formed answer of the kind asked counts as no answer.
 */
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
  type JSONRPCRequest,
} from "@modelcontextprotocol/sdk/types.js";

const ANSWER_SCHEMAS = {
  "elicitation/create": ElicitResultSchema,
  "sampling/createMessage": CreateMessageResultSchema,
  "roots/list": ListRootsResultSchema,
} as const;

type QuestionMethod = keyof typeof ANSWER_SCHEMAS;

/** The answer, parsed, when `response` answers a question of `method`; otherwise undefined. */
export function validAnswer(method: string, response: unknown): Record<string, unknown> | undefined {
  if (response === undefined || !(method in ANSWER_SCHEMAS)) return undefined;
  const parsed = ANSWER_SCHEMAS[method as QuestionMethod].safeParse(response);
  return parsed.success ? (parsed.data as Record<string, unknown>) : undefined;
}

/** Lets a handler name its question's key in `inputRequests` (removed before the question leaves). */
export const INPUT_KEY_META = "durable-mcp/inputKey";

/** An `inputRequests` entry: the question without its JSON-RPC id. */
export interface InputRequest {
  method: string;
  params?: Record<string, unknown>;
}

/**
 * The key of a handler's `index`th question (the name it gave, or method and position, which a
 * handler run again asks in the same order) and the question as the client sees it.
 */
export function keyedQuestion(question: JSONRPCRequest, index: number): { key: string; request: InputRequest } {
  const { [INPUT_KEY_META]: named, ...meta } = (question.params?._meta ?? {}) as Record<string, unknown>;
  const key = typeof named === "string" && named !== "" ? named : `${question.method}#${index}`;
  const { _meta: _ours, ...rest } = question.params ?? {};
  const params = Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
  return { key, request: { method: question.method, params } };
}
