import type { Behaviour } from "./behaviour.js";

// Intermediate catch events: reached, they wait (a waiting-event row or a timer row); triggered, they pass.

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
