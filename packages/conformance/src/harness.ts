import type { ConsumerApi, Subscription } from "@consumer-api/contracts";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type ConformanceOptions, resolveSupports, type Supports } from "./options.js";

export interface Harness {
  /** The implementation under test; one per top-level describe. */
  readonly api: ConsumerApi;
  readonly supports: Supports;
  /** Unsubscribed after the current test, whatever its outcome. */
  track(subscription: Subscription): Subscription;
}

const FACTORY_TIMEOUT_MS = 60_000;

/** Registers the factory in beforeAll and its dispose in afterAll of the enclosing describe. */
export function useApi(options: ConformanceOptions): Harness {
  let current: Awaited<ReturnType<ConformanceOptions["factory"]>> | undefined;
  let tracked: Subscription[] = [];
  beforeAll(async () => {
    current = await options.factory();
  }, FACTORY_TIMEOUT_MS);
  afterEach(async () => {
    const open = tracked;
    tracked = [];
    await Promise.allSettled(open.map((subscription) => subscription.unsubscribe()));
  });
  afterAll(async () => {
    await current?.dispose?.();
    current = undefined;
  }, FACTORY_TIMEOUT_MS);
  return {
    get api() {
      if (!current) throw new Error(`${options.name}: the factory has not produced an api`);
      return current.api;
    },
    supports: resolveSupports(options),
    track(subscription) {
      tracked.push(subscription);
      return subscription;
    },
  };
}
