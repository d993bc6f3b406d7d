// Renders the generated contract as two static HTML references, into generated/api-reference/ (git-ignored):
// openapi.html from the OpenAPI 3.1 document (Redocly's build-docs) and asyncapi.html from the AsyncAPI
// document of the notification WebSocket (AsyncAPI's standalone React bundle, inlined). Both documents
// come from @consumer-api/contracts, so the pages cannot drift from the routes and channels; `pnpm docs:api`
// builds contracts first. Built, not checked in: routes are being added and checked-in HTML would go stale.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const outArg = process.argv.indexOf("--out");
const out = resolve(outArg > 0 ? (process.argv[outArg + 1] ?? "") : join(root, "generated", "api-reference"));
const { generateAsyncApi, generateOpenApi, toStableJson } = await import(
  join(root, "packages/contracts/dist/generate/index.js")
);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const openApi = generateOpenApi();
const asyncApi = generateAsyncApi();
writeFileSync(join(out, "openapi.json"), toStableJson(openApi));
writeFileSync(join(out, "asyncapi.json"), toStableJson(asyncApi));

const require = createRequire(join(root, "package.json"));
const redocly = join(require.resolve("@redocly/cli/package.json"), "..", "bin", "cli.js");
execFileSync(
  process.execPath,
  [redocly, "build-docs", join(out, "openapi.json"), "--output", join(out, "openapi.html")],
  {
    cwd: out,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  },
);

const component = join(require.resolve("@asyncapi/react-component/package.json"), "..");
const bundle = readFileSync(join(component, "browser/standalone/index.js"), "utf8");
const css = readFileSync(join(component, "styles/default.min.css"), "utf8");
// Inside <script>, "</script>" or "<!--" in the JSON would end or confuse the element.
const schema = JSON.stringify(asyncApi).replace(/</g, "\\u003c");
writeFileSync(
  join(out, "asyncapi.html"),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${asyncApi.info.title} ${asyncApi.info.version} — notifications (AsyncAPI)</title>
<style>${css}</style>
</head>
<body>
<div id="asyncapi"></div>
<script>${bundle.replace(/<\/script/gi, "<\\/script")}</script>
<script>
AsyncApiStandalone.render({ schema: ${schema}, config: { show: { sidebar: true } } }, document.getElementById("asyncapi"));
</script>
</body>
</html>
`,
);
for (const file of ["openapi.json", "openapi.html", "asyncapi.json", "asyncapi.html"])
  console.log(join(out, file));
