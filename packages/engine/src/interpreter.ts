import { scriptTask } from "./behaviours/activities.js";
import type { NodeEventType, StepOps } from "./behaviours/behaviour.js";
import { armBoundaries, disarmBoundaries, triggerBoundary } from "./behaviours/boundary.js";
import { rememberCompletion } from "./behaviours/compensation.js";
import { throwError } from "./behaviours/errors.js";
import { armEventSubProcesses, disarmScopes } from "./behaviours/event-sub-processes.js";
import { heldAt } from "./behaviours/gateways.js";
import { behaviourOf, behaviours } from "./behaviours/index.js";
import { loopContext } from "./behaviours/loop-scope.js";
import { gathered } from "./behaviours/quantities.js";
import { holds } from "./conditions.js";
import { type LoopOp, loopInput } from "./loop-script.js";
import type { CompiledProcess, FlowDef, NodeDef } from "./model.js";
import { recordOf } from "./records.js";
import {
  awaitsScript,
  type CallerRef,
  emptyState,
  parseRuntime,
  type Runtime,
  type ScopeState,
  type Subscription,
  serializeRuntime,
  type TokenState,
  type WaitRef,
} from "./runtime.js";
import type { ScriptOutcome, ScriptPool } from "./script-pool.js";
import type { CompiledScript } from "./scripts.js";
import type { EventRow, InstanceData, StoreTx, UserTaskRow } from "./store.js";
import { firstOccurrence, NEVER, nextOccurrence, type TimerDef } from "./timer-definitions.js";
import {
  EngineError,
  type EngineEvent,
  type InstanceFailure,
  type InstanceRecord,
  type LaneName,
} from "./types.js";

// The token scheduler. A Step is one unit of work inside one database transaction: it loads the instances
// it touches from the store, moves their tokens until every token waits (or the instance ends), writes the
// waits and the instance state back, and collects the engine events to publish after commit. Nothing of an
// instance stays in memory after the step. What a token does at a node is the node's behaviour
// (behaviours/); the Step offers them its operations (StepOps). The store is asynchronous only at the
// step's edges: reads are awaited before and after the behaviours run (loading instances, taking rows,
// delivering signals); the behaviours themselves stay synchronous, and their writes are the StoreTx's void,
// ordered writes.

export interface StepEnv {
  scripts: ScriptPool;
  /** The compiled process of a model version; throws EngineError "invalid_model" when it cannot be had. */
  resolveModel(hash: string, key: string): CompiledProcess;
  /** The current version of a process, for a call activity; undefined when none is loaded. */
  latestModel(key: string): CompiledProcess | undefined;
  newId(): string;
  /** A fresh correlation id (UUID v4), for instances no caller started. */
  newCorrelationId(): string;
  nextEndSeq(): number;
  /** Epoch ms the engine opened at: a cycle's occurrences due before it were missed during a downtime. */
  upSinceMs: number;
  /** The message or signal start events of that name in the current models (they start instances, §11). */
  nameStarts(
    eventType: "message" | "signal",
    name: string,
  ): readonly { model: CompiledProcess; node: NodeDef }[];
}

/**
 * A thrown signal or sent message, delivered before its step writes its instances (complete): to the rows
 * that waited for it when it was thrown (in `correlationId` only, for a message), and as a new instance of
 * each start event of its name (in `correlationId`, else in a new one each).
 */
interface Delivery {
  eventType: "message" | "signal";
  name: string;
  correlationId?: string;
  payload: unknown;
  /** How many event rows this step had inserted when it was thrown: later ones did not wait at that moment. */
  seenBefore: number;
}

/** A failure of the running instance (not of the engine): recorded on the instance. */
class StepFailure extends Error {
  constructor(
    readonly flowNodeKey: string,
    message: string,
  ) {
    super(message);
  }
}

/** A script (task body or gateway conditions) still running after its step: its row id and its outcome. */
export interface ScriptJob {
  id: string;
  instanceId: string;
  outcome: Promise<ScriptOutcome>;
}

/**
 * Guards against a cycle of flow nodes without a wait state, which would otherwise block the engine. Counted
 * per instance per step, so that signal catch events that keep waking each other within one step (a wait
 * state that never waits) are caught as well.
 */
const MAX_NODES_PER_STEP = 10_000;
/** Guards against messages and signals that start instances which throw them again, without end. */
const MAX_STARTS_PER_STEP = 1_000;

/**
 * How deep call activities may nest (recursion is allowed): a call beyond it fails the calling instance, and
 * with it every caller above, instead of starting instances without end.
 */
export const MAX_CALL_DEPTH = 32;

export class Step implements StepOps {
  readonly events: EngineEvent[] = [];
  readonly ended: InstanceRecord[] = [];
  /** Earliest due time of a timer created in this step, to arm the scheduler after commit. */
  earliestTimer = Number.POSITIVE_INFINITY;
  /** External tasks created in this step, to wake long-polling workers after commit. */
  readonly externalTasksCreated: { id: string; topic: string; lane: LaneName }[] = [];
  /** Script jobs recorded in this step, to follow after commit. */
  readonly jobs: ScriptJob[] = [];
  /** Touched instances left waiting for a script job: their callers are answered once none is left. */
  readonly awaitingScripts = new Set<string>();
  /** Touched instances left waiting for no script job (ended ones included), as written. */
  readonly settled: InstanceData[] = [];
  /**
   * Touched called instances with their call chains, and whether each awaits a script job: a caller is
   * answered only once nothing below it does either (the engine keeps count across steps).
   */
  readonly calls: { id: string; chain: string[]; awaiting: boolean }[] = [];
  /** The call chains of called instances that ended in this step (their runtime is gone). */
  private readonly endedChains = new Map<string, string[]>();
  private readonly touched = new Map<string, Runtime>();
  /** Signals thrown and messages sent in this step, delivered before it writes its instances (complete). */
  private readonly deliveries: Delivery[] = [];
  private startedByEvents = 0;
  /** The event rows this step inserted, each with its insertion number: the moment it began waiting. */
  private readonly insertedEvents = new Map<string, number>();
  /**
   * Called instances that ended, and those whose call activity was cancelled, in this step: settled once the
   * step's runs are done (complete), where their caller or they themselves are loaded.
   */
  private readonly calledEnded: { caller: CallerRef; called: InstanceData }[] = [];
  private readonly calledCancelled: { instanceId: string; activity?: NodeDef }[] = [];
  readonly nowMs = Date.now();
  private readonly nowIso = new Date(this.nowMs).toISOString();

