import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/generate/cli.js";
import {
  generateAsyncApi,
  generateJsonSchema,
  generateOpenApi,
  schemaFileNames,
  toStableJson,
} from "../src/generate/index.js";
import { namedTypes } from "../src/index.js";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? listFiles(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
    ),
  );
  return files.flat().sort();
}

describe("consumer-api-contracts bin", () => {
  let dir: string;
  beforeAll(async () => {
    expect(existsSync(bin), `${bin} is missing: build the package first`).toBe(true);
    dir = await mkdtemp(join(tmpdir(), "contracts-bin-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("starts with a node shebang", async () => {
    expect((await readFile(bin, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("writes every JSON Schema, openapi.json and asyncapi.json, byte-identical across runs", async () => {
    const first = join(dir, "first");
    const second = join(dir, "second", "nested");
    const result = await cli("--out", first);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(first);
    expect(await cli("--out", second, "--draft", "07")).toMatchObject({ code: 0 });

    const files = await listFiles(first);
    expect(files).toEqual([...schemaFileNames()].sort());
    expect(files).toHaveLength(Object.keys(namedTypes).length + 2);
    expect(await listFiles(second)).toEqual(files);
    for (const file of files) {
      const text = await readFile(join(first, file), "utf8");
      expect(await readFile(join(second, file), "utf8"), file).toBe(text);
      expect(text.endsWith("}\n")).toBe(true);
      expect(text).toContain('\n  "');
    }
    expect(await readFile(join(first, "json-schema", "UserTask.schema.json"), "utf8")).toBe(
      toStableJson(generateJsonSchema("UserTask")),
    );
    expect(
      JSON.parse(await readFile(join(first, "json-schema", "UserTask.schema.json"), "utf8")).$schema,
    ).toBe("http://json-schema.org/draft-07/schema#");
    expect(await readFile(join(first, "openapi.json"), "utf8")).toBe(toStableJson(generateOpenApi()));
    expect(await readFile(join(first, "asyncapi.json"), "utf8")).toBe(toStableJson(generateAsyncApi()));
  });

  it("writes keys sorted and arrays in schema order", async () => {
    const text = await readFile(join(dir, "first", "json-schema", "ProblemDetails.schema.json"), "utf8");
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([...keys].sort());
    expect(JSON.parse(text).required).toEqual(["type", "title", "status", "detail"]);
  });

  it("--draft 2020-12 writes 2020-12 schemas with $defs", async () => {
    const out = join(dir, "2020");
    expect(await cli("--draft", "2020-12", "--out", out)).toMatchObject({ code: 0 });
    const schema = JSON.parse(await readFile(join(out, "json-schema", "UserTaskList.schema.json"), "utf8"));
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe("UserTaskList");
    expect(Object.keys(schema.$defs)).toContain("UserTask");
    expect(schema.definitions).toBeUndefined();
  });

  it("--help prints the usage and exits 0", async () => {
    const result = await cli("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--out <dir>");
    expect(result.stdout).toContain("--draft 07|2020-12");
  });

  it.each([
    [[], "--out <dir> is required"],
    [["--out"], "--out"],
    [["--out", "x", "--draft", "04"], '--draft must be one of 07, 2020-12, got "04"'],
    [["--out", "x", "--verbose"], "--verbose"],
    [["--out", "x", "extra"], "extra"],
  ])("%j exits 2 with a clear error", async (args, message) => {
    const result = await cli(...(args as string[]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("consumer-api-contracts: ");
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Usage:");
  });

  it("exits 1 with the reason when the output cannot be written", async () => {
    const file = join(dir, "a-file");
    await writeFile(file, "not a directory");
    const result = await cli("--out", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^consumer-api-contracts: .*(EEXIST|ENOTDIR)/);
  });

  it("parseCliArgs defaults to draft 07", () => {
    expect(parseCliArgs(["--out", "o"])).toEqual({ kind: "write", out: "o", draft: "07" });
    expect(parseCliArgs(["-h"])).toEqual({ kind: "help" });
  });
});
