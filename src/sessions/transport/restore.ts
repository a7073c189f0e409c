/**
 * Restore by replay: a fresh server continues a session another isolate initialized by being
 * sent the stored `initialize` (and `logging/setLevel`) through its own handlers, the SDK's
 * public surface, never its private fields (DESIGN.md "Distributed transport"). The server
 * answers the replayed requests as usual; those answers are taken here and never reach the client.
 */
import type { JSONRPCMessage, JSONRPCRequest, RequestId, ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { isErrorResponse, isResponse } from "../../wire/message-kind.js";
import type { SessionRecord } from "../record.js";

/** Ids of the requests a restore replays; answered before any client message is dispatched. */
export const RESTORE_ID_PREFIX = "durable-mcp/restore/";

/** Hands a replayed request to the server, as a client message would be. */
export type Dispatch = (request: JSONRPCRequest) => void;

export class SessionRestore {
  readonly #waiting = new Map<RequestId, (response: JSONRPCMessage) => void>();

  /**
   * Replays the record into the server; resolves with the capabilities the server declares in
   * its initialize result, rejects when the server refuses a replayed request.
   */
  async run(record: SessionRecord, dispatch: Dispatch): Promise<ServerCapabilities> {
    const initialized = await this.#replay(
      {
        method: "initialize",
        params: {
          protocolVersion: record.protocolVersion,
          capabilities: record.clientCapabilities,
          clientInfo: record.clientInfo,
        },
      },
      dispatch,
    );
    if (record.logLevel) await this.#replay({ method: "logging/setLevel", params: { level: record.logLevel } }, dispatch);
    return (initialized["capabilities"] ?? {}) as ServerCapabilities;
  }

  /** Takes the server's answer to a replayed request; false for any other message. */
  take(message: JSONRPCMessage): boolean {
    const settle = isResponse(message) && message.id !== undefined ? this.#waiting.get(message.id) : undefined;
    settle?.(message);
    return settle !== undefined;
  }

  #replay(request: Omit<JSONRPCRequest, "jsonrpc" | "id">, dispatch: Dispatch): Promise<Record<string, unknown>> {
    const id = `${RESTORE_ID_PREFIX}${request.method}`;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, (response) => {
        this.#waiting.delete(id);
        if (isErrorResponse(response)) {
          reject(new Error(`Restoring the session failed at ${request.method}: ${response.error.message}`));
        } else {
          resolve("result" in response ? response.result : {});
        }
      });
      dispatch({ jsonrpc: "2.0", id, ...request });
    });
  }
}
