// serverReuse over real HTTP (test/e2e/fixtures/reused-server): SDK v1 clients on 2025 sessions
// and an SDK v2 client on 2026-07-28, one after another and at once, each answered from its own
// request by servers built once and reused; what one request changes on its server stays there.
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { useDevServer } from "./helpers/dev-server.js";
import { toolText } from "./helpers/mcp-client.js";

const reused = useDevServer({ config: "test/e2e/fixtures/reused-server/wrangler.toml" });
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

const ASKING: ClientCapabilities = { elicitation: { form: {} } };
const mcpUrl = () => new URL(`${reused.server.url}/mcp`);
const headers = (name: string) => ({ requestInit: { headers: { "X-Client": name } } });

/** An SDK v1 client on a 2025 session, sending `X-Client: name` with every request. */
async function sessionClient(name: string, capabilities: ClientCapabilities = {}): Promise<Client> {
  const client = new Client({ name: `e2e-${name}`, version: "1.0.0" }, { capabilities });
  open.push(client);
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), headers(name)));
  return client;
}

describe('serverReuse "deployment" under wrangler dev', () => {
  it("answers one client's calls one after another from servers built before, each from its own request", async () => {
    const client = await sessionClient("alice");
    const ids: string[] = [];
    for (let call = 0; call < 6; call++) ids.push(await toolText(client, "server_id"));
    expect(new Set(ids).size).toBeLessThan(ids.length);
    expect(await toolText(client, "x_client")).toBe("alice");
  });

  it("answers two sessions at once, and a 2026-07-28 client beside them, each from its own request", async () => {
    const [alice, bob] = await Promise.all([sessionClient("alice"), sessionClient("bob")]);
    const modern = new ClientV2({ name: "e2e-carol", version: "2.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    open.push(modern);
    await modern.connect(new TransportV2(mcpUrl(), headers("carol")));
    const clients = [
      ["alice", alice],
      ["bob", bob],
      ["carol", modern],
    ] as const;
    const calls = clients.flatMap(([name, client]) =>
      Array.from({ length: 8 }, async () => [name, await toolText(client, "x_client")]),
    );
    for (const [name, answer] of await Promise.all(calls)) expect(answer).toBe(name);
  });

  it("sends each question to the client whose call asked it, and gets each its own answer", async () => {
    const [alice, bob] = await Promise.all([sessionClient("alice", ASKING), sessionClient("bob", ASKING)]);
    alice.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { confirm: true } }));
    bob.setRequestHandler(ElicitRequestSchema, () => ({ action: "decline" }));
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        toolText(alice, "confirm_action", { action: "deploy" }),
        toolText(bob, "confirm_action", { action: "deploy" }),
      ]);
      expect(answers).toEqual(["confirmed", "declined"]);
    }
  });

  it("keeps what one session's call registers on its server from every other session", async () => {
    const [alice, bob] = await Promise.all([sessionClient("alice"), sessionClient("bob")]);
    expect(await toolText(alice, "toggle_extra_tool")).toContain("extra_tool registered");
    for (let call = 0; call < 4; call++) {
      const { tools } = await bob.listTools();
      expect(tools.map(({ name }) => name)).not.toContain("extra_tool");
      const { tools: alicesTools } = await alice.listTools();
      expect(alicesTools.map(({ name }) => name)).not.toContain("extra_tool");
    }
  });
});
