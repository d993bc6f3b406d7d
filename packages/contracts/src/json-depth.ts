import { BadRequestError } from "./errors.js";

/** Deepest nesting of arrays/objects a payload may have, unless a binding is configured otherwise. */
export const DEFAULT_MAX_JSON_DEPTH = 1000;

/**
 * Throws a 400 naming the first value nested deeper than `maxDepth` levels. Iterative on purpose: JSON.parse
 * accepts any depth, but later steps (validation, JSON.stringify in the engine, structured clone to the
 * script worker) recurse and would overflow the stack on 100k nested arrays — a 500 for bad input.
 */
export function assertJsonDepth(value: unknown, maxDepth: number, name: string): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: name }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.value === null || typeof item.value !== "object") continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) {
      throw new BadRequestError(`${shortPath(item.path)}: nested deeper than ${maxDepth} levels.`);
    }
    // Object.keys: own enumerable keys only, so a "__proto__" key of parsed JSON is just a key here.
    for (const key of Object.keys(item.value)) {
      stack.push({ value: (item.value as Record<string, unknown>)[key], depth, path: `${item.path}.${key}` });
    }
  }
}

/** The first few segments of a path a thousand levels deep: enough to name the field. */
function shortPath(path: string): string {
  const segments = path.split(".");
  return segments.length <= 8 ? path : `${segments.slice(0, 8).join(".")}…`;
}
