/**
 * Multi round-trip requests (spec 2026-07-28, basic/patterns/mrtr) for handlers written for the
 * session era, by replay. A handler asks the client with `elicitInput`, `createMessage` or
 * `listRoots` as it always did; on this era each question becomes an entry of `inputRequests`,
 * and the client's retry runs the handler again, on a fresh server, with the answers given back
 * in order: those of earlier rounds from the sealed `requestState`, this round's from
 * `inputResponses`. A handler therefore runs again in every round, and what it does before its
 * questions happens again each time.
 */
import type { JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { keyedQuestion, validAnswer, type InputRequest } from "../wire/answers.js";

/** The requests that may answer `input_required` (spec 2026-07-28, basic/patterns/mrtr). */
export const MULTI_ROUND_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);

/** What a sealed `requestState` carries: every answer the handler has had so far, by key. */
export interface AnswerBook {
  answers: Record<string, { method: string; result: unknown }>;
  /** The keys the round before asked: a tool that asks first becomes a task once they are all answered. */
  asked?: string[];
}

/** `fresh`: the answer came with this round's `inputResponses`, not from an earlier round. */
export type Decision = { kind: "answer"; result: unknown; fresh: boolean } | { kind: "ask"; key: string; request: InputRequest };

export class InputRounds {
  readonly #book: AnswerBook;
  readonly #askedBefore: readonly string[];
  readonly #responses: Record<string, unknown>;
  #asked = 0;
  readonly #pending = new Map<string, InputRequest>();

  /** `book`: the answers of earlier rounds; `responses`: this round's `inputResponses`. */
  constructor(book: AnswerBook, responses: Record<string, unknown>) {
    this.#book = { answers: { ...book.answers } };
    this.#askedBefore = book.asked ?? [];
    this.#responses = responses;
  }

  /** The handler's next question: answered from what the client sent, or to be asked in this round's result. */
  take(question: JSONRPCRequest): Decision {
    const { key, request } = keyedQuestion(question, this.#asked++);
    const known = this.#book.answers[key];
    if (known?.method === question.method) return { kind: "answer", result: known.result, fresh: false };
    const answer = validAnswer(question.method, this.#responses[key]);
    if (answer !== undefined) {
      this.#book.answers[key] = { method: question.method, result: answer };
      return { kind: "answer", result: answer, fresh: true };
    }
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

  /** Whether every question the round before asked now has its answer. */
  get answeredAsked(): boolean {
    return this.#askedBefore.every((key) => key in this.#book.answers);
  }

  /** What the next round's `requestState` must carry. */
  book(): AnswerBook {
    return { ...this.#book, asked: [...this.#pending.keys()] };
  }
}