  constructor(
    private readonly env: StepEnv,
    private readonly tx: StoreTx,
  ) {}

  get upSinceMs(): number {
    return this.env.upSinceMs;
  }

  start(
    model: CompiledProcess,
    startEventKey: string,
    correlationId: string,
    callerId: string | undefined,
    payload: unknown,
    starterId?: string,
  ): Promise<InstanceRecord> {
    return this.complete(this.begin(model, startEventKey, correlationId, callerId, payload, starterId));
  }

  /** A new instance runs from the start event until every token waits; written when the step completes. */
  private begin(
    model: CompiledProcess,
    startEventKey: string,
    correlationId: string,
    callerId: string | undefined,
    payload: unknown,
    starterId?: string,
  ): Runtime {
    const rt = this.launch(model, startEventKey, correlationId, callerId, payload);
    // Who asked is no interpreter state, but it is the row's: written with it.
    if (starterId !== undefined) rt.data.starterId = starterId;
    this.guarded(rt, () => this.run(rt));
    return rt;
  }

  /** A new instance with its start token queued, not yet run. */
  private launch(
    model: CompiledProcess,
    startEventKey: string,
    correlationId: string,
    callerId: string | undefined,
    payload: unknown,
    caller?: CallerRef,
  ): Runtime {
    const data: InstanceData = {
      id: this.env.newId(),
      modelKey: model.info.key,
      modelHash: model.info.hash,
      correlationId,
      state: "running",
      startedAt: this.nowIso,
    };
    if (callerId !== undefined) data.callerId = callerId;
    const rt: Runtime = {
      data,
      model,
      isNew: true,
      state: emptyState(1),
      nodesEntered: 0,
      queue: [],
    };
    if (caller) rt.state.caller = caller;
    this.touched.set(data.id, rt);
    this.tx.addCorrelation(correlationId, data.modelKey);
    this.events.push({
      ...this.base(rt),
      type: "instance.started",
      startEventKey,
      startEventLane: model.nodes.get(startEventKey)?.lane ?? null,
      payload,
    });
    armEventSubProcesses(this, rt, 0, model.eventSubProcesses, payload);
    rt.queue.push(this.newToken(rt, startEventKey, 0, payload));
    return rt;
  }

  /** `admit` sees the task as taken (undefined: it does not wait); what it throws refuses the step. */
  async finishUserTask(
    userTaskId: string,
    result: unknown,
    admit?: (row: UserTaskRow | undefined) => void,
  ): Promise<InstanceRecord> {
    const row = await this.tx.takeUserTask(userTaskId);
    admit?.(row);
    if (!row) throw new EngineError("not_waiting", `user task ${userTaskId} does not wait`);
    return this.resumeWaiting(row.instanceId, userTaskId, result);
  }

  async triggerEvent(eventId: string, payload: unknown): Promise<InstanceRecord> {
    const row = await this.tx.takeEvent(eventId);
    if (!row) throw new EngineError("not_waiting", `event ${eventId} does not wait`);
    return this.resumeWaiting(row.instanceId, eventId, payload);
  }

  /**
   * A timer start event came due: one instance starts (in a correlation of its own), and the row moves on to
   * the next occurrence in the same step — occurrences missed during a downtime are not made up, so a long
   * downtime brings one instance, not a burst. Undefined when it is not due (another step fired it).
   */
  async fireStartTimer(model: CompiledProcess, eventKey: string): Promise<InstanceRecord | undefined> {
    const store = this.tx;
    const row = await store.getStartTimer(model.info.key, eventKey);
    const node = model.nodes.get(eventKey);
    if (!row || row.dueAt > this.nowMs || !node?.timer) return undefined;
    const next = nextOccurrence(node.timer, { dueAt: row.dueAt, index: row.occurrence }, this.upSinceMs);
    if (next) store.putStartTimer({ ...row, dueAt: next.dueAt, occurrence: next.index });
    else store.putStartTimer({ ...row, dueAt: NEVER });
    if (next) this.earliestTimer = Math.min(this.earliestTimer, next.dueAt);
    return this.start(model, eventKey, this.env.newCorrelationId(), undefined, undefined);
  }

  /** Undefined when the timer no longer exists (already fired, or its instance ended). */
  async fireTimer(timerId: string): Promise<InstanceRecord | undefined> {
    const row = await this.tx.takeTimer(timerId);
    if (!row) return undefined;
    return this.resumeWaiting(row.instanceId, timerId, undefined);
  }

