/**
 * POST /mcp on 2026-07-28 (SEP-2575, stateless MCP): no session, no Durable Object on the path.
 * The checks the spec orders come first (notification, version, headers, method), then a fresh
 * server answers the one request through a StatelessTransport. `Mcp-Session-Id` and
 * `Last-Event-ID` mean nothing here, and no session id is minted or echoed.
 */
import { ProtocolErrorCode } from "@modelcontextprotocol/server";
import { ErrorCode, type JSONRPCMessage, type JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import type { RequestScope } from "../lane/scope.js";
import { createRequestState } from "../state/request-state.js";
import { errorResponse, jsonRpcError } from "../wire/errors.js";
import type { ResponseMode } from "../wire/headers.js";
import { errorMessage, logError } from "../wire/log.js";
import { isRequest } from "../wire/message-kind.js";
import { createResponseChannel } from "../wire/response-channel.js";
import { envelopeOf, type Envelope } from "./envelope.js";
import { checkModernHeaders } from "./headers.js";
import type { StatelessLaneOptions } from "./options.js";
import { MODERN_METHODS, MODERN_PROTOCOL_VERSION, SUPPORTED_VERSIONS, TASK_METHODS } from "./protocol.js";
import { MULTI_ROUND_METHODS } from "./input-rounds.js";
import { readRounds } from "./rounds.js";
import { serveListen } from "./listen.js";
import { tasksOn } from "../tasks/client.js";
import type { TaskAnswers } from "../tasks/record.js";
import { createTask, serveTaskRequest, taskDispatch, withoutTaskHint } from "./tasks.js";
import { StatelessTransport, type RoundContext } from "./transport.js";

export async function handleModernPost<E extends object>(
  scope: RequestScope<E>,
  message: JSONRPCMessage,
  mode: ResponseMode,
  options: StatelessLaneOptions<E>,
): Promise<Response> {
  const { request, env, principal, notes, changes, waitUntil } = scope;
  notes.rpc = ["method" in message ? message.method : "response"];
  // Cancellation travels as the closed response stream on this era: a notification changes nothing.
  if (!isRequest(message)) return new Response(null, { status: 202 });
  const envelope = envelopeOf(message);
  const tasks = tasksOn(env, options.tasks);
  const rejected = checkRequest(request, message, envelope, tasks);
  if (rejected) return rejected;
  const dispatch = tasks && message.method === "tools/call" ? taskDispatch(message, options.tasks) : "sync";
  if (dispatch instanceof Response) return dispatch;
  // A tool that asks first runs here, round by round, until its first questions are answered.
  const askFirst = dispatch === "task" && options.tasks.askFirst.has(String(message.params?.["name"]));

  let served = withoutTaskHint(message);
  let rounds: RoundContext | undefined;
  if (MULTI_ROUND_METHODS.has(message.method)) {
    const read = await readRounds(served, principal.id, env, options.stateSecret);
    if (!read.ok) return Response.json(errorResponse(message.id, ErrorCode.InvalidParams, read.message));
    served = read.request;
    rounds = read.context;
  }
  const transport = new StatelessTransport(served, envelope, {
    cache: options.cache,
    listens: changes !== undefined,
    tasks,
    rounds,
    becomeTask: askFirst
      ? ({ answers }) => createTask(env, options.tasks, request, message, envelope, principal, answers as TaskAnswers)
      : undefined,
  });
  if (changes) {
    transport.onchange = (change) =>
      waitUntil(
        changes
          .publish([change], principal)
          .catch((error) => logError("Publishing a change failed", { reason: errorMessage(error) })),
      );
  }
  const state = createRequestState(env, principal, options.state, {
    announceToPrincipal: async (lists) => await changes?.publish(lists, principal),
  });
  const server = await options.server.lease({ env, request, principal, state });
  await server.connect(transport);
  waitUntil(transport.ended.then(() => server.release()));
  // The client closing the stream is this era's cancellation: the handler's signal fires.
  request.signal.addEventListener("abort", () => void transport.close());
  const extra = {
    requestInfo: { headers: Object.fromEntries(request.headers), url: new URL(request.url) },
    authInfo: principal.authInfo,
  };
  try {
    if (message.method === "subscriptions/listen") {
      const listening = await serveListen(scope, message, transport, extra, options.listen, tasks);
      // The listener is held by its hub: the server is done once it has described itself.
      void transport.close();
      return listening;
    }
    const channel = createResponseChannel("", mode, {}, false);
    if (dispatch === "task" && !askFirst) {
      const create = () => createTask(env, options.tasks, request, message, envelope, principal);
      return await transport.serveWith(channel, extra, request.headers, create);
    }
    if (TASK_METHODS.has(message.method)) {
      const serve = () => serveTaskRequest(env, options.tasks, message, principal);
      return await transport.serveWith(channel, extra, request.headers, serve);
    }
    return await transport.serve(channel, extra, request.headers);
  } catch (error) {
    // Only the synthetic initialize can fail here: the server refused what `_meta` declares.
    void transport.close();
    const reason = errorMessage(error);
    return jsonRpcError(400, ErrorCode.InvalidParams, `Invalid params: the server refused the request's _meta: ${reason}`, {
      id: message.id,
    });
  }
}

/** The spec's order: an unsupported version, then the headers, then a method this era has. */
function checkRequest(
  request: Request,
  message: JSONRPCRequest,
  { protocolVersion }: Envelope,
  tasks: boolean,
): Response | undefined {
  if (protocolVersion !== MODERN_PROTOCOL_VERSION) {
    const text = `Bad Request: unsupported protocol version "${protocolVersion}"; supported: ${SUPPORTED_VERSIONS.join(", ")}`;
    return jsonRpcError(400, ProtocolErrorCode.UnsupportedProtocolVersion, text, {
      id: message.id,
      data: { supported: SUPPORTED_VERSIONS, requested: protocolVersion },
    });
  }
  const mismatch = checkModernHeaders(request, message);
  if (mismatch) return mismatch;
  if (MODERN_METHODS.has(message.method) || (tasks && TASK_METHODS.has(message.method))) return undefined;
  return jsonRpcError(
    404,
    ErrorCode.MethodNotFound,
    `Method not found: ${message.method} does not exist on ${MODERN_PROTOCOL_VERSION}`,
    {
      id: message.id,
    },
  );
}
