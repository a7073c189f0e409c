// SEP-2243 `x-mcp-header` declarations and their `Mcp-Param-*` headers (src/stateless/param-headers.ts).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DistributedTransport } from "../../src/sessions/transport/distributed-transport.js";
import { checkParamHeaders, type ParamHeader, paramHeadersOf } from "../../src/stateless/param-headers.js";
import { request } from "../shared/mcp.js";
import { answerOf, context, record } from "./transport-fixtures.js";

const objectOf = (properties: Record<string, unknown>) => ({ type: "object", properties });
const declared = (header: string, type: string, extra: Record<string, unknown> = {}) => ({
  type,
  "x-mcp-header": header,
  ...extra,
});

describe("paramHeadersOf", () => {
  it("collects declarations on string, integer and boolean properties, nested ones with their path", () => {
    const schema = objectOf({
      region: declared("Region", "string"),
      plain: { type: "string" },
      limits: objectOf({ count: declared("Count", "integer"), deep: objectOf({ dry: declared("Dry-Run", "boolean") }) }),
    });
    expect(paramHeadersOf(schema)).toEqual([
      { path: ["region"], header: "Region", type: "string" },
      { path: ["limits", "count"], header: "Count", type: "integer" },
      { path: ["limits", "deep", "dry"], header: "Dry-Run", type: "boolean" },
    ]);
  });

  it.each([
    ["an empty name", declared("", "string")],
    ["a name with a space", declared("My Region", "string")],
    ["a name with a delimiter", declared("Region:1", "string")],
    ["a name with CR LF", declared("Region\r\nX-Injected", "string")],
    ["a name that is not a string", declared("Region", "string", { "x-mcp-header": 7 })],
    ["a number property", declared("Region", "number")],
    ["an object property", declared("Region", "object")],
    ["a property without a type", { "x-mcp-header": "Region" }],
    ["a type list", declared("Region", "string", { type: ["string", "null"] })],
  ])("ignores %s", (_, property) => {
    expect(paramHeadersOf(objectOf({ region: property, kept: declared("Kept", "string") }))).toEqual([
      { path: ["kept"], header: "Kept", type: "string" },
    ]);
  });

  it.each([
    ["array items", objectOf({ list: { type: "array", items: declared("Region", "string") } })],
    ["anyOf", objectOf({ either: { anyOf: [declared("Region", "string")] } })],
    ["$defs", { ...objectOf({}), $defs: { r: declared("Region", "string") } }],
    ["the schema root", declared("Region", "string", { properties: {} })],
  ])("does not look under %s", (_, schema) => {
    expect(paramHeadersOf(schema)).toEqual([]);
  });

  it.each([undefined, null, "schema", [], { type: "object" }, { properties: [] }])("finds none in %j", (schema) => {
    expect(paramHeadersOf(schema)).toEqual([]);
  });

  it("checks neither of two properties whose names differ only in case, and keeps the rest", () => {
    const schema = objectOf({
      a: declared("Region", "string"),
      b: objectOf({ c: declared("REGION", "string") }),
      d: declared("Zone", "string"),
    });
    expect(paramHeadersOf(schema)).toEqual([{ path: ["d"], header: "Zone", type: "string" }]);
  });

  it("sees what an SDK v1 McpServer lists for a zod schema with .meta()", async () => {
    const server = new McpServer({ name: "t", version: "1" }, { capabilities: { logging: {} } });
    const inputSchema = {
      region: z.string().meta({ "x-mcp-header": "Region" }),
      count: z.number().int().meta({ "x-mcp-header": "Count" }).optional(),
      note: z.string(),
    };
    server.registerTool("route", { inputSchema }, async () => ({ content: [] }));
    const transport = new DistributedTransport({ sessionId: "s", record, disableLocalSse: true });
    await server.connect(transport);
    const [answer] = await answerOf(await transport.handlePost([request(1, "tools/list")], context("json")));
    if (!answer || !("result" in answer)) throw new Error(`tools/list failed: ${JSON.stringify(answer)}`);
    const [tool] = ListToolsResultSchema.parse(answer.result).tools;
    expect(paramHeadersOf(tool?.inputSchema)).toEqual([
      { path: ["region"], header: "Region", type: "string" },
      { path: ["count"], header: "Count", type: "integer" },
    ]);
  });
});

