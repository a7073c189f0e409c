/**
 * The Worker's end of the bridge (protocol.ts): turns the object's `101` into the client's SSE
 * response. Each write the object sends goes to the stream as it came, each batch the client
 * takes is reported back as read, and the response ends when the socket does: a client whose
 * object was reset or moved reconnects and resumes with Last-Event-ID.
 */
import { SseStream } from "../sse-stream.js";
import { BridgeClose, decodeWrite, encodeRead, HEARTBEAT_HEADER, LIFETIME_HEADER, type Opening } from "./protocol.js";

/** The object's answer to a stream's opening: its `101`, or the refusal it sent (object-end.ts `refuseStream`). */
export async function readOpening<Refusal>(response: Response): Promise<Opening<Refusal>> {
  if (response.status === 101) return { status: "open", upgrade: response };
  return (await response.json()) as Refusal;
}

export function bridgeStream(upgrade: Response, headers: HeadersInit): Response {
  const socket = upgrade.webSocket;
  if (!socket) throw new Error(`The object answered ${upgrade.status} without a WebSocket`);
  socket.accept();
  const heartbeat = Number(upgrade.headers.get(HEARTBEAT_HEADER));
  const stream = new SseStream(
    { lifetimeMs: Number(upgrade.headers.get(LIFETIME_HEADER)) || 0, heartbeatMs: heartbeat > 0 ? heartbeat : undefined },
    {
      onread: (seqs) => trySend(socket, encodeRead(seqs)),
      onclose: (unconfirmed) => tryClose(socket, unconfirmed.length > 0 ? BridgeClose.CLIENT_GONE : BridgeClose.END),
    },
  );
  // The pieces of a long write so far: the client gets whole events, or none of one.
  let pieces = "";
  socket.addEventListener("message", ({ data }) => {
    if (typeof data !== "string") return;
    const { frames, seqs, more } = decodeWrite(data);
    pieces += frames;
    if (more) return;
    stream.write(pieces, seqs);
    pieces = "";
  });
  socket.addEventListener("close", ({ code }) => (code === BridgeClose.CUT ? stream.cut() : stream.close()));
  socket.addEventListener("error", () => stream.close());
  return new Response(stream.readable, { headers });
}

/** The object may have closed its end first. */
function trySend(socket: WebSocket, message: string): void {
  try {
    socket.send(message);
  } catch {
    // Closed: the object learns the rest from the close.
  }
}

function tryClose(socket: WebSocket, code: number): void {
  try {
    socket.close(code);
  } catch {
    // Closed already.
  }
}
