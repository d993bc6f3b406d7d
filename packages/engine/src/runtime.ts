import type { CompiledProcess } from "./model.js";
import type { InstanceData } from "./store.js";
import type { Occurrence } from "./timer-definitions.js";

// The state of one running instance while a step works on it, and its serialized form (the `runtime` column).

/**
 * Where a waiting token (or an armed boundary event) waits: the id of its user task, event, timer, script
 * job or external task row.
 */
export interface WaitRef {
  /** "call": a call activity waits for its called instance (the id is that instance's). "condition": a conditional event, which has no row; it is checked at the end of each step. */
  kind: "task" | "event" | "timer" | "script" | "external" | "call" | "condition";
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
  /**
   * One iteration (0-based) of a looped activity: the token is inside the loop's scope, at the activity
   * itself; leaving the activity ends the iteration, not the activity.
   */
  iteration?: number;
  /** An iteration that ended and waits for its multi-instance completionCondition. */
  completing?: true;
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
  /** The scope of a looped activity (its iterations' tokens) rather than of a sub-process. */
  loop?: LoopState;
  compensation?: CompensationRun;
}

/** Where a looped activity is: which iterations ran, what they gave. */
export interface LoopState {
  /** Multi-instance: how many iterations there are (the cardinality, or the collection's length). */
  count?: number;
  collection?: unknown[];
  /** Iterations started so far (the next one's index). */
  started: number;
  completed: number;
  /** Multi-instance: each completed iteration's index and result. */
  results?: [number, unknown][];
  /** The payload the activity was entered with (multi-instance), or the last iteration's (standard loop). */
  payload?: unknown;
  /** camunda:elementVariable: an iteration's payload carries its element under this name. */
  elementVariable?: string;
}

/** A called instance's caller: the instance and the token that waits at its call activity. */
export interface CallerRef {
  instance: string;
  token: number;
  /** Every instance up the call chain, the caller first: its length is how deep this instance is called. */
  chain: string[];
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
  /** For an instance a call activity started: its caller. */
  caller?: CallerRef;
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
/** Payloads an iteration started with that were derived from its loop's state (see iterationPayload). */
const derivedPayloads = new WeakSet<object>();

/**
 * The payload an iteration starts with: the loop's payload, or with camunda:elementVariable an object payload
 * carrying the iteration's element under that name (a non-object payload gives way to `{ [name]: element }`).
 */
export function iterationPayload(loop: LoopState, index: number): unknown {
  const name = loop.elementVariable;
  if (name === undefined || !loop.collection) return loop.payload;
  const base = loop.payload;
  const object = base !== null && typeof base === "object" && !Array.isArray(base) ? base : {};
  const payload = { ...object, [name]: loop.collection[index] };
  derivedPayloads.add(payload);
  return payload;
}

function startedWithPayload(loop: LoopState, token: TokenState): boolean {
  const { payload } = token;
  if (loop.elementVariable === undefined || !loop.collection) return payload === loop.payload;
  return typeof payload === "object" && payload !== null && derivedPayloads.has(payload);
}

/**
 * The runtime as JSON. An iteration that still has the payload it started with stores none (`loopPayload`):
 * a parallel multi-instance over n elements would otherwise store its payload n times, and every step of the
 * instance parse and write it again.
 */
export function serializeRuntime(state: RuntimeState): string {
  if (!state.scopes.some((scope) => scope.loop)) return JSON.stringify(state);
  const loops = new Map(state.scopes.map((scope) => [scope.id, scope.loop]));
  const tokens = state.tokens.map((token) => {
    const loop = token.iteration === undefined ? undefined : loops.get(token.scope);
    if (!loop || !startedWithPayload(loop, token)) return token;
    const { payload: _payload, ...rest } = token;
    return { ...rest, loopPayload: true };
  });
  return JSON.stringify({ ...state, tokens });
}

/** Whether a token of the instance waits for a script job (its callers wait for it: read-your-writes). */
export function awaitsScript(state: RuntimeState): boolean {
  return state.tokens.some((token) => token.wait?.kind === "script");
}

export function parseRuntime(json: string): RuntimeState {
  const stored = JSON.parse(json) as StoredRuntimeState;
  for (const token of stored.tokens as (TokenState & { loopPayload?: true })[]) {
    if (!token.loopPayload) continue;
    delete token.loopPayload;
    const loop = stored.scopes.find((scope) => scope.id === token.scope)?.loop;
    if (loop) token.payload = iterationPayload(loop, token.iteration as number);
  }
  const state: RuntimeState = {
    next: stored.next,
    tokens: stored.tokens,
    scopes: stored.scopes,
    subscriptions: stored.subscriptions ?? [],
    history: Object.assign(Object.create(null) as History, stored.history),
  };
  if (stored.caller) state.caller = stored.caller;
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
