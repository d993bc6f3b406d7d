import { BadRequestError } from "./errors.js";
import { assertJsonDepth, DEFAULT_MAX_JSON_DEPTH } from "./json-depth.js";

/**
 * The one rule for a payload argument (start payload and its inputValues, trigger payload, user task result),
 * applied by every binding before anything else reads the value: it must be plain JSON data, so that JSON
 * carries it unchanged. client-external checks before JSON.stringify, which would otherwise change it
 * silently (a Date into a string, NaN and an array's undefined into null, a Map into {}, a function dropped);
 * client-internal checks the argument; http-server checks the parsed body before its schema, because
 * JSON.parse makes `"__proto__"` an own key that every later object copy (zod records, assignment) drops or
 * turns into a prototype. A property whose value is undefined counts as absent, as in JSON.
 * Throws a 400 naming the first offending path. The depth check comes first, so the recursive walk never
 * meets a nesting that would overflow the stack, nor a cycle (which nests without end).
 */
export function assertPlainJson(value: unknown, path: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): void {
  assertJsonDepth(value, maxDepth, path);
  const problem = plainJsonProblem(value, path);
  if (problem !== undefined) throw new BadRequestError(problem);
}

/** Why a value is not plain JSON data, naming the path, or undefined when it is. */
function plainJsonProblem(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    return Number.isFinite(value) ? undefined : `${path}: expected a finite number, not ${value}`;
  }
  if (typeof value !== "object") return `${path}: not JSON data (${typeof value})`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = plainJsonProblem(value[i], `${path}.${i}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return `${path}: expected plain JSON data, not ${typeof kind === "string" && kind ? `a ${kind}` : "an object with a prototype"}`;
  }
  for (const key of Object.keys(value)) {
    if (key === "__proto__") {
      return `${path}.__proto__: the key "__proto__" is not allowed (JavaScript cannot carry it as data)`;
    }
    const child = (value as Record<string, unknown>)[key];
    if (child === undefined) continue;
    const problem = plainJsonProblem(child, `${path}.${key}`);
    if (problem !== undefined) return problem;
  }
  // Symbol keys are invisible to JSON: refused rather than silently dropped.
  if (Object.getOwnPropertySymbols(value).length > 0) return `${path}: has a symbol key`;
  return undefined;
}
