import type { NodeDef } from "./model.js";

// An inclusive join (BPMN 2.0.2 §13.4.3) must know, for a token anywhere in its scope, which of its incoming
// flows that token could still arrive on without passing the gateway itself. The graph never changes while
// an instance runs, so this is computed once per model at load: for each incoming flow, every node from which
// its source is reachable. A token moves from a node along its outgoing sequence flows, from an activity to
// its boundary events (an interruption, an error, an escalation leaves through them), and from a link throw
// event to its catch event. A token inside a sub-process counts as the token that waits at the sub-process.

/** Sets `reach` on every inclusive gateway of the process. */
export function computeInclusiveReach(nodes: ReadonlyMap<string, NodeDef>): void {
  const gateways = [...nodes.values()].filter((node) => node.kind === "inclusive");
  if (gateways.length === 0) return;
  const predecessors = new Map<string, string[]>();
  const flowSource = new Map<string, string>();
  const edge = (from: string, to: string) => {
    const list = predecessors.get(to);
    if (list) list.push(from);
    else predecessors.set(to, [from]);
  };
  for (const node of nodes.values()) {
    for (const flow of node.outgoing) {
      edge(node.key, flow.target);
      flowSource.set(flow.id, node.key);
    }
    for (const boundary of node.boundaries ?? []) edge(node.key, boundary);
    if (node.linkTarget !== undefined) edge(node.key, node.linkTarget);
  }
  for (const gateway of gateways) {
    const reach = new Map<string, Set<string>>();
    for (const flow of gateway.incoming) {
      const source = flowSource.get(flow) as string;
      const seen = new Set([source]);
      const pending = [source];
      for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
        // A path may start at the gateway (a token leaving it), but not pass through it.
        if (key === gateway.key) continue;
        for (const before of predecessors.get(key) ?? []) {
          if (!seen.has(before)) {
            seen.add(before);
            pending.push(before);
          }
        }
      }
      for (const key of seen) {
        const flows = reach.get(key);
        if (flows) flows.add(flow);
        else reach.set(key, new Set([flow]));
      }
    }
    gateway.reach = reach;
  }
}
