/**
 * Session-unique ids for the server's requests to the client (DESIGN.md "Server→client request
 * during a tool call"). The SDK numbers requests from 0 in every server instance, so two
 * isolates serving one session would send the client the same id; each request leaves under a
 * random id instead, and the client's answer, which may reach any isolate, is mapped back to
 * the id the server is waiting on. The SDK's own cancellation of one of its requests goes out
 * under the client's id and ends the wait.
 */
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { cancelledRequestId } from "../../wire/message-kind.js";

type JsonRpcResponse = JSONRPCResultResponse | JSONRPCErrorResponse;

export class ServerRequestIds {
  /** Requests in flight: session-unique id → the id the server gave it, and back. */
  readonly #original = new Map<string, RequestId>();
  readonly #unique = new Map<RequestId, string>();

  /** True while a request of the server waits for the client's answer. */
  get waiting(): boolean {
    return this.#original.size > 0;
  }

  /** The request as the client sees it, under a session-unique id kept until it is answered. */
  track(request: JSONRPCRequest): JSONRPCRequest & { id: string } {
    const id = crypto.randomUUID();
    this.#original.set(id, request.id);
    this.#unique.set(request.id, id);
    return { ...request, id };
  }

  /** Forgets a request the client never saw (its registration failed). */
  forget(id: string): void {
    const original = this.#original.get(id);
    this.#original.delete(id);
    if (original !== undefined) this.#unique.delete(original);
  }

  /** The client's answer under the id the server gave the request; undefined when none waits for it. */
  answer(response: JsonRpcResponse): JsonRpcResponse | undefined {
    const id = response.id === undefined ? undefined : String(response.id);
    const original = id === undefined ? undefined : this.#original.get(id);
    if (id === undefined || original === undefined) return undefined;
    this.forget(id);
    return { ...response, id: original };
  }

  /**
   * The SDK's cancellation of one of its requests (on timeout or abort), under the id the client
   * knows; undefined for any other message. The SDK no longer waits for that request, so it is
   * forgotten: nothing holds the POST for it, and an answer that still comes is dropped.
   */
  giveUp(message: JSONRPCMessage): JSONRPCMessage | undefined {
    const requestId = cancelledRequestId(message);
    const id = requestId === undefined ? undefined : this.#unique.get(requestId);
    if (id === undefined || !("method" in message)) return undefined;
    this.forget(id);
    return { ...message, params: { ...message.params, requestId: id } };
  }
}
