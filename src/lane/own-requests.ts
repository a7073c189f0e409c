/**
 * Requests a host sends the user's server on its own behalf, never a client's: the replayed
 * `initialize` that tells a fresh server its client, and the `tools/list` that shows a tool's
 * schema and annotations. Their answers come back through the transport's `send` and never leave
 * it. The 2026-07-28 lane and a task's run both ask these.
 */
import {
  LATEST_PROTOCOL_VERSION,
  type ClientCapabilities,
  type Implementation,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";

export class OwnRequests {
  readonly #waiting = new Map<string, (answer: JSONRPCMessage) => void>();

  /** Sends the server `method` through `deliver` (the transport's `onmessage`); resolves with its answer. */
  ask(
    deliver: (request: JSONRPCRequest) => void,
    id: string,
    method: string,
    params: Record<string, unknown>,
  ): Promise<JSONRPCMessage> {
    return new Promise((resolve) => {
      this.#waiting.set(id, (answer) => {
        this.#waiting.delete(id);
        resolve(answer);
      });
      deliver({ jsonrpc: "2.0", id, method, params });
    });
  }

  /** Hands `answer` to the request of ours it answers; false when it answers none of ours. */
  settle(answer: JSONRPCMessage): boolean {
    const id = "id" in answer && typeof answer.id === "string" ? answer.id : undefined;
    const waiting = id === undefined ? undefined : this.#waiting.get(id);
    waiting?.(answer);
    return waiting !== undefined;
  }
}

/** The `initialize` params that tell a fresh server the client a request or a task came from. */
export function initializeParams(capabilities: ClientCapabilities, clientInfo: Implementation): Record<string, unknown> {
  return { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities, clientInfo };
}

/** The tool named `name` in the server's answer to our `tools/list`, if it lists one. */
export function listedTool(answer: JSONRPCMessage, name: unknown): Tool | undefined {
  const tools = "result" in answer ? ((answer.result["tools"] ?? []) as Tool[]) : [];
  return tools.find((tool) => tool.name === name);
}
