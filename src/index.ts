/**
 * The deployable Worker: the demo MCP server on durable-mcp, built only through the library.
 */
import { createDemoServer } from "./demo/server.js";
import { createMcpHandler } from "./lib.js";

export { SessionDO } from "./lib.js";

export default createMcpHandler({ server: () => createDemoServer() });
