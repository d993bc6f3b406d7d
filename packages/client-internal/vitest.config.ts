import { defineConfig } from "vitest/config";

// The JSON report feeds scripts/test.mjs, which prints the summed "N passed, M failed" line CI reads.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    passWithNoTests: true,
    reporters: ["default", ["json", { outputFile: ".vitest-result.json" }]],
  },
});
