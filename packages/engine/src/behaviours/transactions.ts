import type { ScopeState } from "../runtime.js";
import type { Behaviour } from "./behaviour.js";
import { startCompensation, takeCompensations } from "./compensation.js";

// Transactions (BPMN 2.0.2 §10.3.3 "Transaction"). A cancel end event inside a transaction cancels it: every
// token still running inside is withdrawn at once, the activities completed inside are compensated (newest
// first, one handler after the other, compensation.ts), and then the transaction's token leaves through its
// cancel boundary event with the cancel end event's payload. The loader makes sure a cancel end event lies
// directly in a transaction that has a cancel boundary event.

export const cancelEndEvent: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "event.reached", node, token.payload);
    ops.remember(rt, node, token.payload);
    const scope = rt.state.scopes.find((candidate) => candidate.id === token.scope) as ScopeState;
    const handlers = takeCompensations(rt, scope.id);
    ops.cancelScope(rt, scope.id);
    startCompensation(ops, rt, scope, { handlers, after: "cancel", payload: token.payload });
  },
};
