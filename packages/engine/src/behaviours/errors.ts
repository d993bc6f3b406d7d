import type { NodeDef } from "../model.js";
import type { Runtime, TokenState } from "../runtime.js";
import type { StepOps } from "./behaviour.js";
import { leaveBoundary } from "./boundary.js";
import { catcherFor } from "./catchers.js";
import { catchingStart, runEventSubProcess } from "./event-sub-processes.js";

// A BPMN error (BPMN 2.0.2 §10.5.4) travels outwards from the scope it is thrown in. In each scope, innermost
// first, an error event sub-process of the scope catches it, else an error boundary event of the scope's
// sub-process — one whose error has the same code (errorCode, else the error's id; Camunda 7 matches by
// code), or one without errorRef, which catches any; one with the code before a catch-all (catchers.ts).
// Caught by an event sub-process, everything else in its scope is cancelled and it runs there; caught by a boundary event, the sub-process is cancelled with
// everything inside, and its token continues from the boundary event. Either way with the thrower's payload.
// Uncaught, the error fails the instance.

/**
 * Returns whether a boundary event caught the error. `activity`: the error comes from the activity the token
 * is at (a script's BpmnError), whose own error boundary events are the innermost.
 */
export function throwError(
  ops: StepOps,
  rt: Runtime,
  token: TokenState,
  code: string | undefined,
  activity?: NodeDef,
): boolean {
  // A loop's iteration has no boundary events of its own: the loop's scope, next outwards, has the activity's.
  const own = activity && token.iteration === undefined;
  if (own && catchAt(ops, rt, activity, token, token, code)) return true;
  for (let scopeId = token.scope; ; ) {
    const start = catchingStart(rt, scopeId, "error", code);
    if (start) {
      runEventSubProcess(ops, rt, scopeId, start, token.payload);
      return true;
    }
    const scope = rt.state.scopes.find((candidate) => candidate.id === scopeId);
    if (scopeId === 0 || !scope) return false;
    const subProcess = rt.model.nodes.get(scope.node) as NodeDef;
    const parent = rt.state.tokens.find((candidate) => candidate.id === scope.token) as TokenState;
    if (parent.iteration === undefined && catchAt(ops, rt, subProcess, parent, token, code)) return true;
    scopeId = scope.parent;
  }
}

/** The activity's error boundary event that catches the error (catchers.ts) takes it for its token. */
function catchAt(
  ops: StepOps,
  rt: Runtime,
  activity: NodeDef,
  activityToken: TokenState,
  thrower: TokenState,
  code: string | undefined,
): boolean {
  const boundaries = (activity.boundaries ?? []).map((key) => rt.model.nodes.get(key) as NodeDef);
  const boundary = catcherFor(boundaries, "error", code);
  if (!boundary) return false;
  leaveBoundary(ops, rt, activityToken, boundary, thrower.payload);
  return true;
}
