/**
 * System (d), the ceiling: a Worker with no MCP, no session and no Durable Object. Every POST
 * gets the echo tool's result for "hello" under the request's id (read from the body, which any
 * real server must parse too) and a fixed session id, so the same load and checks run on it.
 * A request that names the 2026-07-28 revision in its MCP-Protocol-Version header gets the
 * result with that revision's `resultType: "complete"`, and no session id (it has none).
 */
const SESSION_ID = "00000000-0000-4000-8000-000000000000";

export default {
  async fetch(request) {
    if (request.method !== "POST") return Response.json({ status: "ok" });
    const { id } = await request.json<{ id?: string | number }>();
    const content = [{ type: "text", text: "hello" }];
    if (request.headers.get("mcp-protocol-version") === "2026-07-28")
      return Response.json({ jsonrpc: "2.0", id: id ?? null, result: { content, resultType: "complete" } });
    return Response.json({ jsonrpc: "2.0", id: id ?? null, result: { content } }, { headers: { "mcp-session-id": SESSION_ID } });
  },
} satisfies ExportedHandler;
