import type { ConsumerContext } from "@consumer-api/contracts";
import { type Role, tokens } from "./fixtures.js";

/** A context per fixture identity: `as.clerk`, `as.manager`, … `as.invalid`. */
export const as = Object.fromEntries(
  Object.entries(tokens).map(([role, identity]) => [role, { identity }]),
) as Record<Role, ConsumerContext>;
