import type { NodeDef } from "../model.js";
import type { TokenState } from "../runtime.js";
import { firstOccurrence, type TimerDef } from "../timer-definitions.js";
import type { Behaviour } from "./behaviour.js";
import { behaviours } from "./index.js";

// The (exclusive) event-based gateway (BPMN 2.0.2 §13.4.3): its token waits for every target at once — a
// row per message, signal or receive-task target (listed by §4.4 under the target's key, triggerable by
// §4.5), a timer per timer target. The first to occur wins: the others are withdrawn in the same step and
// the token continues at the winner as if it had waited there.

export const eventGateway: Behaviour = {
  enter(ops, rt, token, node) {
    for (const flow of node.outgoing) {
      const target = rt.model.nodes.get(flow.target) as NodeDef;
      if (target.kind === "timerCatch") {
        const first = firstOccurrence(target.timer as TimerDef, ops.nowMs);
        if (first) {
          const wait = ops.subscribeTimer(rt, target, first.dueAt);
          rt.state.subscriptions.push({ wait, node: target.key, token: token.id });
        }
      } else {
        rt.state.subscriptions.push({
          wait: ops.subscribeEvent(rt, target),
          node: target.key,
          token: token.id,
        });
      }
    }
  },
  triggered(ops, rt, subscription, payload) {
    const token = rt.state.tokens.find((candidate) => candidate.id === subscription.token) as TokenState;
    const gateway = rt.model.nodes.get(token.node) as NodeDef;
    const target = rt.model.nodes.get(subscription.node) as NodeDef;
    for (const other of rt.state.subscriptions) {
      if (other.token === token.id && other !== subscription) ops.withdraw(other.wait);
    }
    rt.state.subscriptions = rt.state.subscriptions.filter((other) => other.token !== token.id);
    ops.remember(rt, gateway, token.payload);
    const flow = gateway.outgoing.find((candidate) => candidate.target === target.key);
    token.node = target.key;
    if (flow) token.via = flow.id;
    if (payload !== undefined) token.payload = payload;
    if (target.kind === "receiveTask") ops.event(rt, "activity.started", target, token.payload);
    else ops.event(rt, "event.reached", target, token.payload);
    behaviours[target.kind].resume?.(ops, rt, token, target);
  },
};
