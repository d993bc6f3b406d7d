import {
  assertJsonDepth,
  BadRequestError,
  ConsumerKey,
  DEFAULT_MAX_JSON_DEPTH,
  PageArgument,
  parseOrBadRequest,
} from "@consumer-api/contracts";
import type { PageRequest } from "@consumer-api/engine";
import { z } from "zod";

// The contract's key rule (ConsumerKey), the same one the server applies to path params.
const Key = ConsumerKey;

/** A key parameter (model, start event, correlation, event, task…): a non-empty string, else a 400 naming it. */
export function requireKey(value: unknown, name: string): string {
  return parseOrBadRequest(Key, value, name);
}

const SubscribeOptionsSchema = z.object({ correlationId: Key.optional() }).optional();

export function parseSubscribeOptions(value: unknown): { correlationId?: string } | undefined {
  return parseOrBadRequest(SubscribeOptionsSchema, value, "options");
}

/** SPEC §9's trailing `offset?, limit?`: non-negative safe integers, else a 400 naming the parameter. */
export function requirePage(offset: unknown, limit: unknown): PageRequest {
  return {
    offset: offset === undefined ? 0 : parseOrBadRequest(PageArgument, offset, "offset"),
    ...(limit === undefined ? {} : { limit: parseOrBadRequest(PageArgument, limit, "limit") }),
  };
}

/** One page of an in-memory list already in SPEC §9's order. */
export function pageOf<T>(items: readonly T[], page: PageRequest): T[] {
  return items.slice(page.offset, page.limit === undefined ? undefined : page.offset + page.limit);
}

export function requireCallback(value: unknown): void {
  if (typeof value !== "function") throw new BadRequestError("callback: expected a function");
}

/**
 * The engine stores payloads as JSON; anything JSON cannot carry faithfully (functions, symbols, bigints,
 * non-finite numbers, cycles, class instances) is bad input, answered with a 400 rather than a failure deep
 * in the engine. The depth check comes first, so the recursive walk below (and the engine's JSON work)
 * never meets a nesting that would overflow the stack.
 */
export function requireJson(value: unknown, name: string): void {
  assertJsonDepth(value, DEFAULT_MAX_JSON_DEPTH, name);
  const seen = new Set<object>();
  const visit = (v: unknown, path: string): string | undefined => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return undefined;
    if (typeof v === "number") return Number.isFinite(v) ? undefined : `${path}: expected a finite number`;
    if (typeof v !== "object") return `${path}: not a JSON value (${typeof v})`;
    if (seen.has(v)) return `${path}: circular reference`;
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const problem = visit(v[i], `${path}.${i}`);
          if (problem) return problem;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return `${path}: expected a plain JSON object`;
      for (const [k, child] of Object.entries(v)) {
        // Absent-by-undefined properties vanish in JSON, as they do over HTTP.
        if (child === undefined) continue;
        const problem = visit(child, `${path}.${k}`);
        if (problem) return problem;
      }
      return undefined;
    } finally {
      seen.delete(v);
    }
  };
  const problem = visit(value, name);
  if (problem !== undefined) throw new BadRequestError(problem);
}

/**
 * A payload argument as the wire would carry it at the moment of the call: a JSON copy, so that a caller
 * changing its object afterwards (reusing one object for several calls) changes nothing of what the engine
 * runs on. Taken synchronously, before any await; a value that is not JSON is returned as it is, for the
 * validation after authentication to refuse with the same 400 as ever.
 */
export function snapshotJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  try {
    requireJson(value, "value");
  } catch {
    return value;
  }
  return JSON.parse(JSON.stringify(value)) as T;
}
