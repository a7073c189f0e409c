// The demo with SSE polling on, as the library's defaults were before the hibernation bridge (the
// standalone stream ends every 30 s, the client comes back after 30 s), and a session object that
// logs each start, so the bench can see when it was evicted and started again.
import { createDemoServer } from "../../../demo/server.js";
import { createMcpHandler, SessionDO } from "../../../src/lib.js";

export { TopicDO } from "../../../src/lib.js";

export class BenchSessionDO extends SessionDO {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    console.log(JSON.stringify({ event: "do_start", at: Date.now() }));
  }
}

export default createMcpHandler<object>({
  server: () => createDemoServer(),
  session: { streamLifetimeMs: 30_000, retryMs: 30_000 },
});
