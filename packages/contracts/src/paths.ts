import { API_PREFIX } from "./endpoints.js";
import { BadRequestError } from "./errors.js";
import { consumerKeyProblem } from "./key-rule.js";

/**
 * The full path (API_PREFIX included) of a route for its params; every param is URI-encoded. A param that no
 * URL can carry (ConsumerKey: "." or "..", which fetch would normalise into another route, or a lone
 * surrogate) is a 400 naming it. An empty param does travel, so the server authenticates before its 400.
 */
export function buildPath(route: { path: string }, params: Record<string, string>): string {
  const path = route.path.replace(/:([a-z_]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" for ${route.path}`);
    const problem = value === "" ? undefined : consumerKeyProblem(value);
    if (problem !== undefined) throw new BadRequestError(`path.${name}: ${problem}`);
    return encodeURIComponent(value);
  });
  return API_PREFIX + path;
}

/** A route's path with the query string for `query` (undefined values left out). */
export function buildUrlPath(
  route: { path: string },
  params: Record<string, string>,
  query: Record<string, string | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
  const qs = search.toString();
  return buildPath(route, params) + (qs ? `?${qs}` : "");
}
