/**
 * Fixed payloads of the conformance fixture, as the suite's reference server
 * (modelcontextprotocol/conformance, examples/servers/typescript/everything-server.ts) sends them.
 */

/** A 1×1 red PNG. */
export const TEST_IMAGE_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/** A minimal WAV file. */
export const TEST_AUDIO_BASE64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

export const JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema";

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
