/**
 * What the event log (./storage.ts) keeps of one message: its JSON, unless that is larger than
 * one row should hold. A message too large is still delivered live where a stream is open; in
 * the log, a response is replaced by an error answer to the same request (a client that resumes
 * learns that the result is gone and may ask again, instead of waiting for it forever), and any
 * other message by nothing (its position counts as lost, so a resume from before it is refused).
 */
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { errorResponse } from "../../wire/errors.js";
import { isResponse } from "../../wire/message-kind.js";

/**
 * The largest message the log keeps, as JSON: below the 2 MB a row of a SQLite-backed Durable
 * Object may hold, and no more than the object's streams queue for a reader (MAX_UNREAD_BYTES).
 */
export const MAX_LOGGED_MESSAGE_BYTES = 1024 * 1024;

export interface KeptMessage {
  /** The message, or its stand-in. */
  message: JSONRPCMessage;
  json: string;
  bytes: number;
}

const encoder = new TextEncoder();

/** The message's JSON and its size in bytes, or its stand-in, or undefined when nothing is kept. */
export function keptMessage(message: JSONRPCMessage): KeptMessage | undefined {
  const json = JSON.stringify(message);
  const bytes = encoder.encode(json).byteLength;
  if (bytes <= MAX_LOGGED_MESSAGE_BYTES) return { message, json, bytes };
  if (!isResponse(message) || message.id === undefined) return undefined;
  const why = `The answer was ${bytes} bytes, more than the ${MAX_LOGGED_MESSAGE_BYTES} the session keeps for a resume: send the request again`;
  const standIn = errorResponse(message.id, ErrorCode.InternalError, why);
  const standInJson = JSON.stringify(standIn);
  return { message: standIn, json: standInJson, bytes: encoder.encode(standInJson).byteLength };
}
