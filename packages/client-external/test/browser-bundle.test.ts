// The client as users bundle it for a browser: esbuild and Vite take it with no flags, nothing of Node
// comes along (node:http, `ws`), and the size of a page that uses every operation is measured.

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build as esbuild } from "esbuild";
import { type Rollup, build as viteBuild } from "vite";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("./fixtures/browser-page/every-operation.ts", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

/** What no browser bundle of the client may contain: the Node entry and what it imports. */
const NODE_ONLY = [/^node:/, /[\\/]ws[\\/]/, /node-http-transport/, /[\\/]dist[\\/]node\.js$/];

// Issue 18: a page that uses every operation stays within 40 KB min+gzip. It was 102 KB while the client
// imported the contracts' route table with its zod schemas (zod alone was 454 of 480 KB minified); the
// client now imports `@consumer-api/contracts/runtime`, which has no schema library in it.
const BUDGET = 40 * 1024;
/** A schema library in a client bundle means the runtime entry pulled in a module with zod schemas again. */
const SCHEMA_LIBRARY = /[\\/]node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?zod[\\/]/;

async function bundle() {
  const result = await esbuild({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild wrote nothing");
  return { code: output.contents, inputs: Object.keys(result.metafile.inputs) };
}

describe("a browser bundle of client-external", () => {
  it("builds with esbuild, no flags, and pulls in nothing of Node", async () => {
    const { inputs } = await bundle();
    expect(inputs.filter((input) => NODE_ONLY.some((pattern) => pattern.test(input)))).toEqual([]);
    // The browser entry, resolved through the package's exports (this package's own dist/, relative).
    expect(inputs).toContain("dist/index.js");
  });

  it("builds with Vite, no flags, and pulls in nothing of Node", async () => {
    const result = (await viteBuild({
      root,
      configFile: false,
      logLevel: "silent",
      build: {
        write: false,
        lib: { entry, formats: ["es"], fileName: "page" },
        rollupOptions: { external: [] },
      },
    })) as Rollup.RollupOutput | Rollup.RollupOutput[];
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
    const modules = outputs.flatMap((chunk) => (chunk.type === "chunk" ? Object.keys(chunk.modules) : []));
    expect(modules).toContain(`${root}dist/index.js`);
    expect(modules.filter((id) => NODE_ONLY.some((pattern) => pattern.test(id)))).toEqual([]);
    expect(modules.filter((id) => SCHEMA_LIBRARY.test(id))).toEqual([]);
    const code = outputs.map((chunk) => (chunk.type === "chunk" ? chunk.code : "")).join("");
    expect(code).not.toMatch(/from\s*["']node:/);
  });

  it("carries no schema library and stays within its size budget (min+gzip)", async () => {
    const { code, inputs } = await bundle();
    expect(inputs.filter((input) => SCHEMA_LIBRARY.test(input))).toEqual([]);
    const size = gzipSync(code).length;
    console.log(`every-operation page: ${size} B min+gzip`);
    expect(size).toBeLessThanOrEqual(BUDGET);
  });
});