  /**
   * A script job's outcome continues its token. Undefined when the job no longer waits (done already, or
   * cancelled: its token moved on or its instance ended), so a late or repeated outcome changes nothing.
   */
  async finishScriptJob(jobId: string, outcome: ScriptOutcome): Promise<InstanceRecord | undefined> {
    const row = await this.tx.takeScriptJob(jobId);
    if (!row) return undefined;
    const rt = await this.load(row.instanceId);
    const token = rt.state.tokens.find((candidate) => candidate.wait?.id === jobId);
    if (rt.data.state !== "running" || !token) return undefined;
    token.wait = undefined;
    const node = this.node(rt, token.node);
    this.guarded(rt, () => {
      this.scripted(rt, token, node, outcome);
      this.run(rt);
    });
    return this.complete(rt);
  }

  /** The holder's result becomes the token payload (null too: any JSON value). */
  async finishExternalTask(
    workerId: string,
    externalTaskId: string,
    result: unknown,
  ): Promise<InstanceRecord> {
    const row = await this.takeHeldExternalTask(workerId, externalTaskId);
    return this.resumeWaiting(row.instanceId, externalTaskId, result);
  }

  /**
   * A worker's BPMN error: a matching error boundary event of the task, else of the innermost enclosing
   * sub-process, catches it (SPEC §13); uncaught, it fails the instance like an error end event.
   */
  async externalTaskBpmnError(
    workerId: string,
    externalTaskId: string,
    errorCode: string,
    errorMessage: string | undefined,
  ): Promise<InstanceRecord> {
    const row = await this.takeHeldExternalTask(workerId, externalTaskId);
    const { rt, token } = await this.waitingToken(row.instanceId, externalTaskId);
    token.wait = undefined;
    const node = this.node(rt, token.node);
    this.guarded(rt, () => {
      if (throwError(this, rt, token, errorCode, node)) {
        this.run(rt);
        return;
      }
      this.endInstance(rt, "failed", {
        kind: "error",
        flowNodeKey: node.key,
        lane: node.lane,
        message: `BPMN error "${errorCode}" not caught${errorMessage ? `: ${errorMessage}` : ""}`,
        errorCode,
      });
    });
    return this.complete(rt);
  }

  /** A worker's service error fails the instance regardless of boundary events (SPEC §13). */
  async externalTaskServiceError(
    workerId: string,
    externalTaskId: string,
    errorMessage: string,
    errorDetails: unknown,
    errorCode: string | undefined,
  ): Promise<InstanceRecord> {
    const row = await this.takeHeldExternalTask(workerId, externalTaskId);
    const { rt, token } = await this.waitingToken(row.instanceId, externalTaskId);
    token.wait = undefined;
    const node = this.node(rt, token.node);
    const failure: InstanceFailure = {
      kind: "failure",
      flowNodeKey: node.key,
      lane: node.lane,
      message: errorMessage,
    };
    if (errorCode !== undefined) failure.errorCode = errorCode;
    if (errorDetails !== undefined) failure.errorDetails = errorDetails;
    this.endInstance(rt, "failed", failure);
    return this.complete(rt);
  }

  /** Only the holder (the last locker) takes the task: the conditional delete is the exactly-once guard. */
  private async takeHeldExternalTask(workerId: string, externalTaskId: string) {
    const store = this.tx;
    const row = await store.takeExternalTask(externalTaskId, workerId);
    if (row) return row;
    if (await store.getExternalTask(externalTaskId)) {
      throw new EngineError("locked", `external task ${externalTaskId} is held by another worker`);
    }
    throw new EngineError("not_waiting", `external task ${externalTaskId} does not wait`);
  }

  private async waitingToken(
    instanceId: string,
    waitId: string,
  ): Promise<{ rt: Runtime; token: TokenState }> {
    const rt = await this.load(instanceId);
    const token = rt.state.tokens.find((candidate) => candidate.wait?.id === waitId);
    if (rt.data.state !== "running" || !token) {
      throw new EngineError("not_waiting", `${waitId} does not wait in instance ${instanceId}`);
    }
    return { rt, token };
  }

  private async resumeWaiting(instanceId: string, waitId: string, payload: unknown): Promise<InstanceRecord> {
    const rt = await this.load(instanceId);
    if (rt.data.state !== "running" || !this.resumeWait(rt, waitId, payload)) {
      throw new EngineError("not_waiting", `${waitId} does not wait in instance ${instanceId}`);
    }
    return this.complete(rt);
  }

  /** The wait with this row id ends: a waiting token moves on, or an armed boundary event occurs. */
  private resumeWait(rt: Runtime, waitId: string, payload: unknown): boolean {
    const token = rt.state.tokens.find((candidate) => candidate.wait?.id === waitId);
    if (token) {
      const from = this.events.length;
      const nodeKey = token.node;
      this.resume(rt, token, payload);
      this.tagWait(rt, nodeKey, waitId, from, ["activity.finished", "event.triggered"]);
      return true;
    }
    const subscription = rt.state.subscriptions.find((candidate) => candidate.wait.id === waitId);
    if (!subscription) return false;
    this.occur(rt, subscription, payload);
    return true;
  }

  /**
   * A subscription occurs: the behaviour of the node its holder waits at handles it (a boundary event by
   * default); one held by a scope, the behaviour of its own node (an event sub-process's start event).
   */
  private occur(rt: Runtime, subscription: Subscription, payload: unknown): void {
    const holder = rt.state.tokens.find((candidate) => candidate.id === subscription.token);
    const behaviour = holder
      ? behaviourOf(this.node(rt, holder.node), holder)
      : behaviours[this.node(rt, subscription.node).kind];
    this.guarded(rt, () => {
      (behaviour.triggered ?? triggerBoundary)(this, rt, subscription, payload);
      this.run(rt);
    });
  }

