/**
 * POST /mcp for both eras on one URL. The body is read once and classified body-first, as the
 * spec's versioning page and SDK v2 do (`classifyInboundRequest`): a request whose
 * `params._meta` claims a protocol version (even an unsupported one) goes to the 2026-07-28
 * lane; everything else (`initialize`, session traffic, posted responses) to the session lane,
 * which answers exactly as it did before the second era existed.
 */
import { classifyInboundRequest } from "@modelcontextprotocol/server";
import type { RequestScope } from "../lane/scope.js";
import { handlePost } from "../sessions/worker/post.js";
import { handleModernPost } from "../stateless/post.js";
import { parseJsonBody, readMessages, requestIdOf } from "../wire/body.js";
import { jsonRpcError } from "../wire/errors.js";
import { checkContentType, chooseResponseMode } from "../wire/headers.js";
import type { ResolvedOptions } from "./options.js";

export async function routePost<E extends object>(scope: RequestScope<E>, options: ResolvedOptions<E>): Promise<Response> {
  const { request } = scope;
  const mode = chooseResponseMode(request, options.responseMode);
  if (mode instanceof Response) return mode;
  const rejected = checkContentType(request);
  if (rejected) return rejected;
  const parsed = await parseJsonBody(request);
  if (parsed instanceof Response) return parsed;

  const route = classifyInboundRequest({
    httpMethod: "POST",
    protocolVersionHeader: request.headers.get("mcp-protocol-version") ?? undefined,
    mcpMethodHeader: request.headers.get("mcp-method") ?? undefined,
    mcpNameHeader: request.headers.get("mcp-name") ?? undefined,
    body: parsed.json,
  });
  switch (route.kind) {
    case "legacy": {
      const body = readMessages(parsed.json);
      return body instanceof Response ? body : handlePost(scope, body, mode, options);
    }
    case "modern":
      return handleModernPost(scope, route.message, mode, options);
    case "reject":
      return jsonRpcError(route.httpStatus, route.code, route.message, { id: requestIdOf(parsed.json), data: route.data });
  }
}
