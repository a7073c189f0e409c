// One linter for the whole repository: typescript-eslint's recommended rules.
import eslint from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
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
);
