import { z } from "zod";

/**
 * The capabilities a server may claim (SPEC §14), each fully implemented when listed. A client ignores names
 * it does not know, so the schema takes any string; these are the ones this contract defines.
 */
export const CAPABILITIES = [
  "notifications",
  "timers",
  "concurrency",
  "pagination",
  "instanceQueries",
  "triggerByName",
  "moreNotifications",
  "externalTasks",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const ApplicationInfo = z
  .object({
    name: z.string().describe("The implementation's package, e.g. @consumer-api/http-server."),
    version: z.string(),
    store: z.string().describe("memory, sqlite or another store's name."),
    clustered: z.boolean().describe("Whether servers share the store."),
    capabilities: z
      .array(z.string())
      .describe(`Each fully implemented: ${CAPABILITIES.join(", ")}; unknown names are ignored.`),
  })
  .meta({ id: "ApplicationInfo" });
export type ApplicationInfo = z.infer<typeof ApplicationInfo>;

/** The capabilities of an info answer that this contract knows, in its order. */
export function knownCapabilities(info: Pick<ApplicationInfo, "capabilities">): Capability[] {
  return CAPABILITIES.filter((name) => info.capabilities.includes(name));
}
