import type { CompiledProcess } from "./model.js";
import type { InstanceData } from "./store.js";
import type { Occurrence } from "./timer-definitions.js";

// The state of one running instance while a step works on it, and its serialized form (the `runtime` column).

/**
 * Where a waiting token (or an armed boundary event) waits: the id of its user task, event, timer, script
 * job or external task row.
 */
export interface WaitRef {
  /** "condition": a conditional event, which has no row; it is checked at the end of each step. */
  kind: "task" | "event" | "timer" | "script" | "external" | "condition";
  id: string;
}

export interface TokenState {
  id: number;
  node: string;
  /** 0: the process itself; otherwise the id of a sub-process scope. */
  scope: number;
  payload?: unknown;
  wait?: WaitRef;
  /** The sequence flow it last took: a parallel join waits for a token on each of its incoming flows. */
  via?: string;
  /**
   * Held at a join (parallel or inclusive) until the join fires. A held token is a token like any
   * other: its scope (and the instance) does not complete while it exists.
   */
  held?: true;
  /** When it came to be held at an inclusive join (a stamp from `next`): the last arrival carries on. */
  arrival?: number;
}

/**
 * A running sub-process: `token` is the parent-scope token that waits at the sub-process node. Also the
 * scope compensation handlers run in, one after the other (a compensation throw event's, a cancelled
 * transaction's).
 */
export interface ScopeState {
  id: number;
  node: string;
  parent: number;
  token: number;
  compensation?: CompensationRun;
}

/** A completed activity instance kept so that it can be compensated later, with its data. */
export interface CompletedActivity {
  node: string;
  /** The scope it completed in. */
  scope: number;
  /** Its payload as it completed: what its compensation handler starts with. */
  payload?: unknown;
  /** Completion order (a stamp from `next`): compensation runs newest first. */
  seq: number;
  /** For a sub-process: the scope it ran in, whose completed activities it compensates by default. */
  inner?: number;
}

/** Compensation in progress in a scope: the handlers still to run, and what happens after the last. */
export interface CompensationRun {
  handlers: { node: string; payload?: unknown }[];
  /**
   * continue: the scope's token leaves its node (a throw event); cancel: it leaves through the transaction's
   * cancel boundary event, with `payload`.
   */
  after: "continue" | "cancel";
  payload?: unknown;
}

/**
 * A boundary event armed while its activity's token waits there, or an event sub-process's start event armed
 * while its scope runs: triggered by its row (event or timer), or by its condition.
 */
export interface Subscription {
  wait: WaitRef;
  /** The boundary event's key (the event sub-process's start event's). */
  node: string;
  /** The id of the activity's token; absent for an event sub-process's start event. */
  token?: number;
  /** An event sub-process's start event: the id of the scope it listens in (0: the process). */
  scope?: number;
  /** An event sub-process's start event: the payload its scope was entered with. */
  payload?: unknown;
  /** For a timer: the occurrence it waits for (a non-interrupting cycle re-arms for the next one). */
  occurrence?: Occurrence;
  /** For a condition: whether it held when last checked (it occurs when it becomes true). */
  held?: boolean;
}

/** Flow node key → payload. Null prototype: a node id such as `__proto__` is an own key like any other. */
export type History = Record<string, unknown>;

export interface RuntimeState {
  next: number;
  tokens: TokenState[];
  scopes: ScopeState[];
  subscriptions: Subscription[];
  /** token.history: the payload as it left each flow node. */
  history: History;
  /** Completed activity instances that can still be compensated (absent while there is none). */
  completed?: CompletedActivity[];
}

/** What older engine versions stored in addition: arrivals at a join counted by "<scope>:<key>", then flow. */
interface StoredRuntimeState extends Omit<RuntimeState, "subscriptions"> {
  subscriptions?: Subscription[];
  joins?: Record<string, Record<string, number>>;
}

export interface Runtime {
  data: InstanceData;
  model: CompiledProcess;
  state: RuntimeState;
  isNew: boolean;
  /** Flow nodes entered in this step, over every run: signals resumed within the step count too. */
  nodesEntered: number;
  /** Tokens that moved and have yet to enter their node, in order. */
  queue: TokenState[];
}

export function emptyState(next: number): RuntimeState {
  return { next, tokens: [], scopes: [], subscriptions: [], history: Object.create(null) as History };
}

/**
 * Parses a stored runtime. History keys become own keys of a null-prototype object (JSON.parse already makes
 * `__proto__` an own key; the copy keeps later writes off Object.prototype). Join arrivals counted by an older
 * engine become held tokens; their payloads were not kept, and the branch arriving last carries its own.
 */
export function parseRuntime(json: string): RuntimeState {
  const stored = JSON.parse(json) as StoredRuntimeState;
  const state: RuntimeState = {
    next: stored.next,
    tokens: stored.tokens,
    scopes: stored.scopes,
    subscriptions: stored.subscriptions ?? [],
    history: Object.assign(Object.create(null) as History, stored.history),
  };
  if (stored.completed) state.completed = stored.completed;
  for (const [joinKey, byFlow] of Object.entries(stored.joins ?? {})) {
    const colon = joinKey.indexOf(":");
    const scope = Number(joinKey.slice(0, colon));
    const node = joinKey.slice(colon + 1);
    for (const [via, count] of Object.entries(byFlow)) {
      for (let i = 0; i < count; i++) state.tokens.push({ id: state.next++, node, scope, via, held: true });
    }
  }
  return state;
}
