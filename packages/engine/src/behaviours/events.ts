import type { Behaviour } from "./behaviour.js";
import { throwError } from "./errors.js";

// Events a token passes or ends at: start, end (none / terminate / error), pass-through throw events and the
// signal throw event.

export const startEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.leave(rt, token, node);
  },
};

/** A none intermediate throw event: reached, and passed. */
export const passThroughEvent = startEvent;

export const signalThrowEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.throwSignal(rt, token, node, node.eventName ?? node.key);
    ops.leave(rt, token, node);
  },
};

export const noneEndEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.remember(rt, node, token.payload);
    ops.removeToken(rt, token);
    // A token held at a join counts: the scope ends only when none is left.
    if (!rt.state.tokens.some((other) => other.scope === token.scope)) {
      ops.scopeEnded(rt, token.scope, node, token.payload);
    }
  },
};

/** Throws its signal (like a signal throw event), then ends its token like a none end event. */
export const signalEndEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.throwSignal(rt, token, node, node.eventName ?? node.key);
    noneEndEvent.enter(ops, rt, token, node);
  },
};

/** A link throw event continues the token at its link catch event (BPMN 2.0.2 §10.5.6: a go-to). */
export const linkThrowEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.remember(rt, node, token.payload);
    token.node = node.linkTarget as string;
    token.via = undefined;
    rt.queue.push(token);
  },
};

export const terminateEndEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.remember(rt, node, token.payload);
    if (token.scope === 0) {
      ops.endInstance(
        rt,
        "terminated",
        { kind: "terminate", flowNodeKey: node.key, lane: node.lane, message: "terminate end event reached" },
        node,
        token.payload,
      );
      return;
    }
    // A terminate end event inside a sub-process ends only that sub-process.
    ops.cancelScope(rt, token.scope);
    ops.scopeEnded(rt, token.scope, node, token.payload);
  },
};

export const errorEndEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.remember(rt, node, token.payload);
    if (throwError(ops, rt, token, node.errorCode)) return;
    // The code travels on: a call activity waiting for this instance throws it in its caller.
    ops.endInstance(rt, "failed", {
      kind: "error",
      flowNodeKey: node.key,
      lane: node.lane,
      message: node.errorText ?? "error end event reached",
      ...(node.errorCode === undefined ? {} : { errorCode: node.errorCode }),
    });
  },
};
