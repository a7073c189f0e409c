/**
 * Demo resources: a static greeting, a clock that the cron trigger announces as updated to its
 * subscribers every minute, and a listable, completable `demo://notes/{id}` template.
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";

export const GREETING_URI = "demo://greeting";
export const CLOCK_URI = "demo://clock";
const NOTE_IDS = ["1", "2", "3"] as const;

export function registerDemoResources(server: McpServer): void {
  server.registerResource(
    "greeting",
    GREETING_URI,
    { title: "Greeting", description: "A static plain-text greeting.", mimeType: "text/plain" },
    (uri): ReadResourceResult => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "Hello from durable-mcp" }],
    }),
  );

  server.registerResource(
    "clock",
    CLOCK_URI,
    { title: "Clock", description: "The current time; subscribers hear of it every minute.", mimeType: "text/plain" },
    (uri): ReadResourceResult => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: new Date().toISOString() }],
    }),
  );

  // Built per server: the template holds its callbacks, and nothing here may be shared between requests.
  const notes = new ResourceTemplate("demo://notes/{id}", {
    list: () => ({
      resources: NOTE_IDS.map((id) => ({
        uri: `demo://notes/${id}`,
        name: `note-${id}`,
        title: `Note ${id}`,
        mimeType: "text/plain",
      })),
    }),
    complete: {
      id: (value) => NOTE_IDS.filter((id) => id.startsWith(value)),
    },
  });

  server.registerResource(
    "note",
    notes,
    { title: "Note", description: "A numbered demo note; read demo://notes/{id}.", mimeType: "text/plain" },
    (uri, variables): ReadResourceResult => {
      const raw = variables["id"];
      const id = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text: `Note ${id}` }] };
    },
  );
}
