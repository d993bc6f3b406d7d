import type { ConsumerApi } from "@consumer-api/contracts";

/** Optional capabilities; every one defaults to true. */
export interface Supports {
  /** onBpmnEvent / onActivity / onSystemEvent / onSignal deliver messages. */
  notifications: boolean;
  /** Timer intermediate catch events fire. */
  timers: boolean;
  /** Concurrent calls are safe (exactly-once finish, concurrent starts). */
  concurrency: boolean;
  /** SPEC §9: offset, limit and totalCount on every list. */
  pagination: boolean;
  /** SPEC §10: the caller's user tasks and instances, queries by process instance. */
  instanceQueries: boolean;
  /** SPEC §11: messages and signals triggered by name. */
  triggerByName: boolean;
  /** SPEC §12: the level-2 notification channels. */
  moreNotifications: boolean;
  /** SPEC §14: GET /info answers with the capability list. */
  applicationInfo: boolean;
}

export interface ConformanceOptions {
  /** Shown in describe(). */
  name: string;
  /** An implementation running on the shipped fixtures; called once per top-level describe. */
  factory: () => Promise<{ api: ConsumerApi; dispose?: () => Promise<void> }>;
  supports?: Partial<Supports>;
}

export function resolveSupports(options: ConformanceOptions): Supports {
  return {
    notifications: true,
    timers: true,
    concurrency: true,
    pagination: true,
    instanceQueries: true,
    triggerByName: true,
    moreNotifications: true,
    applicationInfo: true,
    ...options.supports,
  };
}
