import type { ModdleElement } from "./moddle-element.js";

/**
 * Innermost lane name per flow node id. Lanes nest through childLaneSet; a deeper lane overrides the outer
 * one because it is visited later. A lane without a name falls back to its id, so access rules still apply.
 */
export function laneAssignments(container: ModdleElement): Map<string, string> {
  const lanes = new Map<string, string>();
  const visit = (laneSet: ModdleElement | undefined) => {
    for (const lane of laneSet?.lanes ?? []) {
      const laneName = lane.name ?? lane.id ?? "";
      for (const ref of lane.flowNodeRef ?? []) if (ref.id) lanes.set(ref.id, laneName);
      visit(lane.childLaneSet);
    }
  };
  for (const laneSet of container.laneSets ?? []) visit(laneSet);
  if (container.laneSet) visit(container.laneSet);
  return lanes;
}
