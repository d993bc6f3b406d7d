import type { NodeDef } from "../model.js";
import type { Runtime, Subscription } from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";
import { catcherFor } from "./catchers.js";
import { armTrigger, rearm } from "./triggers.js";

// Event sub-processes (BPMN 2.0.2 §10.3.5). While a scope runs (the process, a sub-process, an event
// sub-process), the start event of each of its event sub-processes is armed as a subscription of the scope
// (triggers.ts): a message or signal row, a timer row, a condition. Errors and escalations thrown inside the
// scope find them instead (errors.ts, escalations.ts), before the boundary events of the scope's activity.
// Occurring, an interrupting one first cancels everything else in the scope — tokens, their waits and
// boundary events, nested scopes, the scope's other subscriptions — in the same step; a non-interrupting one
// stays armed and runs beside the rest, as often as it occurs. Either way it runs as a token at the event
// sub-process in that scope, with a scope of its own; the scope completes only when that token is done too.

/** Arms the event sub-processes of a scope that just opened; `payload`: what the scope was entered with. */
export function armEventSubProcesses(
  ops: StepOps,
  rt: Runtime,
  scope: number,
  keys: readonly string[] | undefined,
  payload: unknown,
): void {
  for (const key of keys ?? []) {
    const start = startOf(rt, rt.model.nodes.get(key) as NodeDef);
    armTrigger(ops, rt, start, { scope, payload });
  }
}

/** Withdraws the subscriptions of these scopes. */
export function disarmScopes(ops: StepOps, rt: Runtime, scopes: ReadonlySet<number>): void {
  const { subscriptions } = rt.state;
  if (subscriptions.length === 0) return;
  const doomed = (subscription: Subscription) =>
    subscription.scope !== undefined && scopes.has(subscription.scope);
  for (const subscription of subscriptions) if (doomed(subscription)) ops.withdraw(subscription.wait);
  rt.state.subscriptions = subscriptions.filter((subscription) => !doomed(subscription));
}

/** The start event of the scope's event sub-processes that catches an error or escalation with this code. */
export function catchingStart(
  rt: Runtime,
  scope: number,
  type: "error" | "escalation",
  code: string | undefined,
): NodeDef | undefined {
  const owner = scope === 0 ? undefined : rt.state.scopes.find((candidate) => candidate.id === scope);
  const keys = owner ? rt.model.nodes.get(owner.node)?.eventSubProcesses : rt.model.eventSubProcesses;
  const starts = (keys ?? []).map((key) => startOf(rt, rt.model.nodes.get(key) as NodeDef));
  return catcherFor(starts, type, code);
}

/** The event sub-process of `start` occurs in the scope: interrupting, the rest of the scope is cancelled. */
export function runEventSubProcess(
  ops: StepOps,
  rt: Runtime,
  scope: number,
  start: NodeDef,
  payload: unknown,
): void {
  if (start.cancelActivity) ops.cancelScope(rt, scope);
  const eventSubProcess = rt.model.nodes.get(start.owner as string) as NodeDef;
  const token = ops.newToken(rt, eventSubProcess.key, scope, payload);
  ops.event(rt, "activity.started", eventSubProcess, payload);
  const inner = ops.openScope(rt, token, eventSubProcess);
  const first = ops.newToken(rt, start.key, inner, payload);
  ops.event(rt, "event.triggered", start, payload);
  ops.leave(rt, first, start);
}

function startOf(rt: Runtime, eventSubProcess: NodeDef): NodeDef {
  return rt.model.nodes.get(eventSubProcess.eventStart as string) as NodeDef;
}

/** The start event of an event sub-process: no token flows into it; its subscription occurs. */
export const eventSubProcessStart: Behaviour = {
  enter(ops, _rt, _token, node) {
    ops.fail(node, "an event sub-process's start event has no incoming sequence flow");
  },
  triggered(ops, rt, subscription, payload) {
    rt.state.subscriptions = rt.state.subscriptions.filter((candidate) => candidate !== subscription);
    const start = rt.model.nodes.get(subscription.node) as NodeDef;
    const scope = subscription.scope as number;
    if (!start.cancelActivity) rearm(ops, rt, subscription, start);
    runEventSubProcess(ops, rt, scope, start, payload ?? subscription.payload);
  },
};

/** The token of a running event sub-process; when its scope completes, it is done (it has no outgoing flow). */
export const eventSubProcess: Behaviour = {
  enter(ops, _rt, _token, node) {
    ops.fail(node, "an event sub-process has no incoming sequence flow");
  },
  scopeEnded(ops, rt, scope, token, endNode, payload) {
    rt.state.scopes = rt.state.scopes.filter((candidate) => candidate !== scope);
    disarmScopes(ops, rt, new Set([scope.id]));
    const node = rt.model.nodes.get(scope.node) as NodeDef;
    ops.event(rt, "activity.finished", node, payload);
    ops.remember(rt, node, payload);
    ops.removeToken(rt, token);
    if (!rt.state.tokens.some((other) => other.scope === token.scope))
      ops.scopeEnded(rt, token.scope, endNode, payload);
    return true;
  },
};
