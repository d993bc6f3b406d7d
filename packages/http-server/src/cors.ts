import type { IncomingMessage, ServerResponse } from "node:http";
import { API_PREFIX, matchRoute, OPENAPI_PATH } from "@consumer-api/contracts";

/** Headers a cross-origin page may send: the token and a JSON body's type. */
const ALLOWED_HEADERS = "authorization, content-type";
/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = "600";

/** The methods the route table has for a path; none for a path that is no route. */
function methodsFor(pathname: string): string[] {
  if (pathname === API_PREFIX + OPENAPI_PATH) return ["GET"];
  const match = matchRoute("OPTIONS", pathname);
  return match.kind === "method_not_allowed" ? match.allowed : [];
}

/**
 * CORS for the origins given with --cors-origin (none by default): a preflight is answered from the route
 * table, an actual request from an allowed origin gets Access-Control-Allow-Origin. Returns true when it
 * answered the request (a preflight); anything else goes on to the handler unchanged.
 */
export function handleCors(
  origins: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || !origins.has(origin)) return false;
  res.setHeader("vary", "Origin");
  const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
  if (!preflight) {
    res.setHeader("access-control-allow-origin", origin);
    return false;
  }
  const methods = methodsFor(pathname);
  if (methods.length === 0) return false;
  res.writeHead(204, {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": methods.join(", "),
    "access-control-allow-headers": ALLOWED_HEADERS,
    "access-control-max-age": PREFLIGHT_MAX_AGE,
  });
  res.end();
  return true;
}

/**
 * Whether a WebSocket handshake may proceed. Browsers send Origin and do not apply CORS to WebSockets, so
 * the server does: a page of its own origin or of an allowed one. A client without Origin is no browser.
 */
export function allowsWebSocketOrigin(origins: ReadonlySet<string>, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origins.has(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
