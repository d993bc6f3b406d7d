// Runs every package's tests through turbo, then prints the one line CI reads: "N passed, M failed".
// A package that ran but left no report counts as a failure, so a run that executed nothing cannot pass.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const packagesDir = join(root, "packages");
const packages = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, "package.json")));
for (const p of packages) rmSync(join(packagesDir, p, ".vitest-result.json"), { force: true });

const run = spawnSync("turbo", ["run", "test", "--continue", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});

let passed = 0;
let failed = 0;
let skipped = 0;
for (const p of packages) {
  const file = join(packagesDir, p, ".vitest-result.json");
  if (!existsSync(file)) {
    console.error(`${p}: no test report`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.success ? 0 : report.numFailedTests === 0 ? 1 : 0);
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(`${p}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(run.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
