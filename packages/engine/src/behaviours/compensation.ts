import type { NodeDef } from "../model.js";
import type { CompensationRun, CompletedActivity, Runtime, ScopeState, TokenState } from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";
import { leaveBoundary } from "./boundary.js";

// Compensation (BPMN 2.0.2 §10.5.5, §13.5.5). An activity with a compensation boundary event has a handler:
// the isForCompensation activity associated with that event. Each time such an activity completes, the
// instance keeps the completion with its payload (`completed`, in the stored runtime, so it is as durable as
// the instance). A sub-process with compensable activities inside keeps its completion too: without a handler
// of its own, compensating it compensates them. A compensation throw or end event compensates its activityRef
// (every completed instance of it) or, without one, every completed activity of its scope; newest completion
// first, one handler after the other, each a token in a scope of the throw event's that starts with the
// compensated activity's payload. A completion is compensated once. The throw event's token waits for the
// last handler (waitForCompletion="false" is refused at load: the instance could then end at no end event
// while handlers still run). A cancel end event (transactions.ts) compensates its transaction.

/** Keeps the completion of a compensable activity (called as its token leaves it). */
export function rememberCompletion(rt: Runtime, token: TokenState, node: NodeDef): void {
  const inner = rt.state.scopes.find((scope) => scope.token === token.id && scope.node === node.key)?.id;
  const completed = rt.state.completed ?? [];
  const hasInner = inner !== undefined && completed.some((entry) => entry.scope === inner);
  if (node.compensationHandler === undefined && !hasInner) return;
  const entry: CompletedActivity = { node: node.key, scope: token.scope, seq: rt.state.next++ };
  if (token.payload !== undefined) entry.payload = token.payload;
  if (hasInner) entry.inner = inner;
  rt.state.completed = [...completed, entry];
  forgetUnreachable(rt);
}

/**
 * Takes the completions of a scope (only those of `activity` when given), newest first, and turns them into
 * handler calls: an activity's own handler, else, for a sub-process, its inner completions in turn.
 */
export function takeCompensations(
  rt: Runtime,
  scope: number,
  activity?: string,
): CompensationRun["handlers"] {
  const completed = rt.state.completed ?? [];
  const taken = completed
    .filter((entry) => entry.scope === scope && (activity === undefined || entry.node === activity))
    .sort((a, b) => b.seq - a.seq);
  if (taken.length === 0) return [];
  rt.state.completed = completed.filter((entry) => !taken.includes(entry));
  const handlers: CompensationRun["handlers"] = [];
  for (const entry of taken) {
    const handler = rt.model.nodes.get(entry.node)?.compensationHandler;
    if (handler !== undefined) handlers.push({ node: handler, payload: entry.payload });
    else if (entry.inner !== undefined) handlers.push(...takeCompensations(rt, entry.inner));
  }
  forgetUnreachable(rt);
  return handlers;
}

/**
 * Drops completions nothing can compensate any more: those of a scope that was cancelled before it completed,
 * or of a sub-process whose own handler ran (or that was compensated), so that the stored state does not grow.
 */
function forgetUnreachable(rt: Runtime): void {
  const completed = rt.state.completed;
  if (!completed) return;
  const live = new Set<number>([0, ...rt.state.scopes.map((scope) => scope.id)]);
  const kept = new Set<CompletedActivity>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of completed) {
      if (kept.has(entry) || !live.has(entry.scope)) continue;
      kept.add(entry);
      if (entry.inner !== undefined) live.add(entry.inner);
      grew = true;
    }
  }
  rt.state.completed = kept.size === 0 ? undefined : completed.filter((entry) => kept.has(entry));
}

/** Runs `run` in `scope`: its first handler now, the next each time the scope empties (continueCompensation). */
export function startCompensation(ops: StepOps, rt: Runtime, scope: ScopeState, run: CompensationRun): void {
  scope.compensation = run;
  nextHandler(ops, rt, scope);
}

/**
 * A scope with compensation in progress has no token left: the next handler starts, or, after the last, its
 * token goes on as `after` says. Returns false for a scope without compensation (it ends as usual).
 */
export function continueCompensation(
  ops: StepOps,
  rt: Runtime,
  scope: ScopeState,
  holder: TokenState,
): boolean {
  if (!scope.compensation) return false;
  nextHandler(ops, rt, scope, holder);
  return true;
}

function nextHandler(ops: StepOps, rt: Runtime, scope: ScopeState, holder?: TokenState): void {
  const run = scope.compensation as CompensationRun;
  const handler = run.handlers.shift();
  if (handler) {
    rt.queue.push(ops.newToken(rt, handler.node, scope.id, handler.payload));
    return;
  }
  const token = holder ?? rt.state.tokens.find((candidate) => candidate.id === scope.token);
  rt.state.scopes = rt.state.scopes.filter((candidate) => candidate !== scope);
  if (!token) return;
  const node = rt.model.nodes.get(scope.node) as NodeDef;
  if (run.after === "continue") {
    ops.leave(rt, token, node);
  } else {
    const boundary = (node.boundaries ?? [])
      .map((key) => rt.model.nodes.get(key) as NodeDef)
      .find((candidate) => candidate.trigger?.type === "cancel") as NodeDef;
    leaveBoundary(ops, rt, token, boundary, run.payload);
  }
}

/** A compensation intermediate throw event (passes once compensated) or end event (then ends its token). */
export const compensationThrowEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    const handlers = takeCompensations(rt, token.scope, node.compensateActivity);
    if (handlers.length === 0) {
      ops.leave(rt, token, node);
      return;
    }
    const scopeId = ops.openScope(rt, token, node);
    const scope = rt.state.scopes.find((candidate) => candidate.id === scopeId) as ScopeState;
    startCompensation(ops, rt, scope, { handlers, after: "continue" });
  },
  scopeEnded: continueCompensation,
};
