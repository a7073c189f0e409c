// One linter for the whole repository: typescript-eslint's recommended rules, and the layers of
// src/ (docs/architecture.md): each may import only the layers below it.
import eslint from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["bench/results/", ".wrangler/", "dist/", "node_modules/"]),
  eslint.configs.recommended,
  tseslint.configs.recommended,
  // Plain JavaScript runs on Node (configs, scripts) or in workerd (a test fixture): their globals.
  { files: ["**/*.js"], languageOptions: { globals: { ...globals.node, ...globals.serviceworker } } },
  {
    rules: {
      // A variable a closure reads before its one assignment cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/**/*.ts", "demo/**/*.ts", "conformance/**/*.ts"],
    plugins: { "import-x": importX },
    settings: { "import-x/resolver-next": [createTypeScriptImportResolver()] },
    rules: { "import-x/no-restricted-paths": ["error", { zones: layerZones() }] },
  },
);

/**
 * The layers from the bottom up. A layer imports from those before it in this list, never from
 * those after it; demo/ and conformance/ use the library only through its entries.
 */
function layerZones() {
  const layers = [
    ["src/wire", "shared wire pieces"],
    ["src/security", "security"],
    ["src/state", "durable state for tools"],
    ["src/lane", "the contract between the edge and its lanes"],
    ["src/tasks", "durable tasks, in their own objects"],
    ["src/sessions", "the 2025 session lane"],
    ["src/listen", "the listener hubs of both eras"],
    ["src/stateless", "the 2026-07-28 stateless lane"],
    ["src/push", "push"],
    ["src/edge", "the edge"],
  ];
  const entries = ["src/lib.ts", "src/oauth.ts"];
  const above = (index) => [...layers.slice(index + 1).map(([path]) => path), ...entries, "demo", "conformance"];
  return [
    ...layers.map(([target, name], index) => ({
      target,
      from: above(index),
      message: `${name} (${target}) must not import from a layer above it: see docs/architecture.md`,
    })),
    // The two lanes meet only in the layers below them.
    {
      target: "src/stateless",
      from: "src/sessions",
      message: "the 2026-07-28 lane must not import the session lane: share through src/lane or src/wire",
    },
    // Inside the session lane: the object side and the Worker side meet only in its shared files.
    {
      target: "src/sessions/object",
      from: ["src/sessions/worker", "src/sessions/transport"],
      message: "the session object must not import the Worker side",
    },
    {
      target: ["src/sessions/worker", "src/sessions/transport"],
      from: "src/sessions/object",
      message: "the Worker side reaches the session object only through src/sessions/rpc.ts",
    },
    {
      target: "src/sessions/transport",
      from: "src/sessions/worker",
      message: "the transport must not import the lane's handlers",
    },
    {
      target: ["demo", "conformance"],
      from: "src",
      except: ["./lib.ts", "./oauth.ts"],
      message: "demo/ and conformance/ use the library only through src/lib.ts and src/oauth.ts",
    },
  ];
}
