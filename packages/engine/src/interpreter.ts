import type { CompiledProcess, FlowDef, NodeDef } from "./model.js";
import { recordOf } from "./records.js";
import { ScriptRunError, type ScriptRunner } from "./scripts.js";
import type { InstanceData, Store } from "./store.js";
import { EngineError, type EngineEvent, type InstanceFailure, type InstanceRecord } from "./types.js";

// The token interpreter. A Step is one unit of work inside one database transaction: it loads the instances
// it touches from the store, moves their tokens until every token waits (or the instance ends), writes the
// waits and the instance state back, and collects the engine events to publish after commit. Nothing of an
// instance stays in memory after the step.

/** Where a waiting token waits: the id of its user task, event or timer row. */
interface WaitRef {
  kind: "task" | "event" | "timer";
  id: string;
}

interface TokenState {
  id: number;
  node: string;
  /** 0: the process itself; otherwise the id of a sub-process scope. */
  scope: number;
  payload?: unknown;
  wait?: WaitRef;
  /** The sequence flow it last took: a parallel join waits for a token on each of its incoming flows. */
  via?: string;
  /**
   * Held at a parallel join until a token waits on each incoming flow. A held token is a token like any
   * other: its scope (and the instance) does not complete while it exists.
   */
  held?: true;
}

/** A running sub-process: `token` is the parent-scope token that waits at the sub-process node. */
interface ScopeState {
  id: number;
  node: string;
  parent: number;
  token: number;
}

/** Flow node key → payload. Null prototype: a node id such as `__proto__` is an own key like any other. */
type History = Record<string, unknown>;

/** The state of a running instance, serialized as JSON in the `runtime` column. */
interface RuntimeState {
  next: number;
  tokens: TokenState[];
  scopes: ScopeState[];
  /** token.history: the payload as it left each flow node. */
  history: History;
}

/** What older engine versions stored in addition: arrivals at a join counted by "<scope>:<key>", then flow. */
interface StoredRuntimeState extends RuntimeState {
  joins?: Record<string, Record<string, number>>;
}

function emptyState(next: number): RuntimeState {
  return { next, tokens: [], scopes: [], history: Object.create(null) as History };
}

/**
 * Parses a stored runtime. History keys become own keys of a null-prototype object (JSON.parse already makes
 * `__proto__` an own key; the copy keeps later writes off Object.prototype). Join arrivals counted by an older
 * engine become held tokens; their payloads were not kept, and the branch arriving last carries its own.
 */
