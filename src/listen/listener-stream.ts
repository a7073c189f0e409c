/**
 * One `subscriptions/listen` stream, held by its hub: the acknowledgement first, then every change
 * its filter passes, each stamped with the subscription id (the listen request's id), and comment
 * keepalives in between so that proxies keep it open. Writes never wait for the client: a reader
 * that leaves MAX_UNREAD_BYTES unread is dropped, and reconnects with a new listen request.
 */
import { SERVER_INFO_META_KEY, SUBSCRIPTION_ID_META_KEY } from "@modelcontextprotocol/server";
import type { Implementation, JSONRPCMessage, JSONRPCNotification, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { encodeComment, encodeMessage, HEARTBEAT_INTERVAL_MS, MAX_UNREAD_BYTES } from "../wire/sse.js";
import { accepts, type SubscriptionFilter } from "./filter.js";

export interface ListenerSpec {
  subscriptionId: RequestId;
  /** Whose listener it is: a change scoped to another principal passes it by. */
  principal: string;
  /** Already narrowed to what the server honours. */
  filter: SubscriptionFilter;
  serverInfo: Implementation;
}

export class ListenerStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly spec: ListenerSpec;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly #keepalive: ReturnType<typeof setInterval>;
  readonly #onclose: () => void;
  #open = true;

  constructor(spec: ListenerSpec, onclose: () => void, keepaliveMs = HEARTBEAT_INTERVAL_MS) {
    this.spec = spec;
    this.#onclose = onclose;
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        // The client closed the stream: that ends the subscription.
        cancel: () => this.#end(),
      },
      { highWaterMark: MAX_UNREAD_BYTES, size: (chunk) => chunk.byteLength },
    );
    this.#write(
      this.#stamped({
        jsonrpc: "2.0",
        method: "notifications/subscriptions/acknowledged",
        params: { notifications: spec.filter },
      }),
    );
    this.#keepalive = setInterval(() => this.ping(), keepaliveMs);
  }

  /** A comment line: keeps proxies from closing the stream, and lets a client's close come back. */
  ping(): void {
    this.#enqueue(encodeComment("keepalive"));
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Writes `change` if it is for this listener; true when it was written. */
  offer(change: JSONRPCNotification, principal: string | undefined): boolean {
    if (!this.#open || (principal !== undefined && principal !== this.spec.principal)) return false;
    if (!accepts(this.spec.filter, change)) return false;
    this.#write(this.#stamped(change));
    return this.#open;
  }

  /** The server ends the subscription: the listen request's (empty) result, then the end of the stream. */
  end(): void {
    if (!this.#open) return;
    const { subscriptionId, serverInfo } = this.spec;
    const meta = { [SUBSCRIPTION_ID_META_KEY]: subscriptionId, [SERVER_INFO_META_KEY]: serverInfo };
    this.#write({ jsonrpc: "2.0", id: subscriptionId, result: { resultType: "complete", _meta: meta } });
    this.#end();
    this.#controller.close();
  }

  #stamped(notification: JSONRPCNotification): JSONRPCNotification {
    const params = notification.params ?? {};
    const meta = { ...(params["_meta"] as object | undefined), [SUBSCRIPTION_ID_META_KEY]: this.spec.subscriptionId };
    return { ...notification, params: { ...params, _meta: meta } };
  }

  #write(message: JSONRPCMessage): void {
    this.#enqueue(encodeMessage(message));
  }

  #enqueue(frames: string): void {
    if (!this.#open) return;
    try {
      this.#controller.enqueue(this.#encoder.encode(frames));
    } catch {
      // The client's cancel may reach the object only as a stream that no longer takes writes.
      this.#end();
      return;
    }
    if ((this.#controller.desiredSize ?? 0) <= 0) {
      this.#end();
      this.#controller.error(new Error("the listener read too slowly"));
    }
  }

  #end(): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#keepalive);
    this.#onclose();
  }
}
