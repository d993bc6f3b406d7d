import type { NodeDef } from "../model.js";
import type { Runtime, Subscription } from "../runtime.js";
import { firstOccurrence, nextOccurrence, type Occurrence } from "../timer-definitions.js";
import type { StepOps } from "./behaviour.js";

// Arming what a boundary event or an event sub-process's start event waits for: a waiting-event row for a
// message or signal, a timer row for a timer, and for a condition no row at all (the step checks it at its
// end). `holder` says whose it is: an activity's token, or a scope.

export type Holder = Pick<Subscription, "token" | "scope" | "payload">;

export function armTrigger(ops: StepOps, rt: Runtime, node: NodeDef, holder: Holder): void {
  const trigger = node.trigger;
  if (trigger?.type === "message" || trigger?.type === "signal") {
    rt.state.subscriptions.push({ ...holder, wait: ops.subscribeEvent(rt, node), node: node.key });
  } else if (trigger?.type === "timer") {
    armTimer(ops, rt, node, holder, firstOccurrence(trigger.timer, ops.nowMs));
  } else if (trigger?.type === "conditional") {
    // Not yet checked: a condition that already holds when it is armed occurs at the step's end.
    rt.state.subscriptions.push({
      ...holder,
      wait: { kind: "condition", id: node.key },
      node: node.key,
      held: false,
    });
  }
}

function armTimer(
  ops: StepOps,
  rt: Runtime,
  node: NodeDef,
  holder: Holder,
  occurrence: Occurrence | undefined,
): void {
  if (!occurrence) return;
  rt.state.subscriptions.push({
    ...holder,
    wait: ops.subscribeTimer(rt, node, occurrence.dueAt),
    node: node.key,
    occurrence,
  });
}

/**
 * A non-interrupting trigger occurred (its subscription already removed) and listens on while its holder runs:
 * a message or signal for its next occurrence, a timeCycle for its next due time (a duration or date fires
 * once), a condition for its next change from false to true.
 */
export function rearm(ops: StepOps, rt: Runtime, fired: Subscription, node: NodeDef): void {
  const holder: Holder =
    fired.token === undefined ? { scope: fired.scope, payload: fired.payload } : { token: fired.token };
  const trigger = node.trigger;
  if (trigger?.type === "timer") {
    if (fired.occurrence)
      armTimer(ops, rt, node, holder, nextOccurrence(trigger.timer, fired.occurrence, ops.upSinceMs));
  } else if (trigger?.type === "conditional") {
    rt.state.subscriptions.push({ ...fired, held: true });
  } else {
    armTrigger(ops, rt, node, holder);
  }
}