function parseRuntime(json: string): RuntimeState {
  const stored = JSON.parse(json) as StoredRuntimeState;
  const state: RuntimeState = {
    next: stored.next,
    tokens: stored.tokens,
    scopes: stored.scopes,
    history: Object.assign(Object.create(null) as History, stored.history),
  };
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

interface Runtime {
  data: InstanceData;
  model: CompiledProcess;
  state: RuntimeState;
  isNew: boolean;
  /** Flow nodes entered in this step, over every run: signals resumed within the step count too. */
  nodesEntered: number;
}

export interface StepEnv {
  store: Store;
  scripts: ScriptRunner;
  /** The compiled process of a model version; throws EngineError "invalid_model" when it cannot be had. */
  resolveModel(hash: string, key: string): CompiledProcess;
  newId(): string;
  nextEndSeq(): number;
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

/**
 * Guards against a cycle of flow nodes without a wait state, which would otherwise block the engine. Counted
 * per instance per step, so that signal catch events that keep waking each other within one step (a wait
 * state that never waits) are caught as well.
 */
const MAX_NODES_PER_STEP = 10_000;

export class Step {
  readonly events: EngineEvent[] = [];
  readonly ended: InstanceRecord[] = [];
  /** Earliest due time of a timer created in this step, to arm the scheduler after commit. */
  earliestTimer = Number.POSITIVE_INFINITY;
  private readonly touched = new Map<string, Runtime>();
  private readonly signalDeliveries: string[] = [];
  private readonly nowMs = Date.now();
  private readonly nowIso = new Date(this.nowMs).toISOString();

  constructor(private readonly env: StepEnv) {}

  start(
    model: CompiledProcess,
    startEventKey: string,
    correlationId: string,
    callerId: string | undefined,
    payload: unknown,
  ): InstanceRecord {
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
    };
    this.touched.set(data.id, rt);
    this.env.store.addCorrelation(correlationId, data.modelKey);
    this.events.push({
      ...this.base(rt),
      type: "instance.started",
      startEventKey,
      startEventLane: model.nodes.get(startEventKey)?.lane ?? null,
      payload,
    });
    this.run(rt, [this.newToken(rt, startEventKey, 0, payload)]);
    return this.complete(rt);
  }

  finishUserTask(userTaskId: string, result: unknown): InstanceRecord {
    const row = this.env.store.takeUserTask(userTaskId);
    if (!row) throw new EngineError("not_waiting", `user task ${userTaskId} does not wait`);
    return this.resumeWaiting(row.instanceId, userTaskId, result);
  }

  triggerEvent(eventId: string, payload: unknown): InstanceRecord {
    const row = this.env.store.takeEvent(eventId);
    if (!row) throw new EngineError("not_waiting", `event ${eventId} does not wait`);
    return this.resumeWaiting(row.instanceId, eventId, payload);
  }

  /** Undefined when the timer no longer exists (already fired, or its instance ended). */
  fireTimer(timerId: string): InstanceRecord | undefined {
    const row = this.env.store.takeTimer(timerId);
    if (!row) return undefined;
    return this.resumeWaiting(row.instanceId, timerId, undefined);
  }

  private resumeWaiting(instanceId: string, waitId: string, payload: unknown): InstanceRecord {
    const rt = this.load(instanceId);
    const token = rt.state.tokens.find((candidate) => candidate.wait?.id === waitId);
    if (rt.data.state !== "running" || !token) {
      throw new EngineError("not_waiting", `${waitId} does not wait in instance ${instanceId}`);
    }
    this.resume(rt, token, payload);
    return this.complete(rt);
  }

  /** Delivers the signals thrown during the step, then writes every touched instance. */
  private complete(rt: Runtime): InstanceRecord {
    for (let id = this.signalDeliveries.shift(); id !== undefined; id = this.signalDeliveries.shift()) {
      this.deliverSignal(id);
    }
    for (const touched of this.touched.values()) {
      if (touched.data.state === "running") this.failIfDeadlocked(touched);
      touched.data.runtime = touched.data.state === "running" ? JSON.stringify(touched.state) : undefined;
      if (touched.isNew) this.env.store.insertInstance(touched.data);
      else this.env.store.updateInstance(touched.data);
      touched.isNew = false;
    }
    return recordOf(rt.data);
  }

  /**
   * Resumes one signal waiter in a savepoint of its own: a waiter that cannot be resumed (its pinned model
   * version is gone) keeps waiting instead of undoing the throw and every other delivery.
   */
  private deliverSignal(eventId: string): void {
    const row = this.env.store.getEvent(eventId);
    if (!row) return;
    const wasLoaded = this.touched.has(row.instanceId);
    try {
      this.env.store.transaction(() => {
        this.env.store.takeEvent(eventId);
        const waiting = this.load(row.instanceId);
        const token = waiting.state.tokens.find((candidate) => candidate.wait?.id === eventId);
        if (waiting.data.state === "running" && token) this.resume(waiting, token, undefined);
      });
    } catch (error) {
      if (!(error instanceof EngineError) || wasLoaded) throw error;
      this.touched.delete(row.instanceId);
    }
  }

  private load(instanceId: string): Runtime {
    const cached = this.touched.get(instanceId);
    if (cached) return cached;
    const data = this.env.store.getInstance(instanceId);
    if (!data) throw new EngineError("not_waiting", `instance ${instanceId} does not exist`);
    const model = this.env.resolveModel(data.modelHash, data.modelKey);
    const state = data.runtime ? parseRuntime(data.runtime) : emptyState(1);
    const rt: Runtime = { data, model, state, isNew: false, nodesEntered: 0 };
    this.touched.set(instanceId, rt);
    return rt;
  }

  /** A waiting token moves on; `payload` undefined keeps the token's payload. */
  private resume(rt: Runtime, token: TokenState, payload: unknown): void {
    token.wait = undefined;
    if (payload !== undefined) token.payload = payload;
    const node = this.node(rt, token.node);
    const isActivity = node.kind === "userTask" || node.kind === "receiveTask";
    this.nodeEvent(rt, isActivity ? "activity.finished" : "event.triggered", node, token.payload);
    const queue: TokenState[] = [];
    this.leave(rt, token, node, node.outgoing, queue);
    this.run(rt, queue);
  }

  private run(rt: Runtime, queue: TokenState[]): void {
    try {
      while (rt.data.state === "running") {
        const token = queue.shift();
        if (!token) break;
        if (!rt.state.tokens.includes(token)) continue;
        if (++rt.nodesEntered > MAX_NODES_PER_STEP) {
          throw new StepFailure(
            token.node,
            `more than ${MAX_NODES_PER_STEP} flow nodes without a wait state`,
          );
        }
        this.enter(rt, token, queue);
      }
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      const node = rt.model.nodes.get(error.flowNodeKey);
      this.end(rt, "failed", {
        kind: "failure",
        flowNodeKey: error.flowNodeKey,
        lane: node?.lane ?? null,
        message: error.message,
      });
    }
  }

  private enter(rt: Runtime, token: TokenState, queue: TokenState[]): void {
    const node = this.node(rt, token.node);
    const { store } = this.env;
    switch (node.kind) {
      case "start":
      case "passThroughEvent":
        this.nodeEvent(rt, "event.reached", node, token.payload);
        this.leave(rt, token, node, node.outgoing, queue);
        return;
      case "activity":
        this.nodeEvent(rt, "activity.started", node, token.payload);
        this.nodeEvent(rt, "activity.finished", node, token.payload);
        this.leave(rt, token, node, node.outgoing, queue);
        return;
      case "script": {
        this.nodeEvent(rt, "activity.started", node, token.payload);
        token.payload = this.runScript(rt, node, token);
        this.nodeEvent(rt, "activity.finished", node, token.payload);
        this.leave(rt, token, node, node.outgoing, queue);
        return;
      }
      case "exclusive":
        this.leave(rt, token, node, [this.choose(rt, node, token)], queue);
        return;
      case "parallel":
        if (node.incoming.length > 1 && !this.join(rt, token, node)) return;
        this.leave(rt, token, node, node.outgoing, queue);
        return;
      case "userTask": {
        this.nodeEvent(rt, "activity.started", node, token.payload);
        const id = this.env.newId();
        store.insertUserTask({ ...this.waitRow(rt, node, id), payload: token.payload });
        token.wait = { kind: "task", id };
        return;
      }
      case "receiveTask":
      case "messageCatch":
      case "signalCatch": {
        this.nodeEvent(
          rt,
          node.kind === "receiveTask" ? "activity.started" : "event.reached",
          node,
          token.payload,
        );
        const id = this.env.newId();
        store.insertEvent({
          ...this.waitRow(rt, node, id),
          eventType: node.eventType ?? "message",
          eventName: node.eventName ?? node.key,
        });
        token.wait = { kind: "event", id };
        return;
      }
      case "timerCatch": {
        this.nodeEvent(rt, "event.reached", node, token.payload);
        const id = this.env.newId();
        const dueAt = this.nowMs + (node.timerMs ?? 0);
        store.insertTimer({ id, instanceId: rt.data.id, key: node.key, dueAt });
        this.earliestTimer = Math.min(this.earliestTimer, dueAt);
        token.wait = { kind: "timer", id };
        return;
      }
      case "signalThrow": {
        const signalName = node.eventName ?? node.key;
        this.nodeEvent(rt, "event.reached", node, token.payload);
        this.events.push({
          ...this.base(rt),
          type: "signal.thrown",
          signalName,
          flowNodeKey: node.key,
          lane: node.lane,
          payload: token.payload,
        });
        // Only the catch events waiting at the moment of the throw receive the signal.
        this.signalDeliveries.push(...store.signalWaiters(signalName));
        this.leave(rt, token, node, node.outgoing, queue);
        return;
      }
      case "subProcess": {
        this.nodeEvent(rt, "activity.started", node, token.payload);
        const scope: ScopeState = {
          id: rt.state.next++,
          node: node.key,
          parent: token.scope,
          token: token.id,
        };
        rt.state.scopes.push(scope);
        queue.push(this.newToken(rt, node.innerStart as string, scope.id, token.payload));
        return;
      }
      case "end":
        this.nodeEvent(rt, "event.reached", node, token.payload);
        rt.state.history[node.key] = token.payload;
        this.removeToken(rt, token);
        if (token.scope !== 0) {
          if (!rt.state.tokens.some((other) => other.scope === token.scope)) {
            this.completeScope(rt, token.scope, token.payload, queue);
          }
        } else if (rt.state.tokens.length === 0) {
          this.end(rt, "finished", undefined, node, token.payload);
        }
        return;
      case "terminateEnd":
        this.nodeEvent(rt, "event.reached", node, token.payload);
        rt.state.history[node.key] = token.payload;
        if (token.scope === 0) {
          const failure: InstanceFailure = {
            kind: "terminate",
            flowNodeKey: node.key,
            lane: node.lane,
            message: "terminate end event reached",
          };
          this.end(rt, "terminated", failure, node, token.payload);
        } else {
          // A terminate end event inside a sub-process ends only that sub-process.
          this.cancelScope(rt, token.scope);
          this.completeScope(rt, token.scope, token.payload, queue);
        }
        return;
      case "errorEnd":
        this.nodeEvent(rt, "event.reached", node, token.payload);
        rt.state.history[node.key] = token.payload;
        this.end(rt, "failed", {
          kind: "error",
          flowNodeKey: node.key,
          lane: node.lane,
          message: node.errorText ?? "error end event reached",
        });
        return;
    }
  }

  private leave(rt: Runtime, token: TokenState, node: NodeDef, flows: FlowDef[], queue: TokenState[]): void {
    rt.state.history[node.key] = token.payload;
    flows.forEach((flow, index) => {
      const next = index === 0 ? token : this.newToken(rt, flow.target, token.scope, token.payload);
      next.node = flow.target;
      next.via = flow.id;
      queue.push(next);
    });
  }

  private choose(rt: Runtime, node: NodeDef, token: TokenState): FlowDef {
    let index = 0;
    if (node.chooser) {
      try {
        index = this.env.scripts.choose(node.chooser, this.tokenJson(rt, token));
      } catch (error) {
        if (error instanceof ScriptRunError) throw new StepFailure(node.key, error.message);
        throw error;
      }
    }
    const flow = index >= 0 ? node.choices?.[index] : undefined;
    if (flow) return flow;
    if (node.defaultFlow) return node.defaultFlow;
    throw new StepFailure(
      node.key,
      "no condition of the exclusive gateway matched and it has no default flow",
    );
  }

  private runScript(rt: Runtime, node: NodeDef, token: TokenState): unknown {
    try {
      return this.env.scripts.runScript(
        node.script as NonNullable<NodeDef["script"]>,
        this.tokenJson(rt, token),
      );
    } catch (error) {
      if (error instanceof ScriptRunError) throw new StepFailure(node.key, error.message);
      throw error;
    }
  }

  private tokenJson(rt: Runtime, token: TokenState): string {
    return JSON.stringify({ current: token.payload, history: rt.state.history });
  }

  private completeScope(rt: Runtime, scopeId: number, payload: unknown, queue: TokenState[]): void {
    const scope = rt.state.scopes.find((candidate) => candidate.id === scopeId);
    const parent = rt.state.tokens.find((candidate) => candidate.id === scope?.token);
    if (!scope || !parent) return;
    rt.state.scopes = rt.state.scopes.filter((candidate) => candidate !== scope);
    const node = this.node(rt, scope.node);
    parent.payload = payload;
    this.nodeEvent(rt, "activity.finished", node, payload);
    this.leave(rt, parent, node, node.outgoing, queue);
  }

  /** Removes every token of a scope and of the scopes nested in it; the scope itself stays. */
  private cancelScope(rt: Runtime, scopeId: number): void {
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
    for (const token of rt.state.tokens) if (doomed.has(token.scope)) this.cancelWait(token);
    rt.state.tokens = rt.state.tokens.filter((token) => !doomed.has(token.scope));
    rt.state.scopes = rt.state.scopes.filter((scope) => scope.id === scopeId || !doomed.has(scope.id));
  }

  /**
   * A token arrives at a parallel join and is held there. The join fires once a token is held on each incoming
   * flow (a second token on one flow is no substitute for a missing one), consuming one per flow, the oldest;
   * the arriving token, the last, continues with its payload (the others' stay visible in token.history).
   * Returns whether it fired.
   */
  private join(rt: Runtime, token: TokenState, node: NodeDef): boolean {
    token.held = true;
    const taken: TokenState[] = [];
    for (const flow of node.incoming) {
      const held = rt.state.tokens.find(
        (other) =>
          other.held &&
          other.node === node.key &&
          other.scope === token.scope &&
          other.via === flow &&
          other !== token,
      );
      const candidate = flow === token.via ? token : held;
      if (!candidate) return false;
      taken.push(candidate);
    }
    token.held = undefined;
    for (const other of taken) if (other !== token) this.removeToken(rt, other);
    return true;
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
    const alive = (token: TokenState): boolean => {
      if (token.held) return false;
      const inner = scopeOfParent.get(token.id);
      return inner === undefined || scopeAlive(inner);
    };
    const scopeAlive = (scopeId: number): boolean =>
      tokens.some((token) => token.scope === scopeId && alive(token));
    if (scopeAlive(0)) return;
    const stuck = tokens.find((token) => token.held) as TokenState;
    const node = this.node(rt, stuck.node);
    const missing = node.incoming.filter(
      (flow) =>
        !tokens.some(
          (other) =>
            other.held && other.node === stuck.node && other.scope === stuck.scope && other.via === flow,
        ),
    );
    this.end(rt, "failed", {
      kind: "failure",
      flowNodeKey: node.key,
      lane: node.lane,
      message: `deadlock: the parallel gateway waits for a token on ${missing.map((flow) => JSON.stringify(flow)).join(", ")}, and no token is left that could bring one`,
    });
  }

  private cancelWait(token: TokenState): void {
    const { store } = this.env;
    if (token.wait?.kind === "task") store.takeUserTask(token.wait.id);
    else if (token.wait?.kind === "event") store.takeEvent(token.wait.id);
    else if (token.wait?.kind === "timer") store.takeTimer(token.wait.id);
  }

  private end(
    rt: Runtime,
    state: "finished" | "terminated" | "failed",
    failure: InstanceFailure | undefined,
    endNode?: NodeDef,
    result?: unknown,
  ): void {
    for (const token of rt.state.tokens) this.cancelWait(token);
    rt.state = emptyState(rt.state.next);
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
      this.events.push({ ...this.base(rt), type: "instance.terminated", failure });
    }
    this.ended.push(recordOf(data));
  }

  private newToken(rt: Runtime, node: string, scope: number, payload: unknown): TokenState {
    const token: TokenState = { id: rt.state.next++, node, scope, payload };
    rt.state.tokens.push(token);
    return token;
  }

  private removeToken(rt: Runtime, token: TokenState): void {
    rt.state.tokens = rt.state.tokens.filter((candidate) => candidate !== token);
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

  private nodeEvent(
    rt: Runtime,
    type: "activity.started" | "activity.finished" | "event.reached" | "event.triggered",
    node: NodeDef,
    payload: unknown,
  ): void {
    const fields = {
      ...this.base(rt),
      flowNodeKey: node.key,
      flowNodeType: node.type,
      lane: node.lane,
      payload,
    };
    if (type === "activity.started" || type === "activity.finished") this.events.push({ ...fields, type });
    else this.events.push({ ...fields, type });
  }
}
