import type { CompiledProcess, FlowDef, NodeDef } from "./model.js";
import { recordOf } from "./records.js";
import { ScriptRunError, type ScriptRunner } from "./scripts.js";
import type { InstanceData, Store } from "./store.js";
import {
  EngineError,
  type EngineEvent,
  type InstanceFailure,
  type InstanceRecord,
  type LaneName,
} from "./types.js";

// The token interpreter. A Step is one unit of work inside one database transaction: it loads the instances
// it touches from the store, moves their tokens until every token waits (or the instance ends), writes the
// waits and the instance state back, and collects the engine events to publish after commit. Nothing of an
// instance stays in memory after the step.

/** Where a waiting token waits: the id of its user task, event, timer or external task row. */
interface WaitRef {
  kind: "task" | "event" | "timer" | "external";
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
}

/** A running sub-process: `token` is the parent-scope token that waits at the sub-process node. */
interface ScopeState {
  id: number;
  node: string;
  parent: number;
  token: number;
}

/** The serialized state of a running instance (the `runtime` column). */
interface RuntimeState {
  next: number;
  tokens: TokenState[];
  scopes: ScopeState[];
  /** Tokens waiting at a parallel join, by "<scope>:<gateway key>", then by the incoming flow they took. */
  joins: Record<string, Record<string, number>>;
  /** token.history: the payload as it left each flow node. */
  history: Record<string, unknown>;
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
  /** External tasks created in this step, to wake long-polling workers after commit. */
  readonly externalTasksCreated: { topic: string; lane: LaneName }[] = [];
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
      state: { next: 1, tokens: [], scopes: [], joins: {}, history: {} },
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

  /** The holder's result becomes the token payload (null too: any JSON value). */
  finishExternalTask(workerId: string, externalTaskId: string, result: unknown): InstanceRecord {
    const row = this.takeHeldExternalTask(workerId, externalTaskId);
    return this.resumeWaiting(row.instanceId, externalTaskId, result);
  }

  /**
   * A worker's BPMN error. Error boundary events do not exist yet (models with them are refused at load), so no
   * handler can match and the instance fails, as BPMN 2.0.2 has it for an uncaught error.
   */
  externalTaskBpmnError(
    workerId: string,
    externalTaskId: string,
    errorCode: string,
    errorMessage: string | undefined,
  ): InstanceRecord {
    const row = this.takeHeldExternalTask(workerId, externalTaskId);
    const message = `BPMN error "${errorCode}" not caught${errorMessage ? `: ${errorMessage}` : ""}`;
    return this.failWaiting(row.instanceId, externalTaskId, { kind: "error", message, errorCode });
  }

  /** A worker's service error fails the instance regardless of boundary events (SPEC §13). */
  externalTaskServiceError(
    workerId: string,
    externalTaskId: string,
    errorMessage: string,
    errorDetails: unknown,
    errorCode: string | undefined,
  ): InstanceRecord {
    const row = this.takeHeldExternalTask(workerId, externalTaskId);
    const failure: Pick<InstanceFailure, "kind" | "message" | "errorCode" | "errorDetails"> = {
      kind: "failure",
      message: errorMessage,
    };
    if (errorCode !== undefined) failure.errorCode = errorCode;
    if (errorDetails !== undefined) failure.errorDetails = errorDetails;
    return this.failWaiting(row.instanceId, externalTaskId, failure);
  }

  /** Only the holder (the last locker) takes the task: the conditional delete is the exactly-once guard. */
  private takeHeldExternalTask(workerId: string, externalTaskId: string) {
    const { store } = this.env;
    const row = store.takeExternalTask(externalTaskId, workerId);
    if (row) return row;
    if (store.getExternalTask(externalTaskId)) {
      throw new EngineError("locked", `external task ${externalTaskId} is held by another worker`);
    }
    throw new EngineError("not_waiting", `external task ${externalTaskId} does not wait`);
  }

  private waitingToken(instanceId: string, waitId: string): { rt: Runtime; token: TokenState } {
    const rt = this.load(instanceId);
    const token = rt.state.tokens.find((candidate) => candidate.wait?.id === waitId);
    if (rt.data.state !== "running" || !token) {
      throw new EngineError("not_waiting", `${waitId} does not wait in instance ${instanceId}`);
    }
    return { rt, token };
  }

