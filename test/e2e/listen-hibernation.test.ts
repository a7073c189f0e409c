// A listener hub sleeps while its listen streams are idle (issue 19): each stream is held by the
// Worker that answered it, the hub keeps only a hibernatable socket, and a change wakes it.
// Eviction is read from workerd's open files (helpers/object-files.ts), never by touching the hub.
import { expect, it } from "vitest";
import { modernRequest } from "../shared/modern.js";
import { sseCursor } from "../shared/sse.js";
import { useDevServer } from "./helpers/dev-server.js";
import { startedObject, untilEvicted } from "./helpers/object-files.js";

const dev = useDevServer();
const { endpoint } = dev;

/** workerd hibernates an object 10 s after its last event; a loaded machine may take longer. */
const HIBERNATION_WAIT_MS = 40_000;

it(
  "a change made while the listener's hub slept reaches the open listen stream, stamped with its subscription id",
  async () => {
    const { result: stream, file } = await startedObject(dev.server, "ListenHubDO", async () => {
      const response = await modernRequest(endpoint, "asleep", "subscriptions/listen", {
        notifications: { toolsListChanged: true },
      });
      const stream = sseCursor(response);
      expect(await stream.message()).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
      return stream;
    });

    // The stream stays open (the Worker sends its keepalives) while its hub leaves memory.
    await untilEvicted(dev.server, "ListenHubDO", file, HIBERNATION_WAIT_MS);
    // The anonymous principal's change goes to every hub, the sleeping one too.
    await (await modernRequest(endpoint, "toggle", "tools/call", { name: "toggle_extra_tool", arguments: {} })).json();
    expect(await stream.message()).toEqual({
      jsonrpc: "2.0",
      method: "notifications/tools/list_changed",
      params: { _meta: { "io.modelcontextprotocol/subscriptionId": "asleep" } },
    });
    await stream.cancel();
  },
  HIBERNATION_WAIT_MS + 30_000,
);
