// The eviction probe (docs/measurements/task-limits.md): does an idle Durable Object keep a
// promise it did not await alive, and does an alarm handler that awaits one? Each object ticks
// every TICK_MS for as long as it was asked, writing each tick to storage, and receives no
// request meanwhile; a read afterwards tells when its ticks stopped and whether it was started
// again (a new instance id).
import { DurableObject } from "cloudflare:workers";

const TICK_MS = 2000;

interface Ticks {
  instance: string;
  startedAt: number;
  lastTickAt: number;
  ticks: number;
}

export class ProbeDO extends DurableObject {
  readonly #instance = crypto.randomUUID();

  /** `bare`: the ticking promise is left pending; `alarm`: the alarm handler awaits it. */
  async start(mode: "bare" | "alarm", seconds: number): Promise<void> {
    await this.ctx.storage.put("plan", { seconds, startedAt: Date.now() });
    if (mode === "alarm") await this.ctx.storage.setAlarm(Date.now());
    else void this.#tick(seconds);
  }

  override async alarm(): Promise<void> {
    const plan = await this.ctx.storage.get<{ seconds: number }>("plan");
    await this.#tick(plan?.seconds ?? 0);
  }

  async read(): Promise<{ ticks?: Ticks; readBy: string }> {
    const ticks = await this.ctx.storage.get<Ticks>("ticks");
    return { ...(ticks !== undefined && { ticks }), readBy: this.#instance };
  }

  async #tick(seconds: number): Promise<void> {
    const startedAt = Date.now();
    for (let ticks = 1; Date.now() - startedAt < seconds * 1000; ticks++) {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      await this.ctx.storage.put("ticks", { instance: this.#instance, startedAt, lastTickAt: Date.now(), ticks });
    }
  }
}

interface Env {
  PROBE: DurableObjectNamespace<ProbeDO>;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const stub = env.PROBE.get(env.PROBE.idFromName(url.searchParams.get("id") ?? "probe"));
    if (url.pathname === "/start") {
      const mode = url.searchParams.get("mode") === "alarm" ? "alarm" : "bare";
      await stub.start(mode, Number(url.searchParams.get("seconds") ?? "60"));
      return new Response("started");
    }
    return Response.json(await stub.read());
  },
};
