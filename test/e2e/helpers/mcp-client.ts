// The SDK's own client against a running server, with a window on the wire: every SSE message the
// transport receives is also recorded with the stream it came on (the standalone GET or a POST).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { SchemaOutput } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { CallToolResult, ClientCapabilities, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { createParser } from "eventsource-parser";
import { expect } from "vitest";
import type { Endpoint } from "../../shared/mcp.js";

/** The MCP endpoint of a dev server, for the raw helpers in test/shared/mcp.ts. */
export function endpointOf(baseUrl: string): Endpoint {
  return { url: `${baseUrl}/mcp`, fetch: (request) => fetch(request) };
}

/** Things that arrive over time, in order, and a way to wait for one of them. */
export class Recorder<T> {
  readonly received: T[] = [];
  readonly #waiters = new Set<() => void>();

  push(item: T): void {
    this.received.push(item);
    for (const waiter of this.#waiters) waiter();
  }

  /** Resolves with the first item (already received or still to come) that matches; rejects after `timeoutMs`. */
  waitFor(predicate: (item: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.received.find(predicate);
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`nothing matching within ${timeoutMs} ms; received: ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

export interface WireMessage {
  /** GET: the standalone stream; POST: the SSE answer to a POST. */
  via: "GET" | "POST";
  message: JSONRPCMessage;
}

export interface ConnectedClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** Every message that arrived on an SSE stream, in arrival order. */
  wire: Recorder<WireMessage>;
  /** The status of each GET the transport sent (it opens the standalone stream by itself). */
  getStatuses: Recorder<number>;
}

/** Connects (initialize + notifications/initialized) the SDK Client to `${baseUrl}/mcp`. */
export async function connectClient(
  baseUrl: string,
  options: { capabilities?: ClientCapabilities } = {},
): Promise<ConnectedClient> {
  const wire = new Recorder<WireMessage>();
  const getStatuses = new Recorder<number>();

  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    const via = init?.method === "GET" ? "GET" : "POST";
    if (via === "GET") getStatuses.push(response.status);
    const isSse = response.headers.get("content-type")?.startsWith("text/event-stream");
    if (!isSse || !response.body) return response;
    return new Response(
      tap(response.body, (message) => wire.push({ via, message })),
      {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      },
    );
  };

  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { fetch: recordingFetch });
  const client = new Client({ name: "e2e-sdk-client", version: "1.0.0" }, { capabilities: options.capabilities ?? {} });
  await client.connect(transport);
  return { client, transport, wire, getStatuses };
}

/** Passes `body` through unchanged, handing each SSE message to `onMessage` on the way. Cancelling it cancels `body`. */
function tap(body: ReadableStream<Uint8Array>, onMessage: (message: JSONRPCMessage) => void): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent: ({ data }) => {
      if (data !== "") onMessage(JSON.parse(data) as JSONRPCMessage);
    },
  });
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        controller.enqueue(chunk);
      },
    }),
  );
}

/** What toolText needs of a client: the SDK v1 and v2 `Client`s both have it. */
interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

/** The text of a tools/call result whose content is a single text block. */
export async function toolText(client: ToolCaller, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
  expect(result.content).toHaveLength(1);
  const [block] = result.content;
  expect(block?.type).toBe("text");
  return block?.type === "text" ? block.text : "";
}

type NotificationSchema = Parameters<Client["setNotificationHandler"]>[0];

/** Records the notifications of one kind that reach the client's handler (client.setNotificationHandler). */
export function inbox<S extends NotificationSchema>(client: Client, schema: S): Recorder<SchemaOutput<S>> {
  const recorder = new Recorder<SchemaOutput<S>>();
  client.setNotificationHandler(schema, (notification) => recorder.push(notification));
  return recorder;
}
