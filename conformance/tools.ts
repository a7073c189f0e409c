/**
 * Tools of the conformance scenarios tools-*, json-schema-2020-12, server-sse-polling and
 * http-custom-header-server-validation. The tools that send requests to the client (sampling,
 * elicitation) are in client-requests.ts and input-required.ts, the probes of server-stateless in
 * stateless-probes.ts.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { registerClientRequestTools } from "./client-requests.js";
import { JSON_SCHEMA_2020_12, sleep, TEST_AUDIO_BASE64, TEST_IMAGE_BASE64, text } from "./content.js";

export function registerConformanceTools(server: McpServer): void {
  registerContentTools(server);
  registerNotifyingTools(server);
  registerClientRequestTools(server);

  server.registerTool("test_error_handling", { description: "Tests error response handling" }, (): CallToolResult => {
    // McpServer turns the exception into a result with isError: true and the message as text.
    throw new Error("This tool intentionally returns an error for testing");
  });

  // SEP-1613: the schema must reach the client with $schema, $defs and additionalProperties intact,
  // and on 2026-07-28 (SEP-2106) with $anchor, allOf/anyOf and if/then/else too. McpServer converts
  // zod to JSON Schema itself (draft-07 by default); zod copies .meta() into the result, so the
  // 2020-12 dialect, $defs and the composition keywords are declared there, and .strict() gives
  // additionalProperties: false. The arguments are validated by the zod schema, which does not
  // enforce the phone-or-email rule the composition keywords state.
  const address = z.object({ street: z.string().optional(), city: z.string().optional() }).meta({ $ref: "#/$defs/address" });
  server.registerTool(
    "json_schema_2020_12_tool",
    {
      description: "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613, SEP-2106)",
      inputSchema: z
        .object({
          name: z.string().optional(),
          address: address.optional(),
          contactMethod: z.enum(["phone", "email"]).optional(),
          phone: z.string().optional(),
          email: z.string().optional(),
        })
        .strict()
        .meta({
          $schema: JSON_SCHEMA_2020_12,
          $defs: {
            address: {
              $anchor: "addressDef",
              type: "object",
              properties: { street: { type: "string" }, city: { type: "string" } },
            },
          },
          allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
          if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
          then: { required: ["phone"] },
          else: { required: ["email"] },
        }),
    },
    (args): CallToolResult => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );

  // SEP-2243 (http-custom-header-server-validation): a string argument that the client also sends
  // as the header Mcp-Param-Region; the 2026 lane checks that both agree. zod copies the
  // annotation into the JSON Schema through .meta().
  server.registerTool(
    "test_region_header",
    {
      description: "Echoes its region argument, which clients also send in the Mcp-Param-Region header (SEP-2243)",
      inputSchema: { region: z.string().describe("A region name").meta({ "x-mcp-header": "Region" }) },
    },
    ({ region }): CallToolResult => text(`Region: ${region}`),
  );
}

/** tools-call-simple-text, -image, -audio, -embedded-resource, -mixed-content. */
function registerContentTools(server: McpServer): void {
  // No inputSchema: the suite calls it without an `arguments` field at all.
  server.registerTool("test_simple_text", { description: "Tests simple text content response" }, (): CallToolResult =>
    text("This is a simple text response for testing."),
  );

  server.registerTool("test_image_content", { description: "Tests image content response" }, (): CallToolResult => ({
    content: [{ type: "image", data: TEST_IMAGE_BASE64, mimeType: "image/png" }],
  }));

  server.registerTool("test_audio_content", { description: "Tests audio content response" }, (): CallToolResult => ({
    content: [{ type: "audio", data: TEST_AUDIO_BASE64, mimeType: "audio/wav" }],
  }));

  server.registerTool(
    "test_embedded_resource",
    { description: "Tests embedded resource content response" },
    (): CallToolResult => ({
      content: [
        {
          type: "resource",
          resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." },
        },
      ],
    }),
  );

  server.registerTool(
    "test_multiple_content_types",
    { description: "Tests response with multiple content types (text, image, resource)" },
    (): CallToolResult => ({
      content: [
        { type: "text", text: "Multiple content types test:" },
        { type: "image", data: TEST_IMAGE_BASE64, mimeType: "image/png" },
        {
          type: "resource",
          resource: {
            uri: "test://mixed-content-resource",
            mimeType: "application/json",
            text: JSON.stringify({ test: "data", value: 123 }),
          },
        },
      ],
    }),
  );
}

/** tools-call-with-logging, tools-call-with-progress, server-sse-polling: messages on the request's stream. */
function registerNotifyingTools(server: McpServer): void {
  // extra.sendNotification ties each message to this request, so it travels on the POST's own SSE stream.
  server.registerTool(
    "test_tool_with_logging",
    { description: "Tests tool that emits log messages during execution", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const steps = ["Tool execution started", "Tool processing data", "Tool execution completed"];
      for (const [index, data] of steps.entries()) {
        if (index > 0) await sleep(50);
        await extra.sendNotification({
          method: "notifications/message",
          params: { level: "info", logger: "conformance", data },
        });
      }
      return text("Tool with logging executed successfully");
    },
  );

  server.registerTool(
    "test_tool_with_progress",
    { description: "Tests tool that reports progress notifications", inputSchema: {} },
    async (_args, extra): Promise<CallToolResult> => {
      const progressToken = extra._meta?.progressToken;
      for (const [index, progress] of [0, 50, 100].entries()) {
        if (index > 0) await sleep(50);
        if (progressToken === undefined) continue;
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
        });
      }
      return text(String(progressToken ?? "no progress token"));
    },
  );

  // SEP-1699: the server ends the POST's SSE stream while the call runs; the client reconnects with
  // GET and Last-Event-ID and gets the result there. closeSSEStream is the SDK's hook for this
  // (RequestHandlerExtra); it is undefined when the host's transport cannot close a POST stream,
  // and the result then arrives on the open POST stream.
  server.registerTool(
    "test_reconnection",
    {
      description:
        "Tests SSE stream disconnection and client reconnection (SEP-1699): closes the POST stream mid-call and answers after the client reconnects.",
      inputSchema: {},
    },
    async (_args, extra): Promise<CallToolResult> => {
      extra.closeSSEStream?.();
      await sleep(100);
      return text(
        "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.",
      );
    },
  );
}
