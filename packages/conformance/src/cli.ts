#!/usr/bin/env node
import { copyFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { TestCase, TestModule } from "vitest/node";
import { type FixtureSet, fixtureSets, fixtureSetsFor, fixtures, writeFixtureModels } from "./fixtures.js";
import { LEVEL_ONE } from "./options.js";
import { checkServesFixtures } from "./preflight.js";
import { serverSupports } from "./remote/server-capabilities.js";
import { SUPPORTS_ENV, URL_ENV } from "./remote/url-env.js";

const LEVEL_TWO_NAMES = fixtureSets.flatMap((set) => (set.capability ? [set.capability] : [])).join(", ");

const HELP = `consumer-api-conformance — the ConsumerAPI conformance suite, for any implementation

Usage:
  consumer-api-conformance fixtures <dir> [--level 1 | --capabilities <a,b,…>]
      Writes the suite's fixtures: <dir>/models/*.bpmn and <dir>/identities.json. The models come in sets:
      level-1 (SPEC §6 elements; what the level-1 cases start) and one level-2/<capability> set per
      capability whose cases need models of their own (${LEVEL_TWO_NAMES}).
      Load the sets your server supports: by default all of them are written; --level 1 writes level-1
      only (a server without GET /info); --capabilities writes level-1 plus the named level-2 sets
      (bpmnLevel2 is SPEC §6.1, which a server with GET /info is taken to run).

  consumer-api-conformance run --url <base-url>
      Runs the whole suite (every behavioural case plus the HTTP and WebSocket wire cases; the run prints
      how many) over HTTP + WebSocket against the server at <base-url> (e.g. http://127.0.0.1:8080 — the
      routes add /api/consumer/v1), checking every response body against the contract's JSON Schemas.
      Runs the cases of the capabilities the server lists in GET /api/consumer/v1/info (SPEC §14); a server
      without /info (404) gets the level-1 cases only.
      Prints "N passed, M failed" and exits non-zero on any failure. It first checks that the server
      serves the fixtures (every fixture token authenticates, every fixture model is listed) and exits 2
      at once, saying what is wrong and how to start the reference server on them, when it does not.

Testing your own server (a .NET implementation, say):
  1. consumer-api-conformance fixtures ./conformance        (a level-1 server: add --level 1)
  2. Start your server on those files, with empty state, e.g.
       dotnet run --project src/MyConsumerApi -- --models ./conformance/models \\
         --identities ./conformance/identities.json --data ./conformance-data --port 8080
     It must load every .bpmn file of the models directory (SPEC §6), accept exactly the bearer tokens
     of identities.json ({ "tokens": { "<token>": { "userId", "claims" } } }, SPEC §7), serve SPEC §4 under
     /api/consumer/v1 and the notification WebSocket at /api/consumer/v1/notifications (SPEC §5.1).
     The reference server does the same with:
       consumer-api-server --models ./conformance/models --identities ./conformance/identities.json \\
         --data ./conformance-data --port 8080
  3. consumer-api-conformance run --url http://127.0.0.1:8080

  Every case uses its own random correlation id, so a server may be reused across runs.

Options:
  --url <base-url>          the server to test (run)
  --level 1                 fixtures: the level-1 models only
  --capabilities <a,b,…>    fixtures: level-1 and these level-2 sets
  -h, --help                this text
`;

async function writeFixtures(dir: string, sets: readonly FixtureSet[]): Promise<void> {
  const models = path.join(dir, "models");
  await mkdir(models, { recursive: true });
  writeFixtureModels(models, sets);
  await copyFile(fixtures.identitiesFile, path.join(dir, "identities.json"));
  console.log(
    `wrote ${models}/*.bpmn (${sets.map((set) => set.name).join(", ")}) and ${path.join(dir, "identities.json")}`,
  );
}

/** The sets a `fixtures` command line selects, or the text saying what is wrong with it. */
function selectSets(level: string | undefined, capabilities: string | undefined): FixtureSet[] | string {
  if (level !== undefined && capabilities !== undefined)
    return "--level and --capabilities exclude each other";
  if (level !== undefined)
    return level === "1" ? fixtureSetsFor(LEVEL_ONE) : `--level: only 1 is a level (got ${level})`;
  if (capabilities === undefined) return [...fixtureSets];
  const names = capabilities
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !fixtureSets.some((set) => set.capability === name));
  if (unknown.length > 0)
    return `--capabilities: no fixture set for ${unknown.join(", ")} (there are: ${LEVEL_TWO_NAMES})`;
  return fixtureSets.filter((set) => set.capability === undefined || names.includes(set.capability));
}

