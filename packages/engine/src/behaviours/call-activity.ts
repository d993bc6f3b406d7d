import type { Behaviour } from "./behaviour.js";

// A call activity (BPMN 2.0.2 §10.3.3) starts an instance of the process it calls, in the caller's
// correlation, with the token's payload; the token waits for it (wait kind "call"). How the called instance
// ends comes back as a step of the caller (Step.returnToCaller): its result is the activity's output, a BPMN
// error it ends with is thrown at the activity, a failure fails the caller. Cancelling the activity (an
// interrupting boundary event, the caller's end) terminates the called instance with everything it waits for.

export const callActivity: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    ops.callProcess(rt, token, node);
  },
  resume(ops, rt, token, node) {
    ops.event(rt, "activity.finished", node, token.payload);
    ops.leave(rt, token, node);
  },
};
