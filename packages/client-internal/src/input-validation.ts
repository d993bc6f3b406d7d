import {
  assertPlainJson,
  BadRequestError,
  ConsumerKey,
  type NotificationScopeOptions,
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

const ScopeOptionsSchema = z
  .object({ processModelKey: Key.optional(), correlationId: Key.optional() })
  .optional();

/** SPEC §12's `options`: a correlation only within a model (else 400 naming correlationId). */
export function parseScopeOptions(value: unknown): NotificationScopeOptions {
  const parsed = parseOrBadRequest(ScopeOptionsSchema, value, "options") ?? {};
  if (parsed.correlationId !== undefined && parsed.processModelKey === undefined) {
    throw new BadRequestError("correlationId: only together with processModelKey (SPEC §12)");
  }
  const scope: NotificationScopeOptions = {};
  if (parsed.processModelKey !== undefined) scope.processModelKey = parsed.processModelKey;
  if (parsed.correlationId !== undefined) scope.correlationId = parsed.correlationId;
  return scope;
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
 * A payload argument as the wire would carry it at the moment of the call: a JSON copy, so that a caller
 * changing its object afterwards (reusing one object for several calls) changes nothing of what the engine
 * runs on. Taken synchronously, before any await; a value that is not JSON is returned as it is, for the
 * validation after authentication to refuse with the same 400 as ever.
 */
export function snapshotJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  try {
    assertPlainJson(value, "value");
  } catch {
    return value;
  }
  return JSON.parse(JSON.stringify(value)) as T;
}
