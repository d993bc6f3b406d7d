// A small JSON Schema (2020-12) checker for the keywords the contract's generated schemas use, so a client can
// refuse a malformed answer with the published schemas instead of bundling zod. The generator refuses a
// schema that uses any other keyword, so nothing is silently left unchecked.

export type JsonSchemaNode = boolean | { readonly [keyword: string]: unknown };
export type JsonSchemaDefs = { readonly [name: string]: JsonSchemaNode };

/** Every keyword `schemaViolation` checks, or may ignore because it only annotates. */
export const CHECKED_KEYWORDS: ReadonlySet<string> = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "enum",
  "const",
  "oneOf",
  "anyOf",
  "allOf",
  "$ref",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  // Annotations only (2020-12 treats format as one unless asked otherwise).
  "format",
  "default",
]);

const DEFS_PREFIX = "#/$defs/";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    default:
      return false;
  }
}

/** Deep equality of JSON values, for const and enum. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** String length in code points, as JSON Schema counts it. */
const codePoints = (value: string) => [...value].length;

/**
 * What is wrong with `value` by `schema` (the first violation, naming its path), or undefined when nothing is.
 * `$ref`s resolve to `#/$defs/<name>` in `defs`.
 */
export function schemaViolation(
  value: unknown,
  schema: JsonSchemaNode,
  defs: JsonSchemaDefs,
  path = "value",
): string | undefined {
  if (schema === true) return undefined;
  if (schema === false) return `${path}: not allowed`;
  const s = schema as Record<string, unknown>;
  const fail = (why: string) => `${path}: ${why}`;

  if (typeof s.$ref === "string") {
    const target = s.$ref.startsWith(DEFS_PREFIX) ? defs[s.$ref.slice(DEFS_PREFIX.length)] : undefined;
    if (target === undefined) return fail(`unresolvable $ref ${s.$ref}`);
    const problem = schemaViolation(value, target, defs, path);
    if (problem !== undefined) return problem;
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((type) => hasType(value, type))) return fail(`expected ${types.join(" or ")}`);
  }
  if ("const" in s && !jsonEqual(value, s.const)) return fail(`expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((option) => jsonEqual(value, option))) {
    return fail(`expected one of ${s.enum.map((option) => JSON.stringify(option)).join(", ")}`);
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) return fail(`expected >= ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) return fail(`expected <= ${s.maximum}`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) {
      return fail(`expected > ${s.exclusiveMinimum}`);
    }
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) {
      return fail(`expected < ${s.exclusiveMaximum}`);
    }
  }
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && codePoints(value) < s.minLength) {
      return fail(`expected at least ${s.minLength} characters`);
    }
    if (typeof s.maxLength === "number" && codePoints(value) > s.maxLength) {
      return fail(`expected at most ${s.maxLength} characters`);
    }
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) {
      return fail(`expected to match ${s.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) {
      return fail(`expected at least ${s.minItems} items`);
    }
    if (typeof s.maxItems === "number" && value.length > s.maxItems) {
      return fail(`expected at most ${s.maxItems} items`);
    }
    if (s.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const problem = schemaViolation(value[i], s.items as JsonSchemaNode, defs, `${path}.${i}`);
        if (problem !== undefined) return problem;
      }
    }
  }
  if (isObject(value)) {
    const properties = (s.properties ?? {}) as Record<string, JsonSchemaNode>;
    for (const name of (s.required ?? []) as string[]) {
      if (!Object.hasOwn(value, name)) return `${path}.${name}: required`;
    }
    for (const [name, child] of Object.entries(value)) {
      if (s.propertyNames !== undefined) {
        const problem = schemaViolation(
          name,
          s.propertyNames as JsonSchemaNode,
          defs,
          `${path}.${name} (key)`,
        );
        if (problem !== undefined) return problem;
      }
      const own = Object.hasOwn(properties, name) ? properties[name] : undefined;
      const rule = own ?? (s.additionalProperties as JsonSchemaNode | undefined);
      if (rule === undefined) continue;
      if (rule === false && own === undefined) return `${path}.${name}: not defined by the contract`;
      const problem = schemaViolation(child, rule, defs, `${path}.${name}`);
      if (problem !== undefined) return problem;
    }
  }
  for (const part of (s.allOf ?? []) as JsonSchemaNode[]) {
    const problem = schemaViolation(value, part, defs, path);
    if (problem !== undefined) return problem;
  }
  if (Array.isArray(s.anyOf)) {
    const problems = s.anyOf.map((part) => schemaViolation(value, part as JsonSchemaNode, defs, path));
    if (!problems.includes(undefined)) return problems.join(" or ");
  }
  if (Array.isArray(s.oneOf)) {
    const problems = s.oneOf.map((part) => schemaViolation(value, part as JsonSchemaNode, defs, path));
    const matches = problems.filter((problem) => problem === undefined).length;
    if (matches === 0) return problems.join(" or ");
    if (matches > 1) return fail("matches more than one of the allowed shapes");
  }
  return undefined;
}

/** Every keyword a schema uses (names inside `properties` and `$defs` are not keywords). */
export function keywordsOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) keywordsOf(item, into);
  } else if (isObject(schema)) {
    for (const [keyword, child] of Object.entries(schema)) {
      if (keyword === "properties" || keyword === "$defs") {
        into.add(keyword);
        for (const nested of Object.values(child as Record<string, unknown>)) keywordsOf(nested, into);
      } else if (keyword !== "const" && keyword !== "enum" && keyword !== "default") {
        into.add(keyword);
        keywordsOf(child, into);
      } else into.add(keyword);
    }
  }
  return into;
}
