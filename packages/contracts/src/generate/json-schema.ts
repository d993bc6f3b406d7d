import { z } from "zod";
import { type NamedTypeName, namedTypes } from "../named-types.js";
import { sortKeysDeep } from "./stable-json.js";
import { type WireSide, wireSideOf } from "./wire-direction.js";

export type JsonSchemaDraft = "07" | "2020-12";
export const JSON_SCHEMA_DRAFTS: readonly JsonSchemaDraft[] = ["07", "2020-12"];

export type JsonSchema = { [key: string]: unknown };

export interface JsonSchemaOptions {
  /** Default "07": what most .NET generators (quicktype, NJsonSchema) read best. */
  draft?: JsonSchemaDraft;
}

/** Where a draft keeps its definitions. */
export function definitionsKeyword(draft: JsonSchemaDraft): "definitions" | "$defs" {
  return draft === "07" ? "definitions" : "$defs";
}

const nameBySchema = new Map<z.ZodType, NamedTypeName>(
  Object.entries(namedTypes).map(([name, schema]) => [schema as z.ZodType, name as NamedTypeName]),
);

/** The contract's name for a schema, when it is one of `namedTypes`. */
export function namedTypeOf(schema: z.ZodType): NamedTypeName | undefined {
  return nameBySchema.get(schema);
}

/**
 * zod's JSON Schema for a schema of the contract; anything JSON Schema cannot express throws, so nothing is
 * silently widened.
 *
 * Objects stay open to keys the contract does not name. zod's output side would close them
 * (`additionalProperties: false`), but the contract's shapes only ever grow (SPEC: domain stability), so a
 * client validating a response with these schemas must keep working when a later server adds a key — as
 * the TypeScript client does, whose zod schemas strip unknown keys; RFC 9457 problems may carry extension
 * members (`instance`, ASP.NET Core's `traceId`). An object declared strict in zod (a catchall) keeps it.
 */
export function zodToJsonSchema(schema: z.ZodType, draft: JsonSchemaDraft, io: WireSide): JsonSchema {
  return z.toJSONSchema(schema, {
    target: draft === "07" ? "draft-07" : "draft-2020-12",
    io,
    unrepresentable: "throw",
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === "object" && def.catchall === undefined && jsonSchema.additionalProperties === false) {
        delete jsonSchema.additionalProperties;
      }
    },
  }) as JsonSchema;
}

/** Calls `replace` for every `$ref` value in a JSON document, in place. */
export function rewriteRefs(value: unknown, replace: (ref: string) => string): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteRefs(item, replace);
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(record)) {
      if (key === "$ref" && typeof child === "string") record[key] = replace(child);
      else rewriteRefs(child, replace);
    }
  }
}

/**
 * One named type as a standalone JSON Schema document: the type itself at the root (titled with its
 * name, so generators name the class after it), every named type it nests under `definitions`
 * (draft-07) or `$defs` (2020-12), each titled too, and `$ref`s that resolve inside the file.
 */
export function generateJsonSchema(name: NamedTypeName, options: JsonSchemaOptions = {}): JsonSchema {
  const draft = options.draft ?? "07";
  const defsKey = definitionsKeyword(draft);
  const generated = zodToJsonSchema(namedTypes[name], draft, wireSideOf(name));
  const { $schema, $ref, [defsKey]: defsValue, ...rest } = generated;
  const defs = { ...((defsValue as Record<string, JsonSchema> | undefined) ?? {}) };
  // zod puts a schema that carries an id into the definitions and points the root at it; the root is
  // unwrapped so the document *is* the type.
  let root: JsonSchema = rest;
  if ($ref === `#/${defsKey}/${name}` && defs[name]) {
    root = { ...defs[name], ...rest };
    delete defs[name];
  }
  const prefix = `#/${defsKey}/`;
  rewriteRefs(root, (ref) => (ref === `${prefix}${name}` ? "#" : ref));
  for (const [defName, def] of Object.entries(defs)) {
    def.title = defName;
    rewriteRefs(def, (ref) => (ref === `${prefix}${name}` ? "#" : ref));
  }
  const document: JsonSchema = { $schema, title: name, ...root };
  if (Object.keys(defs).length > 0) document[defsKey] = defs;
  return sortKeysDeep(document);
}

/** Every entry of `namedTypes` as a standalone JSON Schema document, by name. */
export function generateJsonSchemas(options: JsonSchemaOptions = {}): Record<NamedTypeName, JsonSchema> {
  const documents = {} as Record<NamedTypeName, JsonSchema>;
  for (const name of Object.keys(namedTypes) as NamedTypeName[]) {
    documents[name] = generateJsonSchema(name, options);
  }
  return documents;
}

/**
 * The named types no other named type nests (lists, payloads, frame unions, ProblemDetails, …). Their
 * documents together contain every named type exactly once, so a code generator fed only these files
 * emits each class once instead of once per file that nests it.
 */
export function rootNamedTypes(): NamedTypeName[] {
  const documents = generateJsonSchemas();
  const nested = new Set(
    Object.values(documents).flatMap((document) => Object.keys(document.definitions ?? {})),
  );
  return (Object.keys(documents) as NamedTypeName[]).filter((name) => !nested.has(name));
}
