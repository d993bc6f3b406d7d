// The README blocks the install test (pack-install.test.ts), the curl walk-through (examples.test.ts) and the
// start command (start-command.test.ts) do not run: each one here, as written, against examples/. What a
// block uses without defining it (a server's URL, an `api`, a `res`) is declared before it; nothing in it
// is changed. A block that drifts from the code — a renamed export, a start event the models lack, a
// comment promising another value — fails here.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { codeBlock, codeBlocks } from "./markdown-code.js";
import { type ListeningProcess, startListening } from "./support/listening-process.js";
import { exampleDirectory, examples, inOrder, promisedLogs, root, runSnippet } from "./support/snippet.js";

const run = promisify(execFile);
const readme = (pkg: string) => path.join(root, "packages", pkg, "README.md");
const bin = path.join(root, "packages/newcomer/node_modules/.bin");
const scratch = path.join(root, "packages/newcomer/.snippets");

/** Closes what a prelude opened (it pushes onto globalThis.__snippetCleanup). */
const cleanup: (() => Promise<unknown>)[] = [];
(globalThis as { __snippetCleanup?: unknown }).__snippetCleanup = cleanup;
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});
/** The server program on the example models, for the blocks that talk to a server. */
let server: ListeningProcess;
beforeAll(async () => {
  const data = await exampleDirectory();
  server = await startListening(process.execPath, [
    path.join(root, "packages/http-server/dist/bin.js"),
    ...["--models", path.join(examples, "models"), "--identities", path.join(examples, "identities.json")],
    ...["--data", path.join(data, "server-data"), "--port", "0", "--quiet"],
  ]);
});
afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** An internal ConsumerApi over ./models and ./identities.json, as `api`; `context` is alice. */
const internalApi = `
import { openInternalConsumerApi as __openInternal } from "@consumer-api/client-internal";
const api = await __openInternal({ models: "./models", data: ":memory:", identities: "./identities.json" });
(globalThis as any).__snippetCleanup.push(() => api.close());
const context = { identity: "alice-token" };
`;

describe("packages/contracts/README.md", () => {
  const file = readme("contracts");

  it("Schemas and types: parseOrBadRequest throws the BadRequestError the comment names", async () => {
    const code = codeBlock(file, "Schemas and types", "ts");
    const promised = /\/\/ Throws BadRequestError\("(.*)"\)/.exec(code)?.[1];
    expect(promised).toBeDefined();
    const { error } = await runSnippet(await exampleDirectory(), code, {
      prelude: `const text = '{"correlationId": 1}';`,
    });
    expect(error).toMatchObject({ name: "BadRequestError", message: promised });
  });

  it("Errors: a thrown error becomes its problem+json, and the body maps back to the same class", async () => {
    const { error } = await runSnippet(await exampleDirectory(), codeBlock(file, "Errors", "ts"), {
      prelude: `
import { ForbiddenError as __Forbidden } from "@consumer-api/contracts";
const error = new __Forbidden("No access.");
const written: unknown[] = ((globalThis as any).__written = []);
const res = {
  writeHead: (status: number, headers: unknown) => (written.push(status, headers), res),
  end: (body: string) => written.push(JSON.parse(body)),
};
const response = new Response(JSON.stringify({ type: "about:blank", title: "Forbidden", status: 403, detail: "No access." }), { status: 403 });
`,
    });
    const problem = { type: "about:blank", title: "Forbidden", status: 403, detail: "No access." };
    expect((globalThis as { __written?: unknown }).__written).toEqual([
      403,
      { "content-type": "application/problem+json" },
      problem,
    ]);
    expect(error).toMatchObject({ name: "ForbiddenError", status: 403, detail: "No access." });
  });

  describe("Routes", () => {
    it("the client half starts an Order over HTTP, the server half decodes the same request and calls the api", async () => {
      const code = codeBlock(file, "Routes", "ts");
      const { error, logs } = await runSnippet(await exampleDirectory(), code, {
        prelude: `${internalApi}
const baseUrl = ${JSON.stringify(server.url)};
const req = { method: "POST" };
const url = new URL(baseUrl + "/api/consumer/v1/process_models/Order/start_events/OrderReceived/start");
const body = { inputValues: { source: "readme" } };
(globalThis as any).__api = api;
`,
      });
      expect(error).toBeUndefined();
      expect(promisedLogs(code)).toEqual(["200"]);
      expect(logs).toEqual(promisedLogs(code));
      // The server half started an instance on the internal api: its first user task waits.
      const api = (globalThis as { __api?: import("@consumer-api/contracts").ConsumerApi }).__api;
      const tasks = await api?.getUserTasksForProcessModel({ identity: "alice-token" }, "Order");
      expect(tasks?.userTasks.map((task) => task.key)).toEqual(["EnterOrder"]);
    });
  });

  it("Channels: builds and parses what the comments say, and subscribes through the api", async () => {
    const { error, claims, failedClaims } = await runSnippet(
      await exampleDirectory(),
      codeBlock(file, "Channels", "ts"),
      {
        claims: true,
        prelude: `${internalApi}
const channel = "/process_model/Order/system_events";
const callback = () => {};
`,
      },
    );
    expect(error).toBeUndefined();
    expect(claims).toBe(3);
    expect(failedClaims).toEqual([]);
  });

  it("The consumer-api-contracts command writes the contract for other languages, in both drafts", async () => {
    const dir = await exampleDirectory();
    const code = codeBlock(file, "The `consumer-api-contracts` command", "sh");
    await run("bash", ["-euo", "pipefail", "-c", code], {
      cwd: dir,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
    });
    const schema = JSON.parse(
      await readFile(path.join(dir, "contract/json-schema/ProcessModel.schema.json"), "utf8"),
    );
    // The second line ran last: the files are draft 2020-12 now.
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(existsSync(path.join(dir, "contract/openapi.json"))).toBe(true);
    expect(existsSync(path.join(dir, "contract/asyncapi.json"))).toBe(true);
  });
});

