/**
 * The conformance fixture as a Worker (wrangler.conformance.toml), built only through the library
 * surface: what the conformance suite proves of it holds for any server a user brings.
 */
import { createMcpHandler } from "../src/lib.js";
import { createConformanceServer } from "./server.js";

export { ListenHubDO, SessionDO } from "../src/lib.js";

export default createMcpHandler({ server: () => createConformanceServer() });
