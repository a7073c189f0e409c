/**
 * Demo prompt `greet`, whose `style` argument is completable (completion/complete on a prompt ref).
 */
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const STYLES = ["formal", "casual"] as const;

export function registerDemoPrompts(server: McpServer): void {
  // completable() marks the schema object itself (a non-configurable property), so the schema
  // must be created per server; a module-level one would throw on the second createDemoServer().
  const style = completable(
    z.enum(STYLES).describe("Tone of the greeting: formal or casual"),
    // The value is whatever prefix the user has typed so far, not yet a valid enum member.
    (value: string) => STYLES.filter((s) => s.startsWith(value)),
  );

  server.registerPrompt(
    "greet",
    {
      title: "Greet someone",
      description: "Produces a user message asking for a greeting in the chosen style.",
      argsSchema: {
        name: z.string().describe("Who to greet"),
        style,
      },
    },
    ({ name, style }): GetPromptResult => ({
      description: `A ${style} greeting for ${name}`,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              style === "formal"
                ? `Please write a formal greeting addressed to ${name}.`
                : `Say a casual hi to ${name}.`,
          },
        },
      ],
    }),
  );
}
