import { defineConfig } from "vitest/config";

// One config for every package. The JSON report feeds scripts/test.mjs, which prints the summed
// "N passed, M failed" line CI reads. The budgets are generous on purpose: the tests spawn servers, build
// schemas and wait on sockets, and CI machines are shared; vitest's 5 s default made a loaded run fail
// where an idle one passed, and under four CPU burners on two shared cores the slowest tests took over a
// minute. A test that truly hangs still fails, three minutes later; one that needs more (a whole
// conformance run) says so itself.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    passWithNoTests: true,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: ".vitest-result.json" }]],
  },
});
