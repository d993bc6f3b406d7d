import type { LaneName } from "@consumer-api/engine";
import type { Identity } from "./identity.js";

/** SPEC §1 lane access: a node in no lane is open to every authenticated identity, else its innermost lane must be claimed. */
export function canAccess(identity: Identity, lane: LaneName | undefined): boolean {
  if (lane === null) return true;
  // undefined: the lane is unknown (the element is not in the current model) — hide rather than leak.
  if (lane === undefined) return false;
  return identity.claims.includes(lane);
}
