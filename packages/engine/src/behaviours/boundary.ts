import type { NodeDef } from "../model.js";
import type { Runtime, Subscription, TokenState } from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";
import { armTrigger, rearm } from "./triggers.js";

// Boundary events (BPMN 2.0.2 §10.5.4). While a token waits at an activity, each of its message, signal,
// timer and conditional boundary events is armed (triggers.ts): a row of its own, listed and triggerable like
// any waiting event (a condition has none: it is checked at the end of each step). Triggered,
// an interrupting one (cancelActivity, the default) cancels the activity atomically and its token continues
// from the boundary event; a non-interrupting one starts a new token there and stays armed (Camunda 7: a
// non-interrupting message or signal boundary event fires each time, a timer once per occurrence). Error boundary events
// have no row: a thrown error finds them (errors.ts).

/** No token ever flows into a boundary event; triggered, it passes. */
export const boundaryEvent: Behaviour = {
  enter(ops, _rt, _token, node) {
    ops.fail(node, "a boundary event has no incoming sequence flow");
  },
};

/** Arms the activity's boundary events for the token that waits there. */
export function armBoundaries(ops: StepOps, rt: Runtime, token: TokenState, activity: NodeDef): void {
  for (const key of activity.boundaries ?? []) {
    armTrigger(ops, rt, rt.model.nodes.get(key) as NodeDef, { token: token.id });
  }
}

/** Withdraws every boundary event armed for the token. */
export function disarmBoundaries(ops: StepOps, rt: Runtime, token: TokenState): void {
  const { subscriptions } = rt.state;
  if (subscriptions.length === 0) return;
  for (const subscription of subscriptions)
    if (subscription.token === token.id) ops.withdraw(subscription.wait);
  rt.state.subscriptions = subscriptions.filter((subscription) => subscription.token !== token.id);
}

/** The row of an armed boundary event was triggered (its row is already taken). */
export function triggerBoundary(
  ops: StepOps,
  rt: Runtime,
  subscription: Subscription,
  payload: unknown,
): void {
  rt.state.subscriptions = rt.state.subscriptions.filter((candidate) => candidate !== subscription);
  const token = rt.state.tokens.find((candidate) => candidate.id === subscription.token) as TokenState;
  const boundary = rt.model.nodes.get(subscription.node) as NodeDef;
  leaveBoundary(ops, rt, token, boundary, payload);
  if (boundary.cancelActivity || rt.data.state !== "running") return;
  rearm(ops, rt, subscription, boundary);
}

/**
 * The boundary event occurs for the activity token: interrupting, the activity is cancelled and its token
 * continues from the boundary event; non-interrupting, a new token does.
 */
export function leaveBoundary(
  ops: StepOps,
  rt: Runtime,
  token: TokenState,
  boundary: NodeDef,
  payload: unknown,
): void {
  let next = token;
  if (boundary.cancelActivity) {
    ops.cancelActivity(rt, token);
    token.node = boundary.key;
  } else {
    next = ops.newToken(rt, boundary.key, token.scope, token.payload);
  }
  if (payload !== undefined) next.payload = payload;
  ops.event(rt, "event.triggered", boundary, next.payload);
  ops.leave(rt, next, boundary);
}
