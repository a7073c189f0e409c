// The hibernation probe (issue 19): can a session object sleep while a client's SSE stream stays
// open, and wake for a publish? The Worker holds the client's SSE response and a WebSocket to the
// object; the object accepts it as hibernatable (`ctx.acceptWebSocket`) and holds nothing else.
// Each object stamps what it sends with its instance id, so a reader sees whether the object
// that delivered a message is the one that accepted the stream (it stayed in memory) or a new one
// (it hibernated and woke for the publish).
import { DurableObject } from "cloudflare:workers";

interface Env {
  PROBE: DurableObjectNamespace<HibernatingDO>;
}

export class HibernatingDO extends DurableObject {
  readonly #instance = crypto.randomUUID();

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade") !== "websocket") return new Response("expected a WebSocket", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.send(JSON.stringify({ kind: "accepted", instance: this.#instance }));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends `sentAt` to every open socket; answers how many and which instance sent it. */
  async publish(sentAt: number): Promise<{ sockets: number; instance: string }> {
    const sockets = this.ctx.getWebSockets();
    for (const socket of sockets) socket.send(JSON.stringify({ kind: "message", sentAt, instance: this.#instance }));
    return { sockets: sockets.length, instance: this.#instance };
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    socket.close(code, "closed");
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const stub = env.PROBE.get(env.PROBE.idFromName(url.searchParams.get("id") ?? "probe"));
    if (url.pathname === "/publish") return Response.json(await stub.publish(Date.now()));
    // The stream: the Worker bridges the object's socket to the client's SSE response.
    const upgraded = await stub.fetch("http://object/", { headers: { upgrade: "websocket" } });
    const socket = upgraded.webSocket;
    if (!socket) return new Response("no socket", { status: 502 });
    socket.accept();
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    const write = (frame: string) => void writer.write(encoder.encode(frame)).catch(() => socket.close(1000, "client left"));
    socket.addEventListener("message", (event) => write(`data: ${String(event.data)}\n\n`));
    socket.addEventListener("close", () => void writer.close().catch(() => undefined));
    // Heartbeats from the Worker's side: they keep edges from cutting the stream and never wake the object.
    const heartbeat = setInterval(() => write(": heartbeat\n\n"), 15_000);
    request.signal.addEventListener("abort", () => {
      clearInterval(heartbeat);
      socket.close(1000, "client left");
    });
    return new Response(readable, { headers: { "content-type": "text/event-stream", "cache-control": "no-store" } });
  },
};
