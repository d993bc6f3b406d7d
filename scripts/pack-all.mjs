// Writes an installable tarball of every public package into one folder (default ./tarballs, git-ignored):
// `pnpm pack` turns each `workspace:*` dependency into the version it points at, so
// `npm install ./tarballs/*.tgz` works with no registry entry of ours. Run it through `pnpm pack:all`,
// which builds first. Refuses a tarball that still says `workspace:` or ships the TypeScript build info.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const outArg = process.argv.indexOf("--out");
const out = resolve(outArg > 0 ? (process.argv[outArg + 1] ?? "") : join(root, "tarballs"));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const packagesDir = join(root, "packages");
for (const dir of readdirSync(packagesDir)) {
  const manifestPath = join(packagesDir, dir, "package.json");
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  if (manifest.private) continue;
  // The same three rules for every public package, so a new one cannot ship build info or dangling maps.
  const files = manifest.files ?? [];
  const missing = ["dist", "!dist/.tsbuildinfo", "src"].filter((f) => !files.includes(f));
  if (missing.length > 0) {
    console.error(
      `${manifest.name}: its package.json "files" lacks ${missing.map((f) => `"${f}"`).join(", ")}`,
    );
    console.error("  (ship the sources the source maps name, never dist/.tsbuildinfo; see RELEASING.md)");
    process.exit(1);
  }
  if (!existsSync(join(packagesDir, dir, "dist"))) {
    console.error(`${manifest.name}: no dist/ — build first (pnpm pack:all does)`);
    process.exit(1);
  }
  execFileSync("pnpm", ["pack", "--pack-destination", out], { cwd: join(packagesDir, dir), stdio: "ignore" });
}

let bad = false;
for (const file of readdirSync(out).filter((f) => f.endsWith(".tgz"))) {
  const tarball = join(out, file);
  const packed = JSON.parse(
    execFileSync("tar", ["-xOzf", tarball, "package/package.json"], { encoding: "utf8" }),
  );
  const entries = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
  const sections = ["dependencies", "peerDependencies", "optionalDependencies"];
  const workspace = sections.flatMap((s) =>
    Object.entries(packed[s] ?? {}).filter(([, range]) => String(range).startsWith("workspace:")),
  );
  if (workspace.length > 0) {
    console.error(
      `${file}: still depends on ${workspace.map(([name, range]) => `${name}@${range}`).join(", ")}`,
    );
    bad = true;
  }
  if (entries.some((e) => e.endsWith(".tsbuildinfo"))) {
    console.error(`${file}: ships a .tsbuildinfo`);
    bad = true;
  }
  console.log(`${tarball}  (${packed.name}@${packed.version}, ${entries.filter(Boolean).length} files)`);
}
process.exit(bad ? 1 : 0);