  /**
   * Delivers the signals and messages thrown during the step and checks the conditions of the touched
   * instances (each may bring more of either), then writes every touched instance.
   */
  private async complete(rt: Runtime): Promise<InstanceRecord> {
    for (;;) {
      await this.settleCalls();
      const next = this.deliveries.shift();
      if (next) {
        await this.deliver(next);
        continue;
      }
      if (this.checkConditions()) continue;
      // A deadlocked instance fails here, and a failed called instance has a caller to report to.
      for (const touched of this.touched.values()) {
        if (touched.data.state === "running") this.failIfDeadlocked(touched);
      }
      if (this.calledEnded.length === 0 && this.calledCancelled.length === 0) break;
    }
    for (const touched of this.touched.values()) {
      touched.data.runtime = touched.data.state === "running" ? serializeRuntime(touched.state) : undefined;
      if (touched.isNew) this.tx.insertInstance(touched.data);
      else this.tx.updateInstance(touched.data);
      touched.isNew = false;
      const awaiting = awaitsScript(touched.state);
      if (awaiting) {
        this.awaitingScripts.add(touched.data.id);
      } else {
        this.awaitingScripts.delete(touched.data.id);
        this.settled.push(touched.data);
      }
      const chain = touched.state.caller?.chain ?? this.endedChains.get(touched.data.id);
      if (chain) this.calls.push({ id: touched.data.id, chain, awaiting });
    }
    return recordOf(rt.data);
  }

  /**
   * A thrown signal or sent message reaches its waiters and start events within the throwing step: it
   * commits with the throw, or not at all (SPEC §11's broadcast, done by the interpreter instead of by steps
   * of its own, so no other step sees the throw without its deliveries).
   */
  private async deliver(delivery: Delivery): Promise<void> {
    const rows =
      delivery.eventType === "signal"
        ? await this.tx.signalWaiters(delivery.name)
        : (await this.tx.eventsByName("message", delivery.name, delivery.correlationId)).map((row) => row.id);
    // Only what waited at the moment of the throw: rows this step inserted after it did not.
    const waiters = rows.filter((id) => (this.insertedEvents.get(id) ?? -1) < delivery.seenBefore);
    for (const id of waiters) await this.deliverTo(id, delivery.payload);
    for (const { model, node } of this.env.nameStarts(delivery.eventType, delivery.name)) {
      if (++this.startedByEvents > MAX_STARTS_PER_STEP) {
        throw new EngineError(
          "invalid_model",
          `more than ${MAX_STARTS_PER_STEP} instances started by thrown messages and signals in one step (a cycle of start events?)`,
        );
      }
      const correlationId = delivery.correlationId ?? this.env.newCorrelationId();
      this.begin(model, node.key, correlationId, undefined, delivery.payload);
    }
  }

  /**
   * Resumes one waiter in a savepoint of its own: a waiter that cannot be resumed (its pinned model version
   * is gone) keeps waiting instead of undoing the throw and every other delivery.
   */
  private async deliverTo(eventId: string, payload: unknown): Promise<void> {
    const row = await this.tx.getEvent(eventId);
    if (!row) return;
    const wasLoaded = this.touched.has(row.instanceId);
    try {
      await this.tx.savepoint(async () => {
        await this.tx.takeEvent(eventId);
        const waiting = await this.load(row.instanceId);
        if (waiting.data.state === "running") this.resumeWait(waiting, eventId, payload);
      });
    } catch (error) {
      if (!(error instanceof EngineError) || wasLoaded) throw error;
      this.touched.delete(row.instanceId);
    }
  }

  /**
   * Checks the conditions of the conditional events armed in the touched instances (SPEC §6.1: a condition
   * is checked when the token payload changes; every step that touches an instance may change it, so each
   * such step checks them at its end). One occurs when its condition becomes true: true at its first check
   * (on arrival), or true now and false at the check before. Returns whether any occurred.
   */
  private checkConditions(): boolean {
    let occurred = false;
    for (const rt of [...this.touched.values()]) {
      if (rt.data.state !== "running") continue;
      for (const token of rt.state.tokens.filter((candidate) => candidate.wait?.kind === "condition")) {
        if (
          rt.data.state !== "running" ||
          !rt.state.tokens.includes(token) ||
          token.wait?.kind !== "condition"
        )
          continue;
        const node = this.node(rt, token.node);
        // Waiting, it has been false at every check so far: true now, it becomes true.
        if (this.conditionHolds(rt, node, node.condition, token.payload)) {
          occurred = true;
          this.resume(rt, token, undefined);
        }
      }
      const conditional = rt.state.subscriptions.filter((candidate) => candidate.wait.kind === "condition");
      for (const subscription of conditional) {
        if (rt.data.state !== "running" || !rt.state.subscriptions.includes(subscription)) continue;
        const node = this.node(rt, subscription.node);
        const holder = rt.state.tokens.find((candidate) => candidate.id === subscription.token);
        const trigger = node.trigger;
        const current = holder ? holder.payload : subscription.payload;
        const now =
          trigger?.type === "conditional" && this.conditionHolds(rt, node, trigger.condition, current);
        if (now && !subscription.held) {
          occurred = true;
          this.occur(rt, subscription, undefined);
        } else subscription.held = now;
      }
    }
    return occurred;
  }

  /** Whether the condition holds over `current` and the instance's history; one that fails fails the instance. */
  private conditionHolds(
    rt: Runtime,
    node: NodeDef,
    condition: NodeDef["condition"],
    current: unknown,
  ): boolean {
    if (!condition) return false;
    const outcome = holds(condition, JSON.stringify({ current, history: rt.state.history }));
    if (outcome.ok) return outcome.value;
    this.guarded(rt, () => this.fail(node, outcome.message));
    return false;
  }

