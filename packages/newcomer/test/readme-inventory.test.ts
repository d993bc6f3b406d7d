// Every code block of every README is run by a test, as written, or says here why it is not: a block added
// to a README without a place fails this test until it gets one.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlocks } from "./markdown-code.js";
import { root } from "./support/snippet.js";

const RUN = {
  start: "start-command.test.ts",
  examples: "examples.test.ts",
  snippets: "readme-snippets.test.ts",
  installed: "pack-install.test.ts",
};
const NOT_PUBLISHED = "not run: the packages are not on the registry yet (the tarball line next to it is)";
const TARBALLS = `${RUN.installed}: runs these lines in a fresh npm project, T set to where pnpm pack:all wrote the tarballs`;

/** Where each block runs, by README and the block's first line without its trailing comment. */
const places: Record<string, string> = {
  "README.md: npx -y pnpm@10.34.9 install && npx -y pnpm@10.34.9 start": RUN.start,
  "README.md: npx -y pnpm@10.34.9 install && npx -y pnpm@10.34.9 -s test": "not run: it is this test suite",
  "examples/README.md: npx -y pnpm@10.34.9 start": `${RUN.start} (the same start script)`,
  "examples/README.md: B=http://127.0.0.1:8080/api/consumer/v1": RUN.examples,
  "packages/client-external/README.md: npm install @consumer-api/client-external": NOT_PUBLISHED,
  "packages/client-external/README.md: T=/path/to/consumer-api/tarballs": TARBALLS,
  'packages/client-external/README.md: import { createExternalConsumerApi } from "@consumer-api/client-external";':
    RUN.installed,
  'packages/client-external/README.md: import { BpmnError } from "@consumer-api/client-external";':
    RUN.snippets,
  "packages/client-external/README.md: node packages/client-external/bench/transport.mjs 5000":
    "not run: a benchmark (pnpm bench's business; tests assert no timings)",
  "packages/client-internal/README.md: npm install @consumer-api/client-internal": NOT_PUBLISHED,
  "packages/client-internal/README.md: T=/path/to/consumer-api/tarballs": TARBALLS,
  'packages/client-internal/README.md: import { openInternalConsumerApi } from "@consumer-api/client-internal";':
    RUN.installed,
  'packages/client-internal/README.md: import { openEngine } from "@consumer-api/engine";': RUN.snippets,
  'packages/client-internal/README.md: import { BpmnError } from "@consumer-api/client-internal";':
    RUN.snippets,
  "packages/conformance/README.md: npm install --save-dev @consumer-api/conformance vitest": NOT_PUBLISHED,
  "packages/conformance/README.md: T=/path/to/consumer-api/tarballs": `${RUN.installed}: packs it and checks its manifest; not installed there (it brings vitest)`,
  "packages/conformance/README.md: // my-binding.conformance.test.ts": RUN.snippets,
  "packages/conformance/README.md: npx consumer-api-conformance fixtures ./conformance": RUN.snippets,
  "packages/contracts/README.md: npm install @consumer-api/contracts": NOT_PUBLISHED,
  "packages/contracts/README.md: T=/path/to/consumer-api/tarballs": TARBALLS,
  'packages/contracts/README.md: import { ProcessStartRequestPayload, parseOrBadRequest, type UserTaskList } from "@consumer-api/contracts";':
    RUN.snippets,
  'packages/contracts/README.md: import { errorFromProblem, PROBLEM_CONTENT_TYPE, problemFromError } from "@consumer-api/contracts";':
    RUN.snippets,
  'packages/contracts/README.md: import { buildUrlPath, matchRoute, parseOrBadRequest, routes } from "@consumer-api/contracts";':
    RUN.snippets,
  'packages/contracts/README.md: import { buildChannel, parseChannel, subscribeToChannel } from "@consumer-api/contracts";':
    RUN.snippets,
  "packages/contracts/README.md: consumer-api-contracts --out contract": RUN.snippets,
  "packages/engine/README.md: npm install @consumer-api/engine": NOT_PUBLISHED,
  "packages/engine/README.md: T=/path/to/consumer-api/tarballs": TARBALLS,
  "packages/engine/README.md: interface EngineOptions {": `${RUN.snippets} (type-checked against the export)`,
  'packages/engine/README.md: import { openEngine } from "@consumer-api/engine";': RUN.snippets,
  "packages/http-server/README.md: npm install @consumer-api/http-server": NOT_PUBLISHED,
  "packages/http-server/README.md: T=/path/to/consumer-api/tarballs": TARBALLS,
  'packages/http-server/README.md: import { startServer, createFetchHandler } from "@consumer-api/http-server";':
    RUN.installed,
  "packages/http-server/README.md: consumer-api-server --models examples/models --identities examples/identities.json --data data --port 8080": `${RUN.snippets} (its pnpm start line: ${RUN.start})`,
  "packages/task-list/README.md: pnpm start": `${RUN.start} (the same start script)`,
  "packages/http-server/README.md: export CONSUMER_API_DATA=postgres://consumer:secret@db.internal:5432/consumer_api":
    "not run as written (it names a database host): conformance's two-node.test.ts starts the same two server programs on one PostgreSQL through CONSUMER_API_DATA",
  "packages/http-server/README.md: upstream consumer_api { server 127.0.0.1:8081; server 127.0.0.1:8082; }":
    "not run: an nginx configuration; nginx is not part of this repository",
};

const readmes = [
  "README.md",
  "examples/README.md",
  ...readdirSync(path.join(root, "packages"))
    .map((pkg) => `packages/${pkg}/README.md`)
    .filter((file) => existsSync(path.join(root, file))),
];

function firstLine(code: string): string {
  return (code.split("\n")[0] ?? "").replace(/^(.+?)\s+(#|\/\/)\s.*$/, "$1");
}

describe("every README code block", () => {
  const found = readmes.flatMap((file) =>
    codeBlocks(path.join(root, file)).map((block) => `${file}: ${firstLine(block.code)}`),
  );

  it("has a place: the test that runs it as written, or why it is not run", () => {
    expect(found.filter((key) => !(key in places))).toEqual([]);
  });

  it("and every place still names a block that exists", () => {
    expect(Object.keys(places).filter((key) => !found.includes(key))).toEqual([]);
  });
});
