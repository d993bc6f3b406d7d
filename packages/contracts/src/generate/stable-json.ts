/** A JSON value as the generators produce it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Sorts object keys recursively so generated files diff cleanly. Arrays keep their order: in JSON Schema
 * and OpenAPI an array's order carries meaning (`required` in declaration order, enum values, `oneOf`
 * branches, path parameters in path order).
 */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => sortKeysDeep(item)) as T;
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    }
    return sorted as T;
  }
  return value;
}

/** The file form of every generated document: keys sorted, 2-space indent, trailing newline. */
export function toStableJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}
