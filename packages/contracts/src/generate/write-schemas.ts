import type { NamedTypeName } from "../named-types.js";
import { generateAsyncApi } from "./asyncapi.js";
import { generateJsonSchemas, type JsonSchemaOptions } from "./json-schema.js";
import { generateOpenApi } from "./openapi.js";
import { toStableJson } from "./stable-json.js";

/** The files writeSchemas produces, relative to its output directory. */
export function schemaFileNames(): string[] {
  const names = Object.keys(generateJsonSchemas()) as NamedTypeName[];
  return [...names.map((name) => `json-schema/${name}.schema.json`), "openapi.json", "asyncapi.json"];
}

/**
 * Writes `json-schema/<Name>.schema.json` for every named type, `openapi.json` and `asyncapi.json` into
 * `outDir` (created when missing) and returns the written paths. Stale files are not removed: the caller
 * owns the directory.
 */
export async function writeSchemas(outDir: string, options: JsonSchemaOptions = {}): Promise<string[]> {
  // Imported here, not at the top, so the package index stays loadable in browsers.
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const files: [string, unknown][] = [
    ...Object.entries(generateJsonSchemas(options)).map(([name, schema]): [string, unknown] => [
      join("json-schema", `${name}.schema.json`),
      schema,
    ]),
    ["openapi.json", generateOpenApi()],
    ["asyncapi.json", generateAsyncApi()],
  ];
  await mkdir(join(outDir, "json-schema"), { recursive: true });
  const written: string[] = [];
  for (const [relative, document] of files) {
    const path = join(outDir, relative);
    await writeFile(path, toStableJson(document));
    written.push(path);
  }
  return written;
}