async function run(url: string): Promise<number> {
  try {
    new URL(url);
  } catch {
    console.error(`--url: not a URL: ${url}`);
    return 2;
  }
  const notServing = await checkServesFixtures(url, fixtureSetsFor(LEVEL_ONE));
  if (notServing) {
    console.error(notServing);
    return 2;
  }
  let claimed: Awaited<ReturnType<typeof serverSupports>>;
  try {
    claimed = await serverSupports(url);
  } catch (error) {
    console.error(`${url}: ${(error as Error).message}`);
    return 2;
  }
  const notServingClaimed = await checkServesFixtures(url, fixtureSetsFor(claimed.supports));
  if (notServingClaimed) {
    console.error(notServingClaimed);
    return 2;
  }
  console.log(
    claimed.capabilities === undefined
      ? "no GET /info: running the level-1 cases only (SPEC §14)"
      : `capabilities (GET /info): ${claimed.capabilities.join(", ") || "none"}`,
  );
  process.env[URL_ENV] = url;
  process.env[SUPPORTS_ENV] = JSON.stringify(claimed.supports);
  const { startVitest } = await import("vitest/node");
  const remoteDir = fileURLToPath(new URL("./remote/", import.meta.url));
  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  const fail = (name: string, message: string) => {
    failed++;
    failures.push(`${name}\n    ${message.split("\n").join("\n    ")}`);
    console.log(`✗ ${name}`);
  };
  const reporter = {
    onTestCaseResult(test: TestCase) {
      const result = test.result();
      if (result.state === "passed") passed++;
      else if (result.state === "failed") fail(test.fullName, result.errors?.[0]?.message ?? "failed");
    },
    onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<{ message?: string }>) {
      for (const module of modules) {
        for (const error of module.errors())
          fail(`${module.moduleId} (could not run)`, error.message ?? String(error));
      }
      for (const error of unhandled) fail("unhandled error", error.message ?? String(error));
    },
  };
  console.log(`consumer-api-conformance: running the suite against ${url}`);
  const vitest = await startVitest(
    "test",
    [],
    {
      root: remoteDir,
      config: false,
      watch: false,
      include: ["url-suite.js"],
      // The default excludes node_modules, where an installed copy of this file lives.
      exclude: [],
      reporters: [reporter],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
    { cacheDir: path.join(tmpdir(), "consumer-api-conformance-vite") },
  );
  await vitest.close();
  if (failures.length > 0) {
    console.log("\nfailed cases:");
    for (const failure of failures) console.log(`  ✗ ${failure}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      level: { type: "string" },
      capabilities: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(HELP);
    return values.help || command === "help" ? 0 : 2;
  }
  if (command === "fixtures") {
    const dir = rest[0];
    if (!dir || rest.length > 1) {
      console.error("usage: consumer-api-conformance fixtures <dir> [--level 1 | --capabilities <a,b,…>]");
      return 2;
    }
    const sets = selectSets(values.level, values.capabilities);
    if (typeof sets === "string") {
      console.error(sets);
      return 2;
    }
    await writeFixtures(path.resolve(dir), sets);
    return 0;
  }
  if (command === "run") {
    if (!values.url) {
      console.error("usage: consumer-api-conformance run --url <base-url>");
      return 2;
    }
    return run(values.url);
  }
  console.error(`unknown command "${command}"\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
