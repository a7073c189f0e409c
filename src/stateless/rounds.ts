/**
 * The client's side of a multi round-trip request, read from a retry: `inputResponses` (this
 * round's answers) and `requestState` (the earlier rounds', sealed by this server and bound to
 * the principal, the method and the request's salient params), and the sealer for the next one.
 */
import type { JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { createStateSealer, stateSecretFrom, type StateBinding } from "../security/sealed-state.js";
import { errorMessage, logError } from "../wire/log.js";
import { InputRounds, type AnswerBook } from "./input-rounds.js";
import type { RoundContext } from "./transport.js";

/** The secret's binding name unless a deployment names another. */
export const DEFAULT_STATE_SECRET = "MCP_STATE_SECRET";

export type RoundsOutcome = { ok: true; context: RoundContext; request: JSONRPCRequest } | { ok: false; message: string };

/** The params a `requestState` is bound to: the request's own, not what the rounds add. */
function salientParams({ method, params = {} }: JSONRPCRequest): Record<string, unknown> {
  return method === "resources/read" ? { uri: params["uri"] } : { name: params["name"], arguments: params["arguments"] };
}

/**
 * The rounds of `request`, and the request as the server must see it (without `inputResponses`
 * and `requestState`). The secret is read at first use, so that a deployment without one
 * serves every request that asks the client nothing, and says what to set for the others.
 */
export async function readRounds(
  request: JSONRPCRequest,
  principal: string,
  env: object,
  secretName: string,
): Promise<RoundsOutcome> {
  const { inputResponses, requestState, ...params } = request.params ?? {};
  if (
    inputResponses !== undefined &&
    (typeof inputResponses !== "object" || inputResponses === null || Array.isArray(inputResponses))
  ) {
    return { ok: false, message: "Invalid params: inputResponses must be an object of answers by key" };
  }
  const binding: StateBinding = { principal, method: request.method, params: salientParams(request) };
  const sealer = () => createStateSealer({ secret: stateSecretFrom(env, secretName) });
  if (requestState !== undefined) {
    try {
      sealer();
    } catch (error) {
      return { ok: false, message: errorMessage(error) };
    }
  }
  let book: AnswerBook = { answers: {} };
  if (requestState !== undefined) {
    const opened = typeof requestState === "string" ? await sealer().open(requestState, binding) : undefined;
    if (!opened?.ok) {
      logError("A requestState was refused", { reason: opened?.reason ?? "not a string" });
      return { ok: false, message: "Invalid params: the requestState is invalid or expired; send the request again without it" };
    }
    book = opened.payload as AnswerBook;
  }
  const rounds = new InputRounds(book, (inputResponses ?? {}) as Record<string, unknown>);
  return { ok: true, context: { rounds, seal: (next) => sealer().seal(next, binding) }, request: { ...request, params } };
}
