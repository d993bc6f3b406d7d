import type { Behaviour } from "./behaviour.js";

// Intermediate catch events: reached, they wait (a waiting-event row, a timer row, a condition); triggered,
// they pass.

const triggered: Behaviour["resume"] = (ops, rt, token, node) => {
  ops.event(rt, "event.triggered", node, token.payload);
  ops.leave(rt, token, node);
};

/** Message and signal intermediate catch events. */
export const eventCatch: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.waitForEvent(rt, token, node);
  },
  resume: triggered,
};

export const timerCatch: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.waitForTimer(rt, token, node);
  },
  resume: triggered,
};

/**
 * A conditional catch event waits until its condition holds: checked at the end of the step that brought the
 * token (true then, it occurs at once) and of every later step of the instance (interpreter: conditions).
 */
export const conditionalCatch: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    token.wait = { kind: "condition", id: node.key };
  },
  resume: triggered,
};
