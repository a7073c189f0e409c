/**
 * Fixed payloads of the conformance fixture, as the suite's reference server
 * (modelcontextprotocol/conformance, examples/servers/typescript/everything-server.ts) sends them,
 * and the small helpers its tools share.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** A 1×1 red PNG. */
export const TEST_IMAGE_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/** A minimal WAV file. */
export const TEST_AUDIO_BASE64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

export const JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema";

/** A tool result of one text block. */
export function text(value: string): CallToolResult {
  return { content: [{ type: "text", text: value }] };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
