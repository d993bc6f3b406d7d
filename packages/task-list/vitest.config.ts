import { defineConfig } from "vitest/config";

// The browser tests start a server program and Chromium and wait on the page: explicit, generous timeouts.
// The JSON report feeds scripts/test.mjs, which prints the summed "N passed, M failed" line CI reads.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: ".vitest-result.json" }]],
  },
});
