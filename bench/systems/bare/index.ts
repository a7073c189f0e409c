/**
 * System (d), the ceiling: a Worker with no MCP, no session and no Durable Object. Every POST
 * gets the echo tool's result for "hello" under the request's id (read from the body, which any
 * real server must parse too) and a fixed session id, so the same load and checks run on it.
 */
const SESSION_ID = "00000000-0000-4000-8000-000000000000";

export default {
  async fetch(request) {
    if (request.method !== "POST") return Response.json({ status: "ok" });
    const { id } = await request.json<{ id?: string | number }>();
    const result = { content: [{ type: "text", text: "hello" }] };
    return Response.json({ jsonrpc: "2.0", id: id ?? null, result }, { headers: { "mcp-session-id": SESSION_ID } });
  },
} satisfies ExportedHandler;
