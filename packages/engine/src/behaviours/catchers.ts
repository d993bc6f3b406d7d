import type { NodeDef } from "../model.js";

// Which of one scope's catchers an error or escalation goes to. BPMN 2.0.2 says only that a catcher with
// the thrown code and one without a code (any) both catch it; it does not say which of the two a scope
// holding both picks. Camunda 7 gives the one with the code precedence over the catch-all (its error event
// definitions' precedence), whatever the document order, and refuses two catchers of one code, or two
// catch-alls, in one scope at deployment (model-loader.ts checkCatchers does the same).

/** The catcher among `nodes` (boundary events, event sub-process start events) of this type and code. */
export function catcherFor(
  nodes: Iterable<NodeDef>,
  type: "error" | "escalation",
  code: string | undefined,
): NodeDef | undefined {
  let any: NodeDef | undefined;
  for (const node of nodes) {
    const trigger = node.trigger;
    if (trigger?.type !== type) continue;
    if (trigger.code === undefined) any ??= node;
    else if (trigger.code === code) return node;
  }
  return any;
}
