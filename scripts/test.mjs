// Runs every package's tests through turbo, then prints the one line CI reads: "N passed, M failed".
// A package that ran but left no report counts as a failure, so a run that executed nothing cannot pass.
// The summary is the last line this script prints, after the names of the failed tests, so a reader need
// not scroll through turbo's interleaved output. (`pnpm test` adds pnpm's own "ELIFECYCLE" line after a
// failure; `pnpm -s test`, the command the README gives, leaves the summary last.)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const packagesDir = join(root, "packages");
// A package without a test script (a test helper such as test-postgres) has no report to read.
const packages = readdirSync(packagesDir).filter((d) => {
  const manifest = join(packagesDir, d, "package.json");
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).scripts?.test !== undefined;
});
for (const p of packages) rmSync(join(packagesDir, p, ".vitest-result.json"), { force: true });

const filtered = process.argv.slice(2).some((a) => a.startsWith("--filter") || a === "-F");
const turbo = join(root, "node_modules", ".bin", "turbo");
const run = spawnSync(
  existsSync(turbo) ? turbo : "turbo",
  ["run", "test", "--continue", ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
const failures = [];
for (const p of packages) {
  const file = join(packagesDir, p, ".vitest-result.json");
  if (!existsSync(file)) {
    // Extra arguments (a turbo --filter) may leave packages out on purpose; turbo's status still counts.
    if (filtered) continue;
    lines.push(`${p}: no test report`);
    failures.push(
      `${p}: no test report (the build or the test run failed before vitest wrote one; see above)`,
    );
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.success ? 0 : report.numFailedTests === 0 ? 1 : 0);
  skipped += report.numPendingTests + report.numTodoTests;
  lines.push(`${p}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  for (const suite of report.testResults) {
    const where = relative(root, suite.name);
    const failedTests = suite.assertionResults.filter((t) => t.status === "failed");
    for (const t of failedTests) failures.push(`${where} › ${t.fullName}`);
    if (suite.status === "failed" && failedTests.length === 0) {
      failures.push(`${where}: ${(suite.message || "failed").split("\n")[0]}`);
    }
  }
  if (
    !report.success &&
    report.numFailedTests === 0 &&
    !report.testResults.some((s) => s.status === "failed")
  ) {
    failures.push(`${p}: the run failed outside any test (see above)`);
  }
}
if (run.status !== 0 && failed === 0) {
  failures.push(`turbo exited with ${run.status ?? run.signal} (see above)`);
  failed += 1;
}
for (const line of lines) console.log(line);
if (failures.length > 0) {
  console.log("\nFailed:");
  for (const failure of failures) console.log(`  ✗ ${failure}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
