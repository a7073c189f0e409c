/**
 * Demo prompt `greet`, whose `style` argument is completable (completion/complete on a prompt ref).
 */
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const STYLES = ["formal", "casual"] as const;

// Built once per isolate, like the schemas in tools.ts. completable() marks the schema it is
// given (a non-configurable property): it is called once here, never again on the same schema.
const greetArgs = {
  name: z.string().describe("Who to greet"),
  style: completable(
    z.enum(STYLES).describe("Tone of the greeting: formal or casual"),
    // The value is whatever prefix the user has typed so far, not yet a valid enum member.
    (value: string) => STYLES.filter((s) => s.startsWith(value)),
  ),
};

export function registerDemoPrompts(server: McpServer): void {
  server.registerPrompt(
    "greet",
    {
      title: "Greet someone",
      description: "Produces a user message asking for a greeting in the chosen style.",
      argsSchema: greetArgs,
    },
    ({ name, style }): GetPromptResult => ({
      description: `A ${style} greeting for ${name}`,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: style === "formal" ? `Please write a formal greeting addressed to ${name}.` : `Say a casual hi to ${name}.`,
          },
        },
      ],
    }),
  );
}
