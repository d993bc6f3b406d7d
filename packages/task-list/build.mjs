// Bundles the page for browsers (no CDN, no framework) into dist/www beside the Node entry.
import { copyFile, mkdir } from "node:fs/promises";
import { build } from "esbuild";

const out = new URL("./dist/www/", import.meta.url);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL("./src/page/main.ts", import.meta.url).pathname],
  outfile: new URL("app.js", out).pathname,
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
});
for (const file of ["index.html", "app.css"]) {
  await copyFile(new URL(`./src/page/${file}`, import.meta.url), new URL(file, out));
}
