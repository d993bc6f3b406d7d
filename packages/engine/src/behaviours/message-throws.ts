import type { Behaviour } from "./behaviour.js";
import { noneEndEvent } from "./events.js";

// What sends a message (BPMN 2.0.2 §10.5.3, §10.3.3): a message intermediate throw event, a message end
// event, a send task. The message goes by name to its receivers within the instance's correlation, as a
// §11 trigger with that correlation id would: the catch events, receive tasks, boundary events and event
// sub-processes waiting for it there, and a new instance in the correlation for every message start event
// of that name. It carries the sender's token payload. Delivered in the sending step (StepOps.sendMessage).

export const messageThrowEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.sendMessage(rt, token, node.eventName ?? node.key);
    ops.leave(rt, token, node);
  },
};

/** Sends its message, then ends its token like a none end event. */
export const messageEndEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.sendMessage(rt, token, node.eventName ?? node.key);
    noneEndEvent.enter(ops, rt, token, node);
  },
};

/** A send task not done by a worker: started, its message sent, finished. */
export const sendTask: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    ops.sendMessage(rt, token, node.eventName ?? node.key);
    ops.event(rt, "activity.finished", node, token.payload);
    ops.leave(rt, token, node);
  },
};