describe("packages/engine/README.md", () => {
  const file = readme("engine");

  it("API: starts an Order, finishes its task, and prints what the comments say", async () => {
    const code = codeBlock(file, "API", "ts");
    const { error, logs } = await runSnippet(await exampleDirectory(), code);
    expect(error).toBeUndefined();
    expect(logs[0]).toBe("instance.started");
    expect(promisedLogs(code)).toHaveLength(2);
    expect(inOrder(logs, promisedLogs(code)), logs.join("\n")).toBe(true);
  });

  it("Options: the interface is the exported EngineOptions, field for field", async () => {
    const dir = await exampleDirectory();
    const code = codeBlock(file, "Options", "ts");
    await writeFile(
      path.join(dir, "options.ts"),
      `import type { EngineOptions as Exported } from "@consumer-api/engine";
${code}
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const fields: Same<keyof EngineOptions, keyof Exported> = true;
export const types: Same<EngineOptions, Exported> = true;
`,
    );
    await writeFile(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.json",
        include: ["options.ts"],
        compilerOptions: { rootDir: "." },
      }),
    );
    const tsc = path.join(root, "node_modules/.bin/tsc");
    const result = await run(tsc, ["-p", dir]).then(
      () => "",
      (failure: { stdout: string }) => failure.stdout,
    );
    expect(result).toBe("");
  });
});

describe("packages/client-internal/README.md", () => {
  const file = readme("client-internal");

  it("Usage, with your own engine and a JWT identity provider", async () => {
    const code = codeBlocks(file).filter((b) => b.heading === "Usage" && b.lang === "ts")[1]?.code;
    expect(code).toContain("jwtIdentityProvider");
    const { error } = await runSnippet(await exampleDirectory(), code ?? "", {
      // It leaves its engine open, as an application would until it stops.
      epilogue: "(globalThis as any).__snippetCleanup.push(() => engine.close());",
    });
    expect(error).toBeUndefined();
  });

  it("External-task workers: a worker subscribes to a topic and stops", async () => {
    const { error } = await runSnippet(
      await exampleDirectory(),
      codeBlock(file, "External-task workers ([SPEC §13](../../docs/api-level-2.md#spec-13))", "ts"),
      {
        prelude: `${internalApi}\nconst token = "alice-token";\nconst cardOk = async (_payload: unknown) => true;`,
      },
    );
    expect(error).toBeUndefined();
  });
});