  private async load(instanceId: string): Promise<Runtime> {
    const cached = this.touched.get(instanceId);
    if (cached) return cached;
    const data = await this.tx.getInstance(instanceId);
    if (!data) throw new EngineError("not_waiting", `instance ${instanceId} does not exist`);
    const model = this.env.resolveModel(data.modelHash, data.modelKey);
    const state = data.runtime ? parseRuntime(data.runtime) : emptyState(1);
    const rt: Runtime = { data, model, state, isNew: false, nodesEntered: 0, queue: [] };
    this.touched.set(instanceId, rt);
    return rt;
  }

  /** A waiting token moves on; `payload` undefined keeps the token's payload. */
  private resume(rt: Runtime, token: TokenState, payload: unknown): void {
    token.wait = undefined;
    if (payload !== undefined) token.payload = payload;
    const node = this.node(rt, token.node);
    this.guarded(rt, () => {
      const behaviour = behaviourOf(node, token);
      if (!behaviour.resume) throw new EngineError("invalid_model", `flow node ${node.key} does not wait`);
      behaviour.resume(this, rt, token, node);
      this.run(rt);
    });
  }

  /**
   * Enters the queued tokens' nodes until every token waits, is held or is gone; then lets the joins that
   * depend on where the other tokens are (settle) fire, one at a time, and goes on until none does.
   */
  private run(rt: Runtime): void {
    while (rt.data.state === "running") {
      const token = rt.queue.shift();
      if (!token) {
        if (this.settle(rt)) continue;
        break;
      }
      if (!rt.state.tokens.includes(token)) continue;
      if (++rt.nodesEntered > MAX_NODES_PER_STEP) {
        throw new StepFailure(token.node, `more than ${MAX_NODES_PER_STEP} flow nodes without a wait state`);
      }
      const node = this.node(rt, token.node);
      if (node.startQuantity && token.iteration === undefined && !gathered(rt, token, node)) continue;
      behaviourOf(node, token).enter(this, rt, token, node);
      // An activity that waits (its token stayed) listens to its boundary events until it is left; a loop's
      // iterations do not: its boundary events belong to the whole activity.
      if (
        node.boundaries &&
        token.iteration === undefined &&
        token.node === node.key &&
        !rt.queue.includes(token) &&
        rt.state.tokens.includes(token)
      ) {
        armBoundaries(this, rt, token, node);
      }
    }
  }

  /** The first held token whose join fires on settling; whether one did. */
  private settle(rt: Runtime): boolean {
    const seen = new Set<string>();
    for (const token of rt.state.tokens) {
      if (!token.held) continue;
      const group = `${token.scope}:${token.node}`;
      if (seen.has(group)) continue;
      seen.add(group);
      const node = this.node(rt, token.node);
      if (behaviourOf(node, token).settle?.(this, rt, token, node)) return true;
    }
    return false;
  }

  /** Runs the instance's part of the step; a failure of the instance (not of the engine) is recorded on it. */
  private guarded(rt: Runtime, work: () => void): void {
    try {
      work();
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      rt.queue = [];
      const node = rt.model.nodes.get(error.flowNodeKey);
      this.endInstance(rt, "failed", {
        kind: "failure",
        flowNodeKey: error.flowNodeKey,
        lane: node?.lane ?? null,
        message: error.message,
      });
    }
  }

  // --- StepOps: what node behaviours may do ---

  event(rt: Runtime, type: NodeEventType, node: NodeDef, payload: unknown): void {
    const fields = {
      ...this.base(rt),
      flowNodeKey: node.key,
      flowNodeType: node.type,
      lane: node.lane,
      payload,
      ...(node.attachedTo === undefined ? {} : { attachedToKey: node.attachedTo }),
    };
    if (type === "activity.started" || type === "activity.finished") this.events.push({ ...fields, type });
    else this.events.push({ ...fields, type });
  }

  leave(rt: Runtime, token: TokenState, node: NodeDef, flows: FlowDef[] = node.outgoing): void {
    if (token.iteration !== undefined) {
      this.remember(rt, node, token.payload);
      behaviourOf(node, { ...token, iteration: undefined }).iterationEnded?.(this, rt, token, node);
      return;
    }
    if (node.boundaries) disarmBoundaries(this, rt, token);
    this.remember(rt, node, token.payload);
    if (node.compensable) rememberCompletion(rt, token, node);
    if (flows.length === 0) {
      this.removeToken(rt, token);
      if (!rt.state.tokens.some((other) => other.scope === token.scope)) {
        this.scopeEnded(rt, token.scope, node, token.payload);
      }
      return;
    }
    const copies = node.completionQuantity ?? 1;
    flows.forEach((flow, index) => {
      for (let copy = 0; copy < copies; copy++) {
        const first = index === 0 && copy === 0;
        const next = first ? token : this.newToken(rt, flow.target, token.scope, token.payload);
        next.node = flow.target;
        next.via = flow.id;
        rt.queue.push(next);
      }
    });
  }

  remember(rt: Runtime, node: NodeDef, payload: unknown): void {
    rt.state.history[node.key] = payload;
  }

  waitForTask(rt: Runtime, token: TokenState, node: NodeDef): void {
    const id = this.env.newId();
    this.tx.insertUserTask({ ...this.waitRow(rt, node, id), payload: token.payload });
    token.wait = { kind: "task", id };
    this.tagWait(rt, node.key, id, 0, ["activity.started"]);
  }

  waitForEvent(rt: Runtime, token: TokenState, node: NodeDef): void {
    token.wait = this.subscribeEvent(rt, node);
    this.tagWait(rt, node.key, token.wait.id, 0, ["activity.started", "event.reached"]);
  }

