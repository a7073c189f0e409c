// Every HTTP request a client transport sends, in the order it sent them, with the answer's
// status and (for a JSON answer) its body: the `fetch` option of an SDK client transport (v1 and
// v2 both take one), for tests that assert what a client puts on the wire.
import { Recorder } from "./mcp-client.js";

export interface SentRequest {
  /** POST, GET or DELETE. */
  httpMethod: string;
  /** Every request header, names lower-cased. */
  headers: Record<string, string>;
  /** The parsed JSON body (a JSON-RPC message), absent on GET and DELETE. */
  body?: { jsonrpc: "2.0"; id?: string | number; method?: string; params?: { _meta?: Record<string, unknown> } };
  /** The answer's HTTP status; 0 until it arrives. */
  status: number;
  /** The answer's media type (`application/json`, `text/event-stream`), once it arrives. */
  contentType?: string;
  /** The parsed body of an `application/json` answer; SSE answers are left to the transport. */
  answer?: unknown;
}

export class HttpLog extends Recorder<SentRequest> {
  /** Pass as the transport's `fetch` option. */
  readonly fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const sent: SentRequest = {
      httpMethod: init?.method ?? "GET",
      headers: Object.fromEntries(new Headers(init?.headers)),
      status: 0,
    };
    if (typeof init?.body === "string") sent.body = JSON.parse(init.body) as SentRequest["body"];
    this.push(sent);
    const response = await fetch(url, init);
    sent.status = response.status;
    sent.contentType = response.headers.get("content-type")?.split(";")[0];
    if (sent.contentType === "application/json") sent.answer = await response.clone().json();
    return response;
  };

  /** The POSTs, in order; the GET the transport opens by itself runs beside them. */
  get posts(): SentRequest[] {
    return this.received.filter(({ httpMethod }) => httpMethod === "POST");
  }
}
