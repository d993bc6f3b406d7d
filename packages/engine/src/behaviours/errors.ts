import type { NodeDef } from "../model.js";
import type { Runtime, TokenState } from "../runtime.js";
import type { StepOps } from "./behaviour.js";
import { leaveBoundary } from "./boundary.js";

// A BPMN error (BPMN 2.0.2 §10.5.4) travels outwards from the scope it is thrown in: the innermost
// enclosing sub-process with a matching error boundary event catches it — one whose error has the same code
// (errorCode, else the error's id; Camunda 7 matches by code), or one without errorRef, which catches any.
// Caught, the sub-process is cancelled with everything inside, and its token continues from the boundary
// event with the thrower's payload. Uncaught, the error fails the instance.

/** Returns whether a boundary event caught the error. */
export function throwError(ops: StepOps, rt: Runtime, token: TokenState, code: string | undefined): boolean {
  for (let scopeId = token.scope; scopeId !== 0; ) {
    const scope = rt.state.scopes.find((candidate) => candidate.id === scopeId);
    if (!scope) return false;
    const activity = rt.model.nodes.get(scope.node) as NodeDef;
    const parent = rt.state.tokens.find((candidate) => candidate.id === scope.token) as TokenState;
    for (const key of activity.boundaries ?? []) {
      const boundary = rt.model.nodes.get(key) as NodeDef;
      const trigger = boundary.trigger;
      if (trigger?.type === "error" && (trigger.code === undefined || trigger.code === code)) {
        leaveBoundary(ops, rt, parent, boundary, token.payload);
        return true;
      }
    }
    scopeId = scope.parent;
  }
  return false;
}