  waitForTimer(rt: Runtime, token: TokenState, node: NodeDef): void {
    const first = firstOccurrence(node.timer as TimerDef, this.nowMs);
    // A cycle whose every occurrence lies in the past never comes due.
    if (first) token.wait = this.subscribeTimer(rt, node, first.dueAt);
  }

  waitForExternalTask(rt: Runtime, token: TokenState, node: NodeDef): void {
    const id = this.env.newId();
    const topic = node.topic as string;
    this.tx.insertExternalTask({ ...this.waitRow(rt, node, id), topic, payload: token.payload });
    this.externalTasksCreated.push({ id, topic, lane: node.lane });
    token.wait = { kind: "external", id };
  }

  subscribeEvent(rt: Runtime, node: NodeDef): WaitRef {
    const id = this.env.newId();
    const row: EventRow = {
      ...this.waitRow(rt, node, id),
      eventType: node.eventType ?? "message",
      eventName: node.eventName ?? node.key,
    };
    if (node.attachedTo !== undefined) row.attachedToKey = node.attachedTo;
    this.tx.insertEvent(row);
    this.insertedEvents.set(id, this.insertedEvents.size);
    return { kind: "event", id };
  }

  subscribeTimer(rt: Runtime, node: NodeDef, dueAt: number): WaitRef {
    const id = this.env.newId();
    this.tx.insertTimer({ id, instanceId: rt.data.id, key: node.key, dueAt });
    this.earliestTimer = Math.min(this.earliestTimer, dueAt);
    return { kind: "timer", id };
  }

  withdraw(wait: WaitRef): void {
    if (wait.kind === "call") this.calledCancelled.push({ instanceId: wait.id });
    // A condition has no row.
    else if (wait.kind !== "condition") this.tx.deleteWait(wait.kind, wait.id);
  }

  cancelActivity(rt: Runtime, token: TokenState): void {
    this.cancelWait(rt, token);
    token.wait = undefined;
    const scope = rt.state.scopes.find((candidate) => candidate.token === token.id);
    if (scope) {
      this.cancelScope(rt, scope.id);
      rt.state.scopes = rt.state.scopes.filter((candidate) => candidate !== scope);
    }
  }

  newToken(rt: Runtime, node: string, scope: number, payload: unknown): TokenState {
    const token: TokenState = { id: rt.state.next++, node, scope, payload };
    rt.state.tokens.push(token);
    return token;
  }

  removeToken(rt: Runtime, token: TokenState): void {
    rt.state.tokens = rt.state.tokens.filter((candidate) => candidate !== token);
  }

  runScript(rt: Runtime, token: TokenState, node: NodeDef, script: CompiledScript, op?: LoopOp): void {
    const json = this.tokenJson(rt, token);
    const input = op === undefined ? json : loopInput(op, json);
    const outcome = this.env.scripts.run(script, input);
    if (!(outcome instanceof Promise)) {
      this.scripted(rt, token, node, outcome);
      return;
    }
    const id = this.env.newId();
    this.tx.insertScriptJob({
      id,
      instanceId: rt.data.id,
      key: node.key,
      modelKey: rt.data.modelKey,
      modelHash: rt.data.modelHash,
      input,
      createdAt: this.nowIso,
    });
    token.wait = { kind: "script", id };
    this.jobs.push({ id, instanceId: rt.data.id, outcome });
  }

  callProcess(rt: Runtime, token: TokenState, node: NodeDef): void {
    const chain = [rt.data.id, ...(rt.state.caller?.chain ?? [])];
    if (chain.length > MAX_CALL_DEPTH) {
      this.fail(node, `call depth limit: more than ${MAX_CALL_DEPTH} call activities nested in one another`);
    }
    const key = node.calledElement as string;
    const model = this.env.latestModel(key);
    const startEvent = model?.info.startEvents.length === 1 ? model.info.startEvents[0] : undefined;
    if (!model?.info.executable || !startEvent) {
      this.fail(node, `the called process ${key} is not loaded (or has not exactly one none start event)`);
    }
    const { correlationId, callerId } = rt.data;
    const called = this.launch(model, startEvent.key, correlationId, callerId, token.payload, {
      instance: rt.data.id,
      token: token.id,
      chain,
    });
    // Before it runs: it may end at once, and then finds its caller waiting for it.
    token.wait = { kind: "call", id: called.data.id };
    this.guarded(called, () => this.run(called));
  }

  fail(node: NodeDef, message: string): never {
    throw new StepFailure(node.key, message);
  }

  throwSignal(rt: Runtime, token: TokenState, node: NodeDef, signalName: string): void {
    this.events.push({
      ...this.base(rt),
      type: "signal.thrown",
      signalName,
      flowNodeKey: node.key,
      lane: node.lane,
      payload: token.payload,
    });
    // Only the catch events waiting at the moment of the throw receive the signal (see deliver).
    this.deliveries.push({
      eventType: "signal",
      name: signalName,
      payload: undefined,
      seenBefore: this.insertedEvents.size,
    });
  }

  sendMessage(rt: Runtime, token: TokenState, messageName: string): void {
    this.deliveries.push({
      eventType: "message",
      name: messageName,
      correlationId: rt.data.correlationId,
      payload: token.payload,
      seenBefore: this.insertedEvents.size,
    });
  }

  openScope(rt: Runtime, token: TokenState, node: NodeDef): number {
    const scope: ScopeState = { id: rt.state.next++, node: node.key, parent: token.scope, token: token.id };
    rt.state.scopes.push(scope);
    armEventSubProcesses(this, rt, scope.id, node.eventSubProcesses, token.payload);
    return scope.id;
  }

