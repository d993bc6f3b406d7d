import { assertPlainJson, BadRequestError, ConsumerKey, parseOrBadRequest } from "@consumer-api/contracts";
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