describe("packages/client-external/README.md", () => {
  it("External-task workers: a worker subscribes to a topic over HTTP and stops", async () => {
    const { error } = await runSnippet(
      await exampleDirectory(),
      codeBlock(
        readme("client-external"),
        "External-task workers ([SPEC §13](../../docs/api-level-2.md#spec-13))",
        "ts",
      ),
      {
        prelude: `
import { createExternalConsumerApi as __external } from "@consumer-api/client-external";
const api = __external({ baseUrl: ${JSON.stringify(server.url)} });
(globalThis as any).__snippetCleanup.push(() => api.close());
const token = "alice-token";
const cardOk = async (_payload: unknown) => true;
`,
      },
    );
    expect(error).toBeUndefined();
  });
});

describe("packages/conformance/README.md", () => {
  const file = readme("conformance");
  const vitest = path.join(root, "node_modules/vitest/vitest.mjs");

  it("Usage in vitest: the suite runs against your binding as your own test file (one area of it here)", async () => {
    const dir = await exampleDirectory();
    const code = codeBlock(file, "Usage in vitest, against your own binding", "ts");
    const name = /^\/\/ (?<name>\S+\.test\.ts)$/m.exec(code)?.groups?.name;
    expect(name).toBeDefined();
    // "your binding", as ../src/index.js: client-internal on a database of its own per factory call.
    await mkdir(path.join(dir, "src"));
    await writeFile(
      path.join(dir, "src/index.js"),
      `import { openInternalConsumerApi } from "@consumer-api/client-internal";
export const openMyConsumerApi = (options) => openInternalConsumerApi({ ...options, data: ":memory:" });
`,
    );
    await mkdir(path.join(dir, "test"));
    await writeFile(path.join(dir, "test", name as string), code);
    // The whole suite over client-internal is conformance's own internal.test.ts; one area shows this file runs.
    const { stdout } = await run(process.execPath, [vitest, "run", "--root", dir, "-t", "process models"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(/Tests\s+\d+ passed/);
    expect(stdout).not.toMatch(/failed/);
  });

  it("The CLI: writes the fixtures, and run passes against the reference server started on them", async () => {
    const dir = await exampleDirectory();
    const code = codeBlock(file, "The CLI, for foreign servers", "sh");
    const [write, check] = code.split("\n").filter((line) => line.startsWith("npx "));
    expect(check).toContain("http://127.0.0.1:8080");
    const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
    await run("bash", ["-euo", "pipefail", "-c", write as string], { cwd: dir, env });
    expect((await readdir(path.join(dir, "conformance/models"))).length).toBeGreaterThan(3);
    // "start your server on those files": the reference server, as --help prints it.
    const reference = await startListening(
      path.join(bin, "consumer-api-server"),
      ["--models", "conformance/models", "--identities", "conformance/identities.json"].concat([
        "--data",
        "conformance-data",
        "--port",
        "0",
        "--quiet",
      ]),
      { cwd: dir },
    );
    try {
      const { stdout } = await run(
        "bash",
        ["-euo", "pipefail", "-c", (check as string).replace("http://127.0.0.1:8080", reference.url)],
        {
          cwd: dir,
          env,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      expect(stdout).toMatch(/\d+ passed, 0 failed/);
    } finally {
      await reference.stop();
    }
  }, 900_000);
});

describe("packages/http-server/README.md", () => {
  it("The server program: the command serves the example models", async () => {
    const dir = await exampleDirectory();
    await mkdir(path.join(dir, "examples"));
    await run("cp", ["-r", "models", "identities.json", "examples/"], { cwd: dir });
    const [command] = codeBlock(readme("http-server"), "The server program", "sh").split("\n");
    expect(command).toMatch(/^consumer-api-server .* --port 8080$/);
    // The one substitution: the port, 8080 in the README, is whatever is free here.
    const [program, ...args] = (command as string).replace(/8080$/, "0").split(" ");
    const started = await startListening(path.join(bin, program as string), args, { cwd: dir });
    try {
      const response = await fetch(`${started.url}/api/consumer/v1/process_models`, {
        headers: { authorization: "Bearer alice-token" },
      });
      expect(response.status).toBe(200);
      const { processModels } = (await response.json()) as { processModels: { key: string }[] };
      expect(processModels.map((model) => model.key)).toContain("Order");
    } finally {
      await started.stop();
    }
  });
});
