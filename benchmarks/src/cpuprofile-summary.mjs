// Profiling aid: prints the top functions of a V8 .cpuprofile by self time and by inclusive time.
// Usage: node src/cpuprofile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000; // ms per sample
const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);

const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(packages|node_modules)\//, "$1/")}:${lineNumber + 1}` : "";
  return `${functionName || "(anonymous)"} ${where}`.trim();
};
const self = new Map();
const inclusive = new Map();
let total = 0;
for (const [id, count] of selfSamples) {
  total += count;
  const node = byId.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + count);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur));
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + count);
  }
}
const print = (title, map) => {
  console.log(`\n${title} (of ${(total * interval).toFixed(0)} ms sampled)`);
  for (const [name, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
};
print("self", self);
print("inclusive", inclusive);
