/**
 * Multi round-trip requests (spec 2026-07-28, basic/patterns/mrtr) for handlers written for the
 * session era, by replay. A handler asks the client with `elicitInput`, `createMessage` or
 * `listRoots` as it always did; on this era each question becomes an entry of `inputRequests`,
 * and the client's retry runs the handler again, on a fresh server, with the answers given back
 * in order: those of earlier rounds from the sealed `requestState`, this round's from
 * `inputResponses`. A handler therefore runs again in every round, and what it does before its
 * questions happens again each time.
 */
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
  type JSONRPCRequest,
} from "@modelcontextprotocol/sdk/types.js";

/** Lets a handler name its question's key in `inputRequests` (removed before the question leaves). */
export const INPUT_KEY_META = "durable-mcp/inputKey";

/** The requests that may answer `input_required` (spec 2026-07-28, basic/patterns/mrtr). */
export const MULTI_ROUND_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);

const ANSWER_SCHEMAS = {
  "elicitation/create": ElicitResultSchema,
  "sampling/createMessage": CreateMessageResultSchema,
  "roots/list": ListRootsResultSchema,
} as const;

type QuestionMethod = keyof typeof ANSWER_SCHEMAS;

/** What a sealed `requestState` carries: every answer the handler has had so far, by key. */
export interface AnswerBook {
  answers: Record<string, { method: string; result: unknown }>;
}

/** An `inputRequests` entry: the question without its JSON-RPC id. */
export interface InputRequest {
  method: string;
  params?: Record<string, unknown>;
}

export type Decision = { kind: "answer"; result: unknown } | { kind: "ask"; key: string; request: InputRequest };

export class InputRounds {
  readonly #book: AnswerBook;
  readonly #responses: Record<string, unknown>;
  #asked = 0;
  readonly #pending = new Map<string, InputRequest>();

  /** `book`: the answers of earlier rounds; `responses`: this round's `inputResponses`. */
  constructor(book: AnswerBook, responses: Record<string, unknown>) {
    this.#book = { answers: { ...book.answers } };
    this.#responses = responses;
  }

  /** The handler's next question: answered from what the client sent, or to be asked in this round's result. */
  take(question: JSONRPCRequest): Decision {
    const index = this.#asked++;
    const { [INPUT_KEY_META]: named, ...meta } = (question.params?._meta ?? {}) as Record<string, unknown>;
    const key = typeof named === "string" && named !== "" ? named : `${question.method}#${index}`;
    const known = this.#book.answers[key];
    if (known?.method === question.method) return { kind: "answer", result: known.result };
    const answer = this.#valid(question.method, this.#responses[key]);
    if (answer !== undefined) {
      this.#book.answers[key] = { method: question.method, result: answer };
      return { kind: "answer", result: answer };
    }
    const { _meta: _ours, ...rest } = question.params ?? {};
    const params = Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
    const request = { method: question.method, params };
    this.#pending.set(key, request);
    return { kind: "ask", key, request };
  }

  get asking(): boolean {
    return this.#pending.size > 0;
  }

  /** `inputRequests` of this round's result. */
  inputRequests(): Record<string, InputRequest> {
    return Object.fromEntries(this.#pending);
  }

  /** What the next round's `requestState` must carry. */
  book(): AnswerBook {
    return this.#book;
  }

  /** A well-formed answer of the kind the question asks for; anything else counts as not answered. */
  #valid(method: string, response: unknown): unknown {
    if (response === undefined || !(method in ANSWER_SCHEMAS)) return undefined;
    const parsed = ANSWER_SCHEMAS[method as QuestionMethod].safeParse(response);
    return parsed.success ? parsed.data : undefined;
  }
}