describe("checkParamHeaders", () => {
  const region: ParamHeader = { path: ["region"], header: "Region", type: "string" };
  const count: ParamHeader = { path: ["limits", "count"], header: "Count", type: "integer" };
  const dry: ParamHeader = { path: ["dry"], header: "Dry", type: "boolean" };
  const check = (decl: ParamHeader, args: Record<string, unknown> | undefined, headers: Record<string, string>) =>
    checkParamHeaders([decl], args, new Headers(headers));

  it("accepts a header equal to its argument, with any case in the header name", () => {
    expect(check(region, { region: "us-west1" }, { "Mcp-Param-Region": "us-west1" })).toBeUndefined();
    expect(check(region, { region: "us-west1" }, { "mcp-param-region": "us-west1" })).toBeUndefined();
    expect(check({ ...region, header: "REGION" }, { region: "us-west1" }, { "Mcp-Param-region": "us-west1" })).toBe(undefined);
  });

  it("refuses a header that differs from its argument, even only in case", () => {
    expect(check(region, { region: "us-west1" }, { "Mcp-Param-Region": "US-WEST1" })).toBe(
      "the Mcp-Param-Region header does not match arguments.region",
    );
  });

  it("refuses a missing header for a given argument, naming it", () => {
    expect(check(count, { limits: { count: 3 } }, {})).toBe(
      "the Mcp-Param-Count header is required when arguments.limits.count is given",
    );
  });

  it("decodes the =?base64?…?= form before comparing", () => {
    const args = { region: "Hello, 世界" };
    expect(check(region, args, { "Mcp-Param-Region": "=?base64?SGVsbG8sIOS4lueVjA==?=" })).toBeUndefined();
    expect(check(region, args, { "Mcp-Param-Region": "=?base64?SGVsbG8=?=" })).toBe(
      "the Mcp-Param-Region header does not match arguments.region",
    );
  });

  it.each(["=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?=", "=?base64?/w==?="])("refuses broken base64 %j", (sent) => {
    expect(check(region, { region: "Hello" }, { "Mcp-Param-Region": sent })).toBe(
      "the Mcp-Param-Region header is not valid =?base64?…?= UTF-8",
    );
  });

  it.each([
    ["42", true],
    ["042", true],
    ["42.0", true],
    ["-42", false],
    ["43", false],
    ["0x2a", false],
    ["4.2e1", false],
    ["=?base64?NDI=?=", true],
  ])("compares integer header %j with 42 numerically: %s", (sent, equal) => {
    const answer = check(count, { limits: { count: 42 } }, { "Mcp-Param-Count": sent });
    expect(answer === undefined).toBe(equal);
  });

  it("compares an integer header as text when the argument is not a number", () => {
    expect(check(count, { limits: { count: "042" } }, { "Mcp-Param-Count": "042" })).toBeUndefined();
    expect(check(count, { limits: { count: "42" } }, { "Mcp-Param-Count": "042" })).toBeDefined();
  });

  it("writes booleans as lowercase true and false", () => {
    expect(check(dry, { dry: true }, { "Mcp-Param-Dry": "true" })).toBeUndefined();
    expect(check(dry, { dry: false }, { "Mcp-Param-Dry": "false" })).toBeUndefined();
    expect(check(dry, { dry: true }, { "Mcp-Param-Dry": "TRUE" })).toBeDefined();
    expect(check(dry, { dry: false }, { "Mcp-Param-Dry": "0" })).toBeDefined();
  });

  it.each([
    ["absent", region, { other: 1 }],
    ["null", region, { region: null }],
    ["nested under a null", count, { limits: null }],
    ["only inherited", region, Object.create({ region: "eu" }) as Record<string, unknown>],
    ["absent for want of arguments", region, undefined],
  ])("neither expects nor reads the header of an argument that is %s", (_, decl, args) => {
    expect(check(decl, args, {})).toBeUndefined();
    expect(check(decl, args, { [`Mcp-Param-${decl.header}`]: "=?base64?broken?=" })).toBeUndefined();
  });

  it("leaves an argument no client could write to argument validation", () => {
    expect(check(region, { region: { nested: 1 } }, {})).toBeUndefined();
    expect(check(count, { limits: { count: 2 ** 53 } }, {})).toBeUndefined();
  });

  it("checks every declaration and answers for the first that fails", () => {
    const args = { region: "eu", limits: { count: 1 }, dry: true };
    const headers = new Headers({ "Mcp-Param-Region": "eu", "Mcp-Param-Count": "1" });
    expect(checkParamHeaders([region, count, dry], args, headers)).toBe(
      "the Mcp-Param-Dry header is required when arguments.dry is given",
    );
    headers.set("Mcp-Param-Dry", "true");
    expect(checkParamHeaders([region, count, dry], args, headers)).toBeUndefined();
  });
});
