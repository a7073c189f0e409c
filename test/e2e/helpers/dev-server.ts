// One `wrangler dev` for the tests of a file: started before them, stopped after them.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { Endpoint } from "../../shared/mcp.js";
import { startDevServer, stopAllDevServers, type DevServer, type StartDevServerOptions } from "./wrangler-dev.js";

export interface DevServerFixture {
  /** The running server; throws outside the file's tests and hooks. */
  readonly server: DevServer;
  /** Its MCP endpoint (`${server.url}/mcp`) over the network; usable once the server runs. */
  readonly endpoint: Endpoint;
}

/** Registers beforeAll (start) and afterAll (stop) hooks; call it at the top of a test file. */
export function useDevServer(options: StartDevServerOptions = {}): DevServerFixture {
  let server: DevServer | undefined;
  beforeAll(async () => {
    // The secret that seals 2026-07-28 requestStates, fresh for each server, as `npm run dev` does.
    const vars = { MCP_STATE_SECRET: randomBytes(32).toString("base64url"), ...options.vars };
    server = await startDevServer({ ...options, vars });
  });
  afterAll(async () => {
    await server?.stop();
    await stopAllDevServers();
  });
  const running = (): DevServer => {
    if (!server) throw new Error("the dev server runs only during the file's tests and hooks");
    return server;
  };
  return {
    get server() {
      return running();
    },
    endpoint: {
      get url() {
        return `${running().url}/mcp`;
      },
      fetch: (request) => fetch(request),
    },
  };
}
