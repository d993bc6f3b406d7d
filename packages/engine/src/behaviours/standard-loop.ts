import type { LoopDef, NodeDef } from "../model.js";
import type { LoopState, Runtime, ScopeState, TokenState } from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";
import { bodyOf, finishLoop, loopScopeOf, scopeById, startIteration } from "./loop-scope.js";

// Standard loops (BPMN 2.0.2 §13.3.6): the activity runs again while its loopCondition holds, at most
// loopMaximum times. testBefore: the condition is checked before each iteration (a while loop; it may run
// none); otherwise after each (a do-while loop; it runs at least once). Each iteration continues with the
// previous one's result, and the activity's output is the last iteration's result. The condition sees the
// payload so far and `token.loop.counter`, the number of completed iterations.

type StandardLoopDef = Extract<LoopDef, { kind: "standard" }>;

export const standardLoop: Behaviour = {
  enter(ops, rt, token, node) {
    const scope = scopeById(rt, ops.openScope(rt, token, node)) as ScopeState & { loop: LoopState };
    scope.loop = { started: 0, completed: 0, payload: token.payload };
    next(ops, rt, scope, node);
  },
  scripted(ops, rt, token, node, json) {
    const scope = loopScopeOf(rt, token) as ScopeState & { loop: LoopState };
    if (json === "true") startIteration(ops, rt, scope, node, scope.loop.payload);
    else finishLoop(ops, rt, scope, node, scope.loop.payload);
  },
  iterationEnded(ops, rt, token, node) {
    const scope = scopeById(rt, token.scope) as ScopeState & { loop: LoopState };
    scope.loop.payload = token.payload;
    scope.loop.completed++;
    ops.removeToken(rt, token);
    next(ops, rt, scope, node);
  },
};

function next(ops: StepOps, rt: Runtime, scope: ScopeState & { loop: LoopState }, node: NodeDef): void {
  const loop = node.loop as StandardLoopDef;
  const state = scope.loop;
  if (loop.maximum !== undefined && state.completed >= loop.maximum) {
    finishLoop(ops, rt, scope, node, state.payload);
    return;
  }
  if (loop.condition && (state.completed > 0 || loop.testBefore)) {
    const body: TokenState = bodyOf(rt, scope);
    body.payload = state.payload;
    ops.runScript(rt, body, node, node.loopScript as NonNullable<NodeDef["loopScript"]>, "condition");
    return;
  }
  startIteration(ops, rt, scope, node, state.payload);
}
