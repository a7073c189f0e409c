/**
 * System (c): the MCP SDK's own stateful Streamable HTTP server in one node process, the
 * sticky-session setup durable-mcp replaces. One StreamableHTTPServerTransport and McpServer per
 * session, kept in a Map. Usage: node --experimental-strip-types server.ts PORT
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { registerBenchTools, SERVER_CAPABILITIES } from "../tools.ts";

const port = Number(process.argv[2]);
const sessions = new Map<string, StreamableHTTPServerTransport>();

async function newSession(): Promise<StreamableHTTPServerTransport> {
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: randomUUID,
    onsessioninitialized: (id) => void sessions.set(id, transport),
  });
  transport.onclose = () => {
    if (transport.sessionId) sessions.delete(transport.sessionId);
  };
  const server = new McpServer({ name: "bench-sdk-node", version: "0.1.0" }, { capabilities: SERVER_CAPABILITIES });
  registerBenchTools(server);
  await server.connect(transport);
  return transport;
}

createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  const id = req.headers["mcp-session-id"];
  const existing = typeof id === "string" ? sessions.get(id) : undefined;
  // Without a session id the transport answers initialize, and rejects anything else itself.
  const transport = existing ? Promise.resolve(existing) : id === undefined ? newSession() : undefined;
  if (!transport) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }));
    return;
  }
  transport
    .then((t) => t.handleRequest(req, res))
    .catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
}).listen(port, "127.0.0.1");

// Started by the benchmark harness, which holds stdin open: exit when it goes away.
process.stdin.on("end", () => process.exit(0)).resume();
