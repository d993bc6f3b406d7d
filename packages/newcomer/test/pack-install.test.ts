import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlock, codeBlocks } from "./markdown-code.js";
import { type ListeningProcess, startListening } from "./support/listening-process.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));
const examples = path.join(root, "examples");
const readme = (pkg: string) => path.join(root, "packages", pkg, "README.md");
// npm may fetch the packages' own dependencies, compile nothing, and the machine may be busy: minutes.
const INSTALL_BUDGET = 600_000;
/** The packages whose README install lines run here, in dependency order. */
const INSTALLED = ["contracts", "engine", "client-internal", "client-external", "http-server"];

async function sh(file: string, args: string[], cwd: string): Promise<string> {
  const { stdout, stderr } = await run(file, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout + stderr;
}

describe("the packages as a newcomer installs them", () => {
  let dir: string;
  let tarballs: string;
  let project: string;
  let server: ListeningProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "consumer-api-install-"));
    tarballs = path.join(dir, "tarballs");
    project = path.join(dir, "project");
    await sh(process.execPath, [path.join(root, "scripts/pack-all.mjs"), "--out", tarballs], root);
    await mkdir(project);
    await sh("npm", ["init", "-y"], project);
    // Each README's tarball lines as written, with T set to where pack-all wrote them; npm's options come from
    // the environment so the commands stay as the READMEs print them. Conformance's line brings vitest
    // from the registry: the install test leaves it out (its tarball is checked below like every other).
    for (const pkg of INSTALLED) {
      const lines = codeBlocks(readme(pkg)).find((b) => b.lang === "sh" && b.code.startsWith("T="))?.code;
      expect(lines, `${pkg}'s README has no tarball install lines`).toMatch(/^T=\S+.*\nnpm install \$T\//);
      await run("bash", ["-euo", "pipefail", "-c", (lines as string).replace(/^T=\S+/, `T=${tarballs}`)], {
        cwd: project,
        env: {
          ...process.env,
          npm_config_prefer_offline: "true",
          npm_config_audit: "false",
          npm_config_fund: "false",
          npm_config_ignore_scripts: "true",
        },
        maxBuffer: 64 * 1024 * 1024,
      });
    }
    // --ignore-scripts skipped better-sqlite3's native build; the workspace's build is the same version.
    const workspaceSqlite = path.dirname(
      createRequire(path.join(root, "packages/engine/package.json")).resolve("better-sqlite3/package.json"),
    );
    const binding = "build/Release/better_sqlite3.node";
    await mkdir(path.join(project, "node_modules/better-sqlite3/build/Release"), { recursive: true });
    await copyFile(
      path.join(workspaceSqlite, binding),
      path.join(project, "node_modules/better-sqlite3", binding),
    );
    // The READMEs' examples run against examples/: ./models and ./identities.json in the project.
    await cp(path.join(examples, "models"), path.join(project, "models"), { recursive: true });
    await copyFile(path.join(examples, "identities.json"), path.join(project, "identities.json"));
  }, INSTALL_BUDGET);

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("every tarball has a real version, no workspace: range, no build info, and the sources its maps name", async () => {
    const files = (await readdir(tarballs)).filter((f) => f.endsWith(".tgz"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const tarball = path.join(tarballs, file);
      const manifest = JSON.parse(await sh("tar", ["-xOzf", tarball, "package/package.json"], dir));
      // A package that has been released (it has a changelog) carries the version changesets gave it.
      const released = existsSync(
        path.join(root, "packages", file.replace(/^consumer-api-|-\d[^-]*\.tgz$/g, ""), "CHANGELOG.md"),
      );
      if (released) expect(manifest.version, file).not.toBe("0.0.0");
      expect(JSON.stringify(manifest), file).not.toContain("workspace:");
      const entries = new Set((await sh("tar", ["-tzf", tarball], dir)).split("\n").filter(Boolean));
      expect(
        [...entries].filter((e) => e.endsWith(".tsbuildinfo")),
        file,
      ).toEqual([]);
      const maps = [...entries].filter((e) => e.endsWith(".map"));
      expect(maps.length, file).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources, sourcesContent } = JSON.parse(await sh("tar", ["-xOzf", tarball, map], dir)) as {
          sources: string[];
          sourcesContent?: (string | null)[];
        };
        // A map either carries its sources (a bundle's) or names files the tarball ships.
        sources.forEach((source, i) => {
          const shipped = path.posix.normalize(path.posix.join(path.posix.dirname(map), source));
          const carried = typeof sourcesContent?.[i] === "string";
          expect(carried || entries.has(shipped), `${file}: ${map} names ${source}, not in the tarball`).toBe(
            true,
          );
        });
      }
    }
  });

  it("client-internal's README example runs in the installed project on a temporary SQLite directory", async () => {
    const example = codeBlock(readme("client-internal"), "Usage", "ts");
    await writeFile(path.join(project, "internal.mjs"), example);
    const output = await sh(process.execPath, ["internal.mjs"], project);
    expect(output).toContain("[ 'Dispatch', 'Order', 'Payment', 'TruckArrival' ]");
    expect(output).toContain("[ 'EnterOrder' ]");
    expect(await readdir(path.join(project, "data"))).not.toEqual([]);
  });

  it("http-server's README example runs in the installed project", async () => {
    await writeFile(path.join(project, "server.mjs"), codeBlock(readme("http-server"), "Usage", "ts"));
    const output = await sh(process.execPath, ["server.mjs"], project);
    expect(output).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/m);
    expect(output).toMatch(/^200$/m);
  });

  it("client-external's README example runs in the installed project against the installed server program", async () => {
    server = await startListening(
      path.join(project, "node_modules/.bin/consumer-api-server"),
      ["--models", "models", "--identities", "identities.json", "--data", "server-data", "--port", "0"],
      { cwd: project },
    );
    const example = codeBlock(readme("client-external"), "Usage", "ts");
    expect(example).toContain('"http://127.0.0.1:8080"');
    await writeFile(
      path.join(project, "external.mjs"),
      example.replace('"http://127.0.0.1:8080"', JSON.stringify(server.url)),
    );
    const output = await sh(process.execPath, ["external.mjs"], project);
    expect(output).toContain("404");
  });
});
