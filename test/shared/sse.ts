// Read Server-Sent Events from a fetch Response with eventsource-parser.
import { EventSourceParserStream, type EventSourceMessage } from "eventsource-parser/stream";

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

function eventReader(response: Response): ReadableStreamDefaultReader<EventSourceMessage> {
  if (!response.body) throw new Error(`response ${response.status} has no body`);
  return response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ onError: "terminate" }))
    .getReader();
}

function toSseEvent({ id, event, data }: EventSourceMessage): SseEvent {
  return { data, ...(id !== undefined && { id }), ...(event !== undefined && { event }) };
}

/** Yields each event of `response`'s body until the stream ends. Leaving the loop early cancels the body. */
export async function* sseEvents(response: Response): AsyncGenerator<SseEvent> {
  const reader = eventReader(response);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield toSseEvent(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * Hands each event to `enough` until it returns true or the stream ends; after `timeoutMs` the
 * body is cancelled, which ends the read. Cancels the body either way (the stream may stay open).
 */
async function readEvents(
  response: Response,
  timeoutMs: number,
  enough: (event: SseEvent) => boolean,
): Promise<{ timedOut: boolean }> {
  const reader = eventReader(response);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void reader.cancel().catch(() => {}); // resolves the pending read() with done
  }, timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { timedOut };
      if (enough(toSseEvent(value))) return { timedOut: false };
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}

/**
 * Collects the JSON-parsed `data` of the first `count` events; events with empty data (e.g. a
 * priming event that only carries an id) are skipped. Throws, with what it got so far, when the
 * stream ends early or `timeoutMs` passes.
 */
export async function readSseMessages<T = unknown>(response: Response, count: number, timeoutMs = 10_000): Promise<T[]> {
  const messages: T[] = [];
  const { timedOut } = await readEvents(response, timeoutMs, (event) => {
    if (event.data !== "") messages.push(JSON.parse(event.data) as T);
    return messages.length >= count;
  });
  if (messages.length < count) {
    const why = timedOut ? `timed out after ${timeoutMs} ms` : "stream ended";
    throw new Error(`${why} with ${messages.length} of ${count} SSE messages: ${JSON.stringify(messages)}`);
  }
  return messages;
}

/**
 * Every event until the server ends the stream (a POST stream ends after its response), priming
 * events included. Throws, with what it got, when the stream is still open after `timeoutMs`.
 */
export async function readAllSseEvents(response: Response, timeoutMs = 10_000): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const { timedOut } = await readEvents(response, timeoutMs, (event) => {
    events.push(event);
    return false;
  });
  if (timedOut) throw new Error(`still open after ${timeoutMs} ms, with ${events.length} SSE events: ${JSON.stringify(events)}`);
  return events;
}

/** The JSON-parsed `data` of every event until the stream ends; see readAllSseEvents. */
export async function readAllSseMessages<T = unknown>(response: Response, timeoutMs = 10_000): Promise<T[]> {
  const events = await readAllSseEvents(response, timeoutMs);
  return events.filter((event) => event.data !== "").map((event) => JSON.parse(event.data) as T);
}

/** Reads a stream one event at a time, across awaits. */
export interface SseCursor {
  /** The next event, priming events and all; throws "the stream ended" at the end. */
  event(): Promise<SseEvent>;
  /** The JSON-parsed data of the next event that has data. */
  message<T = Record<string, unknown>>(): Promise<T>;
  cancel(): Promise<void>;
}

export function sseCursor(response: Response): SseCursor {
  const reader = eventReader(response);
  const event = async (): Promise<SseEvent> => {
    const { value, done } = await reader.read();
    if (done) throw new Error("the stream ended");
    return toSseEvent(value);
  };
  return {
    event,
    async message<T>() {
      for (;;) {
        const next = await event();
        if (next.data !== "") return JSON.parse(next.data) as T;
      }
    },
    // Cancelling the reader also ends a read still waiting (one that lost a race with a timer).
    async cancel() {
      await reader.cancel().catch(() => {});
    },
  };
}
