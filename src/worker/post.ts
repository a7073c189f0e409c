/**
 * POST /mcp: a fresh server and transport per request. The one round trip to the session
 * object is `open` (check + record); `initialize` instead creates the session.
 */
import { ErrorCode, isInitializeRequest, isJSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { newSessionId } from "../session/session-id.js";
import { DistributedTransport } from "../transport/distributed-transport.js";
import { readPostBody } from "./body.js";
import { jsonRpcError, sessionNotFound } from "./errors.js";
import { checkContentType, checkProtocolVersion, chooseResponseMode } from "./headers.js";
import type { ResolvedOptions } from "./options.js";
import { requestedSessionId, sessionStub } from "./sessions.js";

export interface RequestScope<E> {
  request: Request;
  env: E;
  waitUntil(promise: Promise<unknown>): void;
}

export async function handlePost<E extends object>(
  { request, env, waitUntil }: RequestScope<E>,
  options: ResolvedOptions<E>,
): Promise<Response> {
  const mode = chooseResponseMode(request, options.responseMode);
  if (mode instanceof Response) return mode;
  const rejected = checkContentType(request);
  if (rejected) return rejected;
  const body = await readPostBody(request);
  if (body instanceof Response) return body;

  const initialize = body.messages.filter(isJSONRPCRequest).find(isInitializeRequest);
  if (initialize && body.messages.length > 1) {
    return jsonRpcError(400, ErrorCode.InvalidRequest, "Invalid Request: initialize must be sent alone", {
      id: initialize.id,
    });
  }
  const session = initialize ? await newSession(env, options) : await existingSession(request, env, options);
  if (session instanceof Response) return session;

  const transport = new DistributedTransport({
    sessionId: session.id,
    record: session.record,
    disableLocalSse: true,
    onsessioninitialized: (record) => session.stub.create(record),
    onsessionchange: (change) => session.stub.change([change]),
  });
  transport.onresponsesse = (messages) => session.stub.publish(messages);
  await options.server({ env, request }).connect(transport);
  const response = await transport.handlePost(body.messages, {
    mode,
    batch: body.batch,
    headers: { "mcp-session-id": session.id },
    requestInfo: { headers: Object.fromEntries(request.headers), url: new URL(request.url) },
  });
  waitUntil(transport.settled);
  return response;
}

async function newSession<E extends object>(env: E, options: ResolvedOptions<E>) {
  const id = newSessionId();
  return { id, stub: sessionStub(env, options.binding, id), record: undefined };
}

async function existingSession<E extends object>(request: Request, env: E, options: ResolvedOptions<E>) {
  const rejected = checkProtocolVersion(request);
  if (rejected) return rejected;
  const id = requestedSessionId(request);
  if (id instanceof Response) return id;
  const stub = sessionStub(env, options.binding, id);
  const record = await stub.open();
  if (!record) return sessionNotFound();
  return { id, stub, record };
}
