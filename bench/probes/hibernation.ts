/**
 * `npm run probe:hibernation [-- samples [idleSeconds]]` (about two minutes; not part of `npm run
 * bench`). Starts bench/probes/hibernation under `wrangler dev`, holds one SSE stream whose
 * Worker bridges a hibernatable WebSocket of the object, and `samples` times (default 5): leaves
 * the object alone for `idleSeconds` (default 20), publishes, and times the message from the
 * publish request to its SSE frame; then publishes again at once, to the object now awake. Prints
 * whether each asleep publish was delivered by a new instance (the object had hibernated and
 * woke for it) and the p50 latencies side by side (issue 19).
 */
import path from "node:path";
import { REPO_ROOT, startDevServer } from "../../test/e2e/helpers/wrangler-dev.ts";

const samples = Number(process.argv[2] ?? "5");
const idleSeconds = Number(process.argv[3] ?? "20");

interface Frame {
  kind: "accepted" | "message";
  instance: string;
  sentAt?: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const server = await startDevServer({ config: path.join(REPO_ROOT, "bench/probes/hibernation/wrangler.toml") });
const stream = new AbortController();
try {
  const response = await fetch(`${server.url}/stream?id=s1`, { signal: stream.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const waiting: ((frame: Frame) => void)[] = [];
  const arrived: Frame[] = [];
  void (async () => {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!event.startsWith("data: ")) continue;
        const frame = JSON.parse(event.slice(6)) as Frame;
        const next = waiting.shift();
        if (next) next(frame);
        else arrived.push(frame);
      }
    }
  })().catch(() => undefined);
  const nextFrame = () =>
    arrived.length > 0 ? Promise.resolve(arrived.shift()!) : new Promise<Frame>((resolve) => waiting.push(resolve));
  const publish = async () => {
    const started = performance.now();
    await (await fetch(`${server.url}/publish?id=s1`)).json();
    const frame = await nextFrame();
    return { ms: performance.now() - started, instance: frame.instance };
  };

  let instance = (await nextFrame()).instance;
  const asleep: number[] = [];
  const awake: number[] = [];
  let woke = 0;
  for (let sample = 0; sample < samples; sample++) {
    await sleep(idleSeconds * 1000);
    const cold = await publish();
    const woken = cold.instance !== instance;
    if (woken) woke++;
    instance = cold.instance;
    asleep.push(cold.ms);
    const warm = await publish();
    awake.push(warm.ms);
    const by = woken ? "a new instance: the object had hibernated" : "the same instance: it stayed in memory";
    console.log(
      `sample ${sample + 1}: after ${idleSeconds} s idle ${cold.ms.toFixed(1)} ms (${by}), awake ${warm.ms.toFixed(1)} ms`,
    );
  }
  console.log(
    `${woke} of ${samples} publishes after ${idleSeconds} s idle were delivered by a woken object; ` +
      `p50 from publish to SSE frame: asleep ${median(asleep).toFixed(1)} ms, awake ${median(awake).toFixed(1)} ms; the stream stayed open throughout`,
  );
} finally {
  stream.abort();
  await server.stop();
}
