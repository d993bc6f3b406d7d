import { BadRequestError } from "./errors.js";
import { type AnyRoute, API_PREFIX, type HttpMethod, routeList } from "./routes.js";

export type RouteMatch =
  | { kind: "match"; route: AnyRoute; params: Record<string, string> }
  | { kind: "method_not_allowed"; allowed: HttpMethod[] }
  | { kind: "not_found" };

interface CompiledRoute {
  route: AnyRoute;
  segments: { literal?: string; param?: string }[];
}

const compiled: CompiledRoute[] = routeList.map((route) => ({
  route,
  segments: route.path
    .split("/")
    .slice(1)
    .map((s) => (s.startsWith(":") ? { param: s.slice(1) } : { literal: s })),
}));

/**
 * Matches a method and a pathname (API_PREFIX included, no query) against the route table.
 * A percent-encoding that cannot be decoded is a 400 naming the segment.
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return { kind: "not_found" };
  const parts = pathname.slice(API_PREFIX.length + 1).split("/");
  const allowed: HttpMethod[] = [];
  for (const { route, segments } of compiled) {
    if (segments.length !== parts.length) continue;
    const raw: [string, string][] = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const segment = segments[i] as CompiledRoute["segments"][number];
      const part = parts[i] as string;
      // An empty param segment still matches, so that its schema answers with a 400 naming the param,
      // after authentication — as the internal binding does — rather than a 404 for an unknown route.
      if (segment.literal !== undefined) ok = segment.literal === part;
      else raw.push([segment.param as string, part]);
    }
    if (!ok) continue;
    if (route.method === method.toUpperCase()) {
      const params: Record<string, string> = {};
      for (const [name, part] of raw) params[name] = decodeSegment(part, name);
      return { kind: "match", route, params };
    }
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: "method_not_allowed", allowed } : { kind: "not_found" };
}

function decodeSegment(part: string, name: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadRequestError(`path.${name}: malformed percent-encoding`);
  }
}
