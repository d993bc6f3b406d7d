import { z } from "zod";
import { CHECKED_KEYWORDS, keywordsOf } from "../json-schema-check.js";
import {
  BoundaryEventNotificationMessage,
  CatchEventNotificationMessage,
  ProcessErrorNotificationMessage,
  UserTaskNotificationMessage,
} from "../notification-message.js";
import { ProblemDetails } from "../problem-details.js";
import { routeList } from "../routes.js";
import { ServerFrame } from "../ws-frames.js";
import { type JsonSchema, zodToJsonSchema } from "./json-schema.js";
import { sortKeysDeep } from "./stable-json.js";

/** Where the generated module lives, relative to the contracts package. */
export const WIRE_SCHEMAS_FILE = "src/generated/wire-schemas.ts";

/** What only documents a schema; a checker needs none of it, a browser bundle should not carry it. */
const ANNOTATIONS = new Set(["description", "title", "$schema", "examples", "$comment", "deprecated"]);

function withoutAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAnnotations);
  if (value === null || typeof value !== "object") return value;
  const kept: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "properties" || key === "$defs") {
      kept[key] = Object.fromEntries(
        Object.entries(child as Record<string, unknown>).map(([name, nested]) => [
          name,
          withoutAnnotations(nested),
        ]),
      );
    } else if (!ANNOTATIONS.has(key))
      kept[key] = key === "const" || key === "enum" ? child : withoutAnnotations(child);
  }
  return kept;
}

export interface WireSchemas {
  /**
   * By name: every operation's 200 answer, ServerFrame, ProblemDetails and the §12 messages (a frame's
   * `message` as its channel defines it) — all a server sends.
   */
  roots: Record<string, JsonSchema>;
  /** The named types they reference (`#/$defs/<Name>`). */
  $defs: Record<string, JsonSchema>;
}

/**
 * The JSON Schemas (2020-12, output side) of everything a client receives, derived from the zod schemas,
 * without annotations. A keyword the client's checker does not know throws here, naming it.
 */
export function generateWireSchemas(): WireSchemas {
  const roots: Record<string, z.ZodType> = {
    ServerFrame,
    ProblemDetails,
    UserTaskNotificationMessage,
    BoundaryEventNotificationMessage,
    CatchEventNotificationMessage,
    ProcessErrorNotificationMessage,
  };
  for (const route of routeList) if (route.response) roots[route.operation] = route.response;
  const generated = zodToJsonSchema(z.object(roots), "2020-12", "output");
  const schemas = withoutAnnotations({
    roots: generated.properties,
    $defs: generated.$defs ?? {},
  }) as WireSchemas;
  const used = new Set<string>();
  for (const schema of [...Object.values(schemas.roots), ...Object.values(schemas.$defs)]) {
    keywordsOf(schema, used);
  }
  const unknown = [...used].filter((keyword) => !CHECKED_KEYWORDS.has(keyword));
  if (unknown.length > 0) {
    throw new Error(
      `The wire schemas use keywords json-schema-check.ts does not check: ${unknown.join(", ")}`,
    );
  }
  return sortKeysDeep(schemas);
}

/** The source of src/generated/wire-schemas.ts. */
export function wireSchemasModule(): string {
  const { roots, $defs } = generateWireSchemas();
  return `// Generated from the zod schemas by \`pnpm --filter @consumer-api/contracts generate\`
// (src/generate/wire-schemas.ts): do not edit. contracts' wire-schemas test fails while it is stale.
import type { JsonSchemaDefs, JsonSchemaNode } from "../json-schema-check.js";

export const wireRoots: { readonly [name: string]: JsonSchemaNode } = ${JSON.stringify(roots, null, 2)};

export const wireDefs: JsonSchemaDefs = ${JSON.stringify($defs, null, 2)};
`;
}
