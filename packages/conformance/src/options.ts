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
  /** SPEC §13: external tasks (fetch-and-lock, locks, outcomes, the worker API). */
  externalTasks: boolean;
  /**
   * SPEC §6.1: the second level of BPMN (boundary events, event-based gateways, `eventDefinitionRef`…), run on
   * the models of fixtures/level-2/bpmnLevel2. §14 names no capability for it: a server with GET /info is
   * taken to run it, one without runs §6 only.
   */
  bpmnLevel2: boolean;
  /**
   * SPEC §14: GET /info answers with the capability list — a Part-two server, which also follows Part two's
   * general rules (strict query strings, bodies and frames).
   */
  applicationInfo: boolean;
}

/** What a server without GET /info offers: §4–§5 (SPEC §14). */
export const LEVEL_ONE: Supports = {
  notifications: true,
  timers: true,
  concurrency: true,
  pagination: false,
  instanceQueries: false,
  triggerByName: false,
  moreNotifications: false,
  externalTasks: false,
  bpmnLevel2: false,
  applicationInfo: false,
};

/** What a server claims in its GET /info answer (unknown names ignored). */
export function supportsFromCapabilities(capabilities: readonly string[]): Supports {
  const has = (name: Exclude<keyof Supports, "applicationInfo" | "bpmnLevel2">) =>
    capabilities.includes(name);
  return {
    notifications: has("notifications"),
    timers: has("timers"),
    concurrency: has("concurrency"),
    pagination: has("pagination"),
    instanceQueries: has("instanceQueries"),
    triggerByName: has("triggerByName"),
    moreNotifications: has("moreNotifications"),
    externalTasks: has("externalTasks"),
    bpmnLevel2: true,
    applicationInfo: true,
  };
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
    externalTasks: false,
    bpmnLevel2: true,
    applicationInfo: true,
    ...options.supports,
  };
}
