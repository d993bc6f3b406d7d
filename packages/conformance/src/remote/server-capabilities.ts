import { ApplicationInfo, buildUrlPath, routes } from "@consumer-api/contracts";
import { tokens } from "../fixtures.js";
import { LEVEL_ONE, type Supports, supportsFromCapabilities } from "../options.js";

/**
 * What the server at `url` claims (SPEC §14): its GET /info capabilities, or — when it has no /info (404) —
 * level 1 (§4–§5). Anything else is a server the suite cannot judge: an Error saying why.
 */
export async function serverSupports(
  url: string,
  fetchFn: typeof fetch = globalThis.fetch,
): Promise<{ supports: Supports; capabilities: string[] | undefined }> {
  const response = await fetchFn(url.replace(/\/$/, "") + buildUrlPath(routes.getApplicationInfo, {}, {}), {
    headers: { authorization: `Bearer ${tokens.clerk}`, accept: "application/json" },
  });
  if (response.status === 404) return { supports: LEVEL_ONE, capabilities: undefined };
  if (response.status !== 200) {
    throw new Error(`GET /info answered ${response.status}; expected 200, or 404 for a level-1 server`);
  }
  const parsed = ApplicationInfo.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new Error("GET /info answered a body that is not an ApplicationInfo (SPEC §14)");
  return {
    supports: supportsFromCapabilities(parsed.data.capabilities),
    capabilities: parsed.data.capabilities,
  };
}
