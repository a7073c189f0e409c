/**
 * Resources of the conformance scenarios resources-* : static text and binary resources, the
 * template test://template/{id}/data, and test://watched-resource for (un)subscribe.
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { TEST_IMAGE_BASE64 } from "./content.js";

export const WATCHED_RESOURCE_URI = "test://watched-resource";

export function registerConformanceResources(server: McpServer): void {
  server.registerResource(
    "static-text",
    "test://static-text",
    { title: "Static Text Resource", description: "A static text resource for testing", mimeType: "text/plain" },
    (uri): ReadResourceResult => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "This is the content of the static text resource." }],
    }),
  );

  server.registerResource(
    "static-binary",
    "test://static-binary",
    { title: "Static Binary Resource", description: "A static binary resource (image) for testing", mimeType: "image/png" },
    (uri): ReadResourceResult => ({
      contents: [{ uri: uri.href, mimeType: "image/png", blob: TEST_IMAGE_BASE64 }],
    }),
  );

  // Built per server: a template holds its callbacks, and nothing here may be shared between requests.
  server.registerResource(
    "template",
    new ResourceTemplate("test://template/{id}/data", { list: undefined }),
    {
      title: "Resource Template",
      description: "A resource template with parameter substitution",
      mimeType: "application/json",
    },
    (uri, variables): ReadResourceResult => {
      const raw = variables["id"];
      const id = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: "application/json",
            text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
          },
        ],
      };
    },
  );

  server.registerResource(
    "watched-resource",
    WATCHED_RESOURCE_URI,
    {
      title: "Watched Resource",
      description: "A resource to subscribe to; notifications/resources/updated reaches subscribed sessions only",
      mimeType: "text/plain",
    },
    (uri): ReadResourceResult => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "Watched resource content" }],
    }),
  );
}