  private resumeWaiting(instanceId: string, waitId: string, payload: unknown): InstanceRecord {
    const { rt, token } = this.waitingToken(instanceId, waitId);
    this.resume(rt, token, payload);
    return this.complete(rt);
  }

  private failWaiting(
    instanceId: string,
    waitId: string,
    failure: Pick<InstanceFailure, "kind" | "message" | "errorCode" | "errorDetails">,
  ): InstanceRecord {
    const { rt, token } = this.waitingToken(instanceId, waitId);
    token.wait = undefined;
    const node = this.node(rt, token.node);
    this.end(rt, "failed", { ...failure, flowNodeKey: node.key, lane: node.lane });
    return this.complete(rt);
  }

  /** Delivers the signals thrown during the step, then writes every touched instance. */
  private complete(rt: Runtime): InstanceRecord {
    for (let id = this.signalDeliveries.shift(); id !== undefined; id = this.signalDeliveries.shift()) {
      this.deliverSignal(id);
    }
    for (const touched of this.touched.values()) {
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
    const state: RuntimeState = data.runtime
      ? (JSON.parse(data.runtime) as RuntimeState)
      : { next: 1, tokens: [], scopes: [], joins: {}, history: {} };
    const rt: Runtime = { data, model, state, isNew: false, nodesEntered: 0 };
    this.touched.set(instanceId, rt);
    return rt;
  }

  /** A waiting token moves on; `payload` undefined keeps the token's payload. */
  private resume(rt: Runtime, token: TokenState, payload: unknown): void {
    token.wait = undefined;
    if (payload !== undefined) token.payload = payload;
    const node = this.node(rt, token.node);
    const isActivity =
      node.kind === "userTask" || node.kind === "receiveTask" || node.kind === "externalTask";
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
        if (node.incomingCount > 1) {
          // Join rule: the token that arrives last continues, with its payload; the other branches' payloads
          // stay visible in token.history.
          // It fires once a token waits on every incoming flow (a second token on one flow is no substitute
          // for a missing one), consuming one token per flow.
          const joinKey = `${token.scope}:${node.key}`;
          const waiting = rt.state.joins[joinKey] ?? {};
          const via = token.via ?? "";
          waiting[via] = (waiting[via] ?? 0) + 1;
          if (Object.keys(waiting).length < node.incomingCount) {
            rt.state.joins[joinKey] = waiting;
            this.removeToken(rt, token);
            return;
          }
          for (const flow of Object.keys(waiting)) {
            const left = (waiting[flow] ?? 1) - 1;
            if (left === 0) delete waiting[flow];
            else waiting[flow] = left;
          }
          if (Object.keys(waiting).length === 0) delete rt.state.joins[joinKey];
          else rt.state.joins[joinKey] = waiting;
        }
        this.leave(rt, token, node, node.outgoing, queue);
        return;
      case "userTask": {
        this.nodeEvent(rt, "activity.started", node, token.payload);
        const id = this.env.newId();
        store.insertUserTask({ ...this.waitRow(rt, node, id), payload: token.payload });
        token.wait = { kind: "task", id };
        return;
      }
      case "externalTask": {
        this.nodeEvent(rt, "activity.started", node, token.payload);
        const id = this.env.newId();
        const topic = node.topic as string;
        store.insertExternalTask({ ...this.waitRow(rt, node, id), topic, payload: token.payload });
        this.externalTasksCreated.push({ topic, lane: node.lane });
        token.wait = { kind: "external", id };
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
    for (const joinKey of Object.keys(rt.state.joins)) {
      if (doomed.has(Number(joinKey.slice(0, joinKey.indexOf(":"))))) delete rt.state.joins[joinKey];
    }
  }

  private cancelWait(token: TokenState): void {
    const { store } = this.env;
    if (token.wait?.kind === "task") store.takeUserTask(token.wait.id);
    else if (token.wait?.kind === "event") store.takeEvent(token.wait.id);
    else if (token.wait?.kind === "timer") store.takeTimer(token.wait.id);
    else if (token.wait?.kind === "external") store.takeExternalTask(token.wait.id);
  }

  private end(
    rt: Runtime,
    state: "finished" | "terminated" | "failed",
    failure: InstanceFailure | undefined,
    endNode?: NodeDef,
    result?: unknown,
  ): void {
    for (const token of rt.state.tokens) this.cancelWait(token);
    rt.state = { next: rt.state.next, tokens: [], scopes: [], joins: {}, history: {} };
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
