import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // Unit/integration tests inside workerd (Miniflare), bindings from wrangler.toml.
        // OAUTH_KV only for the OAuth tests (test/worker/oauth.test.ts); the demo deployment has no KV.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              kvNamespaces: ["OAUTH_KV"],
              // Seals 2026-07-28 requestStates; a deployment sets its own with wrangler secret put.
              bindings: { MCP_STATE_SECRET: "workerd-tests-only-requestState-secret-0123456789" },
            },
          }),
        ],
        test: { name: "workers", include: ["test/worker/**/*.test.ts"] },
      },
      {
        // Black-box tests against `wrangler dev` (see test/e2e/helpers/wrangler-dev.ts).
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file may start its own wrangler dev (node + esbuild + 2 workerd): at most two files
          // at a time. Projects with different maxWorkers need their own sequence.groupOrder;
          // groups run one after the other, so e2e never overlaps the workers project.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
