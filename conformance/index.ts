/**
 * The conformance fixture as a Worker (wrangler.conformance.toml), built only through the library
 * surface: what the conformance suite proves of it holds for any server a user brings.
 */
import { createMcpHandler } from "../src/lib.js";
import { createConformanceServer } from "./server.js";
import { CONFORMANCE_TASK_TOOLS } from "./tasks.js";

export { ListenHubDO, SessionDO } from "../src/lib.js";

const mcp = createMcpHandler({ server: () => createConformanceServer(), tasks: { tools: CONFORMANCE_TASK_TOOLS } });

export const TaskDO = mcp.TaskDO;
export default { fetch: mcp.fetch };
