// Assertions shared by the workerd and the end-to-end tests.
import type { JSONRPCErrorResponse } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";

export interface ExpectedError {
  /** The JSON-RPC error code; default any integer. */
  code?: number;
  /**
   * The id the error names; default null (the rejected message's id is unknown). An asymmetric
   * matcher where it may vary, e.g. `expect.toBeOneOf([null, expect.anything()])`.
   */
  id?: unknown;
  /** Text the error message must contain. */
  mentioning?: string;
}

/**
 * Asserts that `response` is a rejection a client can act on: the status (or one of them), a
 * JSON body that is exactly one JSON-RPC error object, and a message of words, not a bare code
 * or a stack trace. Returns the error.
 */
export async function expectJsonRpcError(
  response: Response,
  status: number | number[],
  { code, id = null, mentioning }: ExpectedError = {},
): Promise<JSONRPCErrorResponse["error"]> {
  const text = await response.text();
  if (Array.isArray(status)) expect(status, text).toContain(response.status);
  else expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type"), text).toMatch(/^application\/json/);
  const body = JSON.parse(text) as JSONRPCErrorResponse;
  expect(body).toEqual({
    jsonrpc: "2.0",
    id,
    error: {
      code: code ?? expect.toSatisfy(Number.isInteger),
      message: expect.stringMatching(/\w+\s+\w+/),
      // Structured data is the caller's to check (2026-07-28 errors carry it).
      ...("data" in body.error && { data: body.error.data }),
    },
  });
  expect(body.error.message).not.toMatch(/\bat .+:\d+:\d+/);
  if (mentioning !== undefined) expect(body.error.message).toContain(mentioning);
  return body.error;
}