  scopeEnded(rt: Runtime, scopeId: number, endNode: NodeDef, payload: unknown): void {
    if (scopeId === 0) {
      this.endInstance(rt, "finished", undefined, endNode, payload);
      return;
    }
    const scope = rt.state.scopes.find((candidate) => candidate.id === scopeId);
    const parent = rt.state.tokens.find((candidate) => candidate.id === scope?.token);
    if (!scope || !parent) return;
    const node = this.node(rt, scope.node);
    if (behaviourOf(node, parent).scopeEnded?.(this, rt, scope, parent, endNode, payload)) return;
    // The scope's event sub-processes listen no longer.
    disarmScopes(this, rt, new Set([scopeId]));
    parent.payload = payload;
    this.event(rt, "activity.finished", node, payload);
    // The scope is closed after the token left: a sub-process's completion keeps what ran inside (compensation).
    this.leave(rt, parent, node);
    rt.state.scopes = rt.state.scopes.filter((candidate) => candidate !== scope);
  }

  cancelScope(rt: Runtime, scopeId: number): void {
    const doomed = new Set([scopeId]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const scope of rt.state.scopes) {
        if (!doomed.has(scope.id) && doomed.has(scope.parent)) {
          doomed.add(scope.id);
          grew = true;
        }
      }
    }
    for (const token of rt.state.tokens) if (doomed.has(token.scope)) this.cancelWait(rt, token);
    disarmScopes(this, rt, doomed);
    rt.state.tokens = rt.state.tokens.filter((token) => !doomed.has(token.scope));
    rt.state.scopes = rt.state.scopes.filter((scope) => scope.id === scopeId || !doomed.has(scope.id));
  }

  endInstance(
    rt: Runtime,
    state: "finished" | "terminated" | "failed",
    failure: InstanceFailure | undefined,
    endNode?: NodeDef,
    result?: unknown,
  ): void {
    const { caller } = rt.state;
    if (caller) this.endedChains.set(rt.data.id, caller.chain);
    for (const token of rt.state.tokens) this.cancelWait(rt, token);
    // What is left is held by scopes: the event sub-processes' start events.
    for (const subscription of rt.state.subscriptions) this.withdraw(subscription.wait);
    rt.state = emptyState(rt.state.next);
    rt.queue = [];
    const { data } = rt;
    data.state = state;
    data.finishedAt = this.nowIso;
    if (endNode) {
      data.endEventKey = endNode.key;
      data.endEventLane = endNode.lane;
      data.result = result;
      data.endSeq = this.env.nextEndSeq();
    }
    if (failure) data.failure = failure;
    if (state === "finished" && endNode) {
      this.events.push({
        ...this.base(rt),
        type: "instance.finished",
        endEventKey: endNode.key,
        endEventLane: endNode.lane,
        payload: result,
      });
    } else if (failure) {
      this.events.push({
        ...this.base(rt),
        type: "instance.terminated",
        failure,
        ...(endNode ? { payload: result } : {}),
      });
    }
    this.ended.push(recordOf(data));
    if (caller) this.calledEnded.push({ caller, called: data });
  }

  private async settleCalls(): Promise<void> {
    for (;;) {
      const cancelled = this.calledCancelled.shift();
      if (cancelled) {
        await this.terminateCalled(cancelled.instanceId, cancelled.activity);
        continue;
      }
      const ended = this.calledEnded.shift();
      if (!ended) return;
      await this.returnToCaller(ended.caller, ended.called);
    }
  }

  /**
   * A called instance ended: its call activity goes on. Finished (or ended by a terminate end event), its
   * result is the activity's output; ended by an uncaught BPMN error, the error is thrown at the activity;
   * failed otherwise, the caller fails at the activity.
   */
  private async returnToCaller(caller: CallerRef, called: InstanceData): Promise<void> {
    const rt = await this.load(caller.instance);
    const token = rt.state.tokens.find(
      (candidate) => candidate.id === caller.token && candidate.wait?.id === called.id,
    );
    if (rt.data.state !== "running" || !token) return;
    token.wait = undefined;
    const node = this.node(rt, token.node);
    const { failure } = called;
    this.guarded(rt, () => {
      if (!failure || failure.kind === "terminate") {
        token.payload = called.result;
        behaviourOf(node, token).resume?.(this, rt, token, node);
      } else if (failure.kind === "error") {
        if (!throwError(this, rt, token, failure.errorCode, node)) {
          const error: InstanceFailure = {
            kind: "error",
            flowNodeKey: node.key,
            lane: node.lane,
            message: `the called process ${called.modelKey} ended with an uncaught error: ${failure.message}`,
          };
          if (failure.errorCode !== undefined) error.errorCode = failure.errorCode;
          this.endInstance(rt, "failed", error);
        }
      } else {
        // Up a chain of calls the first failure is the one that says what happened.
        const reason = failure.message.replace(/^the called process \S+ failed: /, "");
        this.fail(node, `the called process ${called.modelKey} failed: ${reason}`);
      }
      this.run(rt);
    });
  }

  /** The call activity waiting for it was cancelled: the called instance ends, and reports to nobody. */
  private async terminateCalled(instanceId: string, activity: NodeDef | undefined): Promise<void> {
    const rt = await this.load(instanceId);
    if (rt.data.state !== "running") return;
    if (rt.state.caller) this.endedChains.set(rt.data.id, rt.state.caller.chain);
    rt.state.caller = undefined;
    this.endInstance(rt, "terminated", {
      kind: "terminate",
      flowNodeKey: activity?.key ?? rt.model.info.key,
      lane: activity?.lane ?? null,
      message: "terminated: the call activity that started it was cancelled",
    });
  }

  // --- internals ---

  /**
   * Gives the latest event of this node (of the given types, from index `from`) the id of the wait it begins
   * or ends, so that a §12 notification can name the task or event a subscriber may act on at once. The
   * behaviours announce the node before the interpreter creates (or after it ends) the wait.
   */
  private tagWait(
    rt: Runtime,
    nodeKey: string,
    waitId: string,
    from: number,
    types: readonly EngineEvent["type"][],
  ): void {
    for (let i = this.events.length - 1; i >= from; i--) {
      const event = this.events[i] as EngineEvent;
      if (event.processInstanceId !== rt.data.id || !types.includes(event.type)) continue;
      if ("flowNodeKey" in event && event.flowNodeKey === nodeKey && "flowNodeType" in event) {
        if (event.waitId === undefined) event.waitId = waitId;
        return;
      }
    }
  }

  /**
   * An instance whose every token is held at a parallel join (directly, or inside a sub-process whose tokens
   * all are) can never move again: nothing can deliver the missing tokens. Rather than run forever with
   * nothing waiting, it fails at the join (SPEC §6: ProcessInstanceTerminated, callback 2/3 get 500).
   */
  private failIfDeadlocked(rt: Runtime): void {
    const { tokens, scopes } = rt.state;
    if (tokens.length === 0) return;
    const scopeOfParent = new Map(scopes.map((scope) => [scope.token, scope.id]));
    const armed = new Set(rt.state.subscriptions.map((subscription) => subscription.token));
    // An event sub-process may still occur in a scope whose tokens are stuck.
    const listening = new Set(rt.state.subscriptions.map((subscription) => subscription.scope));
    const alive = (token: TokenState): boolean => {
      if (token.held) return false;
      if (token.wait) return true;
      // A boundary event may still interrupt a sub-process whose inside is stuck.
      if (armed.has(token.id)) return true;
      const inner = scopeOfParent.get(token.id);
      return inner === undefined || scopeAlive(inner);
    };
    const scopeAlive = (scopeId: number): boolean =>
      listening.has(scopeId) || tokens.some((token) => token.scope === scopeId && alive(token));
    if (scopeAlive(0)) return;
    const held = tokens.filter((token) => token.held);
    const stuck = (held.find((token) => this.node(rt, token.node).kind === "parallel") ??
      held[0]) as TokenState;
    const node = this.node(rt, stuck.node);
    if (node.kind !== "parallel") {
      this.endInstance(rt, "failed", {
        kind: "failure",
        flowNodeKey: node.key,
        lane: node.lane,
        message: `deadlock: the activity needs startQuantity=${node.startQuantity} tokens, and no token is left that could bring them`,
      });
      return;
    }
    const missing = node.incoming.filter((flow) => heldAt(rt, stuck.node, stuck.scope, flow).length === 0);
    const flows = missing.map((flow) => JSON.stringify(flow)).join(", ");
    this.endInstance(rt, "failed", {
      kind: "failure",
      flowNodeKey: node.key,
      lane: node.lane,
      message:
        node.kind === "parallel"
          ? `deadlock: the parallel gateway waits for a token on ${flows}, and no token is left that could bring one`
          : `deadlock: the inclusive gateway waits for a token on ${flows} that only a token held at another join could bring`,
    });
  }

  private tokenJson(rt: Runtime, token: TokenState): string {
    const loop = loopContext(rt, token);
    if (loop) return JSON.stringify({ current: token.payload, history: rt.state.history, loop });
    return JSON.stringify({ current: token.payload, history: rt.state.history });
  }

  private scripted(rt: Runtime, token: TokenState, node: NodeDef, outcome: ScriptOutcome): void {
    const behaviour = behaviourOf(node, token);
    if (
      !outcome.ok &&
      outcome.bpmnError &&
      node.kind === "script" &&
      behaviour.scripted === scriptTask.scripted
    ) {
      // A BPMN error, not a failure: the script task's or an enclosing sub-process's error boundary event may
      // catch it; uncaught, it fails the instance like an error end event.
      const { code, message } = outcome.bpmnError;
      if (throwError(this, rt, token, code, node)) return;
      this.endInstance(rt, "failed", {
        kind: "error",
        flowNodeKey: node.key,
        lane: node.lane,
        message: `BpmnError ${code}: ${message}`,
        errorCode: code,
      });
      return;
    }
    if (!outcome.ok) this.fail(node, outcome.message);
    if (!behaviour.scripted) throw new EngineError("invalid_model", `flow node ${node.key} runs no script`);
    behaviour.scripted(this, rt, token, node, outcome.json);
  }

  /** Withdraws the token's wait and its armed boundary events. */
  private cancelWait(rt: Runtime, token: TokenState): void {
    if (token.wait?.kind === "call") {
      this.calledCancelled.push({ instanceId: token.wait.id, activity: this.node(rt, token.node) });
    } else if (token.wait) this.withdraw(token.wait);
    disarmBoundaries(this, rt, token);
  }

  private node(rt: Runtime, key: string): NodeDef {
    const node = rt.model.nodes.get(key);
    if (!node)
      throw new EngineError("invalid_model", `flow node ${key} is not in model ${rt.model.info.key}`);
    return node;
  }

  private waitRow(rt: Runtime, node: NodeDef, id: string) {
    return {
      id,
      instanceId: rt.data.id,
      key: node.key,
      modelKey: rt.data.modelKey,
      modelHash: rt.data.modelHash,
      correlationId: rt.data.correlationId,
      lane: node.lane,
      createdAt: this.nowIso,
    };
  }

  private base(rt: Runtime) {
    return {
      processModelKey: rt.data.modelKey,
      correlationId: rt.data.correlationId,
      processInstanceId: rt.data.id,
    };
  }
}
