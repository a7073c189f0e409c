// The demo as shipped, SSE polling off: the standalone stream stays open (the Worker holds it and
// sends its heartbeats). Its session object logs each start, so the bench can see when it was
// evicted and started again.
import { createDemoServer } from "../../../demo/server.js";
import { createMcpHandler, SessionDO } from "../../../src/lib.js";

export { TopicDO } from "../../../src/lib.js";

export class BenchSessionDO extends SessionDO {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    console.log(JSON.stringify({ event: "do_start", at: Date.now() }));
  }
}

export default createMcpHandler<object>({ server: () => createDemoServer(), session: { streamLifetimeMs: 0 } });
