import type { NodeDef } from "../model.js";
import type { Runtime, TokenState } from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";
import { leaveBoundary } from "./boundary.js";
import { catcherFor } from "./catchers.js";
import { catchingStart, runEventSubProcess } from "./event-sub-processes.js";

// An escalation (BPMN 2.0.2 §10.5.4) travels outwards like an error: in each scope, innermost first, an
// escalation event sub-process of the scope, else an escalation boundary event of the scope's sub-process,
// matching (same escalationCode, else same id; none: any; one with the code before a catch-all, catchers.ts),
// catches it.
// Unlike an error, an uncaught escalation is no failure: the throw event simply passes (the end event just
// ends its token). An interrupting catcher cancels its sub-process, thrower included; a non-interrupting one
// starts a path from the boundary event and the thrower goes on.

/**
 * The catcher, innermost first: an event sub-process's start event in a scope, or a sub-process token and
 * its boundary event; undefined when nothing catches.
 */
function catcher(
  rt: Runtime,
  token: TokenState,
  code: string | undefined,
): { scope: number; start: NodeDef } | { parent: TokenState; boundary: NodeDef } | undefined {
  for (let scopeId = token.scope; ; ) {
    const start = catchingStart(rt, scopeId, "escalation", code);
    if (start) return { scope: scopeId, start };
    const scope = rt.state.scopes.find((candidate) => candidate.id === scopeId);
    if (scopeId === 0 || !scope) return undefined;
    const subProcess = rt.model.nodes.get(scope.node) as NodeDef;
    // An iterated sub-process's boundary events are its loop's, the next scope outwards.
    const iterated =
      rt.state.tokens.find((candidate) => candidate.id === scope.token)?.iteration !== undefined;
    const boundaries = (iterated ? [] : (subProcess.boundaries ?? [])).map(
      (key) => rt.model.nodes.get(key) as NodeDef,
    );
    const boundary = catcherFor(boundaries, "escalation", code);
    if (boundary) {
      const parent = rt.state.tokens.find((candidate) => candidate.id === scope.token) as TokenState;
      return { parent, boundary };
    }
    scopeId = scope.parent;
  }
}

/** Returns whether the thrower was cancelled with its sub-process (an interrupting catcher). */
function escalate(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef, payload: unknown): boolean {
  const caught = catcher(rt, token, node.escalationCode);
  if (!caught) return false;
  if ("start" in caught) {
    runEventSubProcess(ops, rt, caught.scope, caught.start, payload);
    return caught.start.cancelActivity === true;
  }
  leaveBoundary(ops, rt, caught.parent, caught.boundary, payload);
  return caught.boundary.cancelActivity === true;
}

export const escalationThrowEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    if (escalate(ops, rt, token, node, token.payload)) return;
    ops.leave(rt, token, node);
  },
};

export const escalationEndEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.remember(rt, node, token.payload);
    const { scope } = token;
    ops.removeToken(rt, token);
    if (escalate(ops, rt, token, node, token.payload)) return;
    if (!rt.state.tokens.some((other) => other.scope === scope))
      ops.scopeEnded(rt, scope, node, token.payload);
  },
};
