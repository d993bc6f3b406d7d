import type { ConsumerApi } from "@consumer-api/contracts";

/** Optional capabilities; every one defaults to true. */
export interface Supports {
  /** onBpmnEvent / onActivity / onSystemEvent / onSignal deliver messages. */
  notifications: boolean;
  /** Timer intermediate catch events fire. */
  timers: boolean;
  /** Concurrent calls are safe (exactly-once finish, concurrent starts). */
  concurrency: boolean;
  /** External tasks (SPEC §13): fetch-and-lock, locks, outcomes. */
  externalTasks: boolean;
}

export interface ConformanceOptions {
  /** Shown in describe(). */
  name: string;
  /** An implementation running on the shipped fixtures; called once per top-level describe. */
  factory: () => Promise<{ api: ConsumerApi; dispose?: () => Promise<void> }>;
  supports?: Partial<Supports>;
}

export function resolveSupports(options: ConformanceOptions): Supports {
  return { notifications: true, timers: true, concurrency: true, externalTasks: true, ...options.supports };
}
