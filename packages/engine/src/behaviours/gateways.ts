import type { NodeDef } from "../model.js";
import type { Runtime, TokenState } from "../runtime.js";
import type { Behaviour, StepOps } from "./behaviour.js";

/** Its conditions run as one script that yields the index of the first flow to take, or -1. */
export const exclusiveGateway: Behaviour = {
  enter(ops, rt, token, node) {
    if (node.chooser) ops.runScript(rt, token, node, node.chooser);
    else leaveBy(ops, rt, token, node, 0);
  },
  scripted(ops, rt, token, node, json) {
    leaveBy(ops, rt, token, node, Number(json));
  },
};

function leaveBy(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef, index: number): void {
  const flow = (index >= 0 ? node.choices?.[index] : undefined) ?? node.defaultFlow;
  if (!flow) ops.fail(node, "no condition of the exclusive gateway matched and it has no default flow");
  ops.leave(rt, token, node, [flow]);
}

export const parallelGateway: Behaviour = {
  enter(ops, rt, token, node) {
    if (node.incoming.length > 1 && !join(rt, token, node)) return;
    ops.leave(rt, token, node);
  },
};

/**
 * A token arrives at a parallel join and is held there. The join fires once a token is held on each incoming
 * flow (a second token on one flow is no substitute for a missing one), consuming one per flow, the oldest;
 * the arriving token, the last, continues with its payload (the others' stay visible in token.history).
 * Returns whether it fired.
 */
function join(rt: Runtime, token: TokenState, node: NodeDef): boolean {
  token.held = true;
  const taken: TokenState[] = [];
  for (const flow of node.incoming) {
    const candidate = flow === token.via ? token : heldAt(rt, node.key, token.scope, flow)[0];
    if (!candidate) return false;
    taken.push(candidate);
  }
  token.held = undefined;
  const consumed = new Set(taken.filter((other) => other !== token));
  rt.state.tokens = rt.state.tokens.filter((other) => !consumed.has(other));
  return true;
}

/** The tokens held at a join in a scope that came over one flow, oldest first. */
export function heldAt(rt: Runtime, key: string, scope: number, flow: string): TokenState[] {
  return rt.state.tokens.filter(
    (other) => other.held && other.node === key && other.scope === scope && other.via === flow,
  );
}
