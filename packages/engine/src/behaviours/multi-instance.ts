import type { LoopDef, NodeDef } from "../model.js";
import {
  iterationPayload,
  type LoopState,
  type Runtime,
  type ScopeState,
  type TokenState,
} from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";
import { finishLoop, scopeById, startIteration } from "./loop-scope.js";

// Multi-instance activities (BPMN 2.0.2 §13.3.7). The count comes from loopCardinality or from the length of
// camunda:collection; parallel, every iteration starts at once, sequential, one after the other. Each
// iteration starts with the payload the activity was entered with (with camunda:elementVariable, an object
// payload carrying its element under that name; Camunda's local variable). After each completed iteration the
// completionCondition, if any, runs on that iteration's result; true ends the activity, cancelling the
// iterations still running. The activity's output is the array of the completed iterations' results in
// iteration order.

type MultiInstanceDef = Extract<LoopDef, { kind: "multiInstance" }>;

export const multiInstance: Behaviour = {
  enter(ops, rt, token, node) {
    ops.runScript(rt, token, node, node.loopScript as NonNullable<NodeDef["loopScript"]>, "count");
  },
  scripted(ops, rt, token, node, json) {
    if (token.iteration !== undefined) {
      completionEvaluated(ops, rt, token, node, json === "true");
      return;
    }
    begin(ops, rt, token, node, json === undefined ? undefined : JSON.parse(json));
  },
  iterationEnded(ops, rt, token, node) {
    const scope = scopeById(rt, token.scope) as ScopeState & { loop: LoopState };
    scope.loop.results?.push([token.iteration as number, token.payload]);
    scope.loop.completed++;
    if ((node.loop as MultiInstanceDef).completionCondition) {
      token.completing = true;
      ops.runScript(rt, token, node, node.loopScript as NonNullable<NodeDef["loopScript"]>, "completion");
      return;
    }
    ops.removeToken(rt, token);
    proceed(ops, rt, scope, node);
  },
};

function begin(ops: StepOps, rt: Runtime, body: TokenState, node: NodeDef, value: unknown): void {
  const loop = node.loop as MultiInstanceDef;
  const state: LoopState = { started: 0, completed: 0, results: [], payload: body.payload };
  if (loop.elementVariable !== undefined) state.elementVariable = loop.elementVariable;
  if (loop.collection) {
    if (!Array.isArray(value))
      ops.fail(node, `camunda:collection is not an array (it is ${JSON.stringify(value) ?? "undefined"})`);
    state.collection = value;
    state.count = value.length;
  } else {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
      ops.fail(
        node,
        `loopCardinality is not a whole number ≥ 0 (it is ${JSON.stringify(value) ?? "undefined"})`,
      );
    state.count = value;
  }
  const scope = scopeById(rt, ops.openScope(rt, body, node)) as ScopeState & { loop: LoopState };
  scope.loop = state;
  if (state.count === 0) {
    finishLoop(ops, rt, scope, node, []);
    return;
  }
  const parallel = loop.sequential ? 1 : (state.count as number);
  for (let i = 0; i < parallel; i++)
    startIteration(ops, rt, scope, node, iterationPayload(state, state.started));
}

function completionEvaluated(
  ops: StepOps,
  rt: Runtime,
  token: TokenState,
  node: NodeDef,
  done: boolean,
): void {
  const scope = scopeById(rt, token.scope) as ScopeState & { loop: LoopState };
  ops.removeToken(rt, token);
  if (done) finish(ops, rt, scope, node);
  else proceed(ops, rt, scope, node);
}

function proceed(ops: StepOps, rt: Runtime, scope: ScopeState & { loop: LoopState }, node: NodeDef): void {
  const state = scope.loop;
  if (state.completed >= (state.count as number)) finish(ops, rt, scope, node);
  else if ((node.loop as MultiInstanceDef).sequential && state.started === state.completed)
    startIteration(ops, rt, scope, node, iterationPayload(state, state.started));
}

function finish(ops: StepOps, rt: Runtime, scope: ScopeState & { loop: LoopState }, node: NodeDef): void {
  const results = [...(scope.loop.results ?? [])].sort((a, b) => a[0] - b[0]).map(([, result]) => result);
  finishLoop(ops, rt, scope, node, results);
}
