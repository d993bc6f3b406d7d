import type { NodeDef } from "../model.js";
import type { Runtime, TokenState } from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";

// The inclusive gateway (BPMN 2.0.2 §13.4.3). Fork: every outgoing flow whose condition holds (a flow
// without condition always does, Camunda 7), else the default flow; none and no default fails the instance.
// Join: an arriving token is held; the gateway fires when at least one incoming flow holds a token and no
// token of the scope that could still reach an empty incoming flow (without passing the gateway) could not
// also reach a filled one. It then takes one token from each filled flow, the oldest, and the last of them
// to arrive continues with its payload. That is the standard's rule, not Camunda 7's: Camunda fires on a
// count of arrivals (a second token on one flow counts as another flow) and never re-checks a waiting join
// when the token it waits for takes another turn (a boundary event, an error); here the rule is re-checked
// whenever the step's tokens come to rest (settle), so a token that moves away or vanishes frees the join.

export const inclusiveGateway: Behaviour = {
  enter(ops, rt, token, node) {
    if (node.incoming.length < 2) {
      fork(ops, rt, token, node);
      return;
    }
    token.held = true;
    token.arrival = rt.state.next++;
  },
  settle(ops, rt, token, node) {
    const next = fire(rt, node, token.scope);
    if (!next) return false;
    fork(ops, rt, next, node);
    return true;
  },
  scripted(ops, rt, token, node, json) {
    leaveBy(ops, rt, token, node, JSON.parse(json as string) as number[]);
  },
};

function fork(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef): void {
  if (node.chooser) ops.runScript(rt, token, node, node.chooser);
  else
    leaveBy(
      ops,
      rt,
      token,
      node,
      (node.choices ?? []).map((_, index) => index),
    );
}

function leaveBy(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef, indices: number[]): void {
  const flows = indices.map((index) => node.choices?.[index]).filter((flow) => flow !== undefined);
  if (flows.length === 0 && node.defaultFlow) flows.push(node.defaultFlow);
  if (flows.length === 0)
    ops.fail(node, "no condition of the inclusive gateway holds and it has no default flow");
  ops.leave(rt, token, node, flows);
}

/**
 * Fires the join in a scope when the standard allows: consumes one held token per filled incoming flow and
 * returns the one that continues, or undefined while a token elsewhere may still arrive on an empty flow.
 */
function fire(rt: Runtime, node: NodeDef, scope: number): TokenState | undefined {
  const held = rt.state.tokens.filter(
    (token) => token.held && token.node === node.key && token.scope === scope,
  );
  const filled = new Set(held.map((token) => token.via));
  for (const other of rt.state.tokens) {
    if (other.scope !== scope || (other.held && other.node === node.key)) continue;
    const reach = node.reach?.get(other.node);
    if (!reach) continue;
    let toEmpty = false;
    let toFilled = false;
    for (const flow of reach) {
      if (filled.has(flow)) toFilled = true;
      else toEmpty = true;
    }
    if (toEmpty && !toFilled) return undefined;
  }
  const taken = new Map<string | undefined, TokenState>();
  for (const token of held) {
    const first = taken.get(token.via);
    if (!first || (token.arrival ?? 0) < (first.arrival ?? 0)) taken.set(token.via, token);
  }
  const consumed = [...taken.values()];
  const last = consumed.reduce((a, b) => ((b.arrival ?? 0) > (a.arrival ?? 0) ? b : a));
  const gone = new Set(consumed.filter((token) => token !== last));
  rt.state.tokens = rt.state.tokens.filter((token) => !gone.has(token));
  last.held = undefined;
  last.arrival = undefined;
  return last;
}
