import type { NodeDef } from "../model.js";
import type { Runtime, TokenState } from "../runtime.js";

// BPMN 2.0.2 §13.3.2: an activity with startQuantity n starts once n tokens have arrived (over any of its
// incoming flows; each start consumes n), and on completion sends completionQuantity tokens over each outgoing
// flow. A token that arrives short of the quantity is held at the activity, like a token at a join.

/** Whether the arriving token starts the activity; if not, it is held until enough have arrived. */
export function gathered(rt: Runtime, token: TokenState, node: NodeDef): boolean {
  const needed = node.startQuantity ?? 1;
  if (needed <= 1) return true;
  const others = rt.state.tokens.filter(
    (other) => other !== token && other.held && other.node === node.key && other.scope === token.scope,
  );
  if (others.length + 1 < needed) {
    token.held = true;
    return false;
  }
  token.held = undefined;
  const consumed = new Set(others.slice(0, needed - 1));
  rt.state.tokens = rt.state.tokens.filter((other) => !consumed.has(other));
  return true;
}
