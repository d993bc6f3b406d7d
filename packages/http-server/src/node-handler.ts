import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AnyRoute,
  API_PREFIX,
  BadRequestError,
  ConsumerApiError,
  type ConsumerContext,
  matchRoute,
  OPENAPI_PATH,
  parseOrBadRequest,
  type RouteMatch,
} from "@consumer-api/contracts";
import { bearerToken } from "./bearer-token.js";
import { handleCors } from "./cors.js";
import { methodNotAllowed, notFound } from "./http-error.js";
import { openApiDocument } from "./openapi-document.js";
import { sendEmpty, sendJson, sendProblem, sendProblemAndClose } from "./problem-response.js";
import { parseJsonBody, readBody } from "./request-body.js";
import { defaults, reportError, reportIfServerError, type ServerOptions } from "./server-options.js";
import { serveStatic } from "./static-site.js";

/** After a 413 the rest of the body is not read: how long the client has to read the answer. */
const LINGER_AFTER_413_MS = 1000;

type Operation = (context: ConsumerContext, ...args: unknown[]) => Promise<unknown>;

/** The Node `(req, res)` handler: decodes through the contracts' route table, calls the api, encodes the answer. */
export function createNodeHandler(
  options: ServerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const bodyLimit = options.bodyLimit ?? defaults.bodyLimit;
  const api = options.api as unknown as Record<string, Operation>;
  const corsOrigins = new Set(options.corsOrigins ?? []);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // HEAD is GET without the body (RFC 9110 §9.3.2); Node leaves the body of a HEAD answer unsent.
    const requested = (req.method ?? "GET").toUpperCase();
    const method = requested === "HEAD" ? "GET" : requested;
    const { pathname, search } = splitUrl(req.url ?? "/");
    if (handleCors(corsOrigins, req, res, pathname)) return;
    if (options.ui && serveStatic(options.ui, requested, pathname, res)) return;

    // The document describes the API to anyone who may call it, so it needs no token.
    if (pathname === API_PREFIX + OPENAPI_PATH) {
      if (method !== "GET") return sendProblem(res, methodNotAllowed(["GET"]), { allow: "GET" });
      return sendJson(res, 200, openApiDocument());
    }

    // A malformed percent-encoding in a param is a 400, but only after authentication (SPEC §2).
    let match: RouteMatch;
    let deferred: unknown;
    try {
      match = matchRoute(method, pathname);
    } catch (error) {
      match = { kind: "not_found" };
      deferred = error;
    }
    if (deferred === undefined && match.kind === "not_found") throw notFound(pathname);
    if (match.kind === "method_not_allowed") {
      const allow = match.allowed.join(", ");
      return sendProblem(res, methodNotAllowed(match.allowed), { allow });
    }

    // A client that leaves before its answer releases what its call holds (a start with callback 2 or 3 may
    // wait for days); the instance runs on.
    const callerLeft = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) callerLeft.abort();
    });
    const context: ConsumerContext = {
      identity: bearerToken(req.headers.authorization),
      signal: callerLeft.signal,
    };
    if (options.authenticate) await options.authenticate(context);
    if (deferred !== undefined || match.kind !== "match") throw deferred;

    const route: AnyRoute = match.route;
    const query = parseOrBadRequest(route.query, queryObject(search), "query");
    const params = parseOrBadRequest(route.params, match.params, "path");
    let body: unknown;
    if (route.body !== undefined) {
      const raw = await readBody(req, bodyLimit);
      const json = parseJsonBody(raw, req.headers["content-type"], options.maxJsonDepth);
      if (json === undefined) {
        if (route.bodyRequired) throw new BadRequestError("body: Required.");
      } else {
        body = parseOrBadRequest(route.body, json, "body");
      }
    }

    const operation = api[route.operation] as Operation;
    const args = (route.toArgs as (input: unknown) => unknown[])({ params, query, body });
    const result = await operation.call(options.api, context, ...args);
    if (route.successStatus === 204) sendEmpty(res, 204);
    else sendJson(res, 200, result);
  }

  return (req, res) => {
    // Writing to a response whose client left must not crash the process.
    res.on("error", ignore);
    // Without a log hook (--quiet) a request costs no listeners or timing.
    if (options.log) logWhenDone(options, options.log, req, res);

    handle(req, res).catch((error: unknown) => {
      reportIfServerError(options, error);
      if (error instanceof ConsumerApiError && error.status === 413) {
        sendProblemAndClose(res, error, LINGER_AFTER_413_MS);
      } else {
        sendProblem(res, error);
      }
    });
  };
}

const ignore = () => {};

/** Calls the log hook once per request, when the answer was sent or the client left. */
function logWhenDone(
  options: ServerOptions,
  hook: NonNullable<ServerOptions["log"]>,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const started = performance.now();
  let logged = false;
  const log = () => {
    if (logged) return;
    logged = true;
    const entry = {
      method: req.method ?? "",
      path: (req.url ?? "").split("?")[0] as string,
      // 499: the client closed the connection before the answer (nginx's convention).
      status: res.writableFinished ? res.statusCode : 499,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    try {
      hook(entry);
    } catch (error) {
      reportError(options, error);
    }
  };
  res.once("finish", log);
  res.once("close", log);
}

/** Pathname and query string of a request target (origin-form, or absolute-form from a proxy). */
function splitUrl(url: string): { pathname: string; search: string } {
  let target = url;
  if (!target.startsWith("/")) {
    try {
      const parsed = new URL(target);
      target = parsed.pathname + parsed.search;
    } catch {
      return { pathname: "", search: "" };
    }
  }
  const q = target.indexOf("?");
  return q < 0
    ? { pathname: target, search: "" }
    : { pathname: target.slice(0, q), search: target.slice(q + 1) };
}

/** The query string as an object for the route's query schema; a repeated name is a 400 naming it. */
function queryObject(search: string): Record<string, string> {
  // No prototype: a parameter named "__proto__" becomes a key like any other (and is refused as unknown),
  // where assigning it on a plain object would silently drop it.
  const result: Record<string, string> = Object.create(null);
  if (search === "") return result;
  for (const [name, value] of new URLSearchParams(search)) {
    if (Object.hasOwn(result, name)) throw new BadRequestError(`query.${name}: given more than once.`);
    result[name] = value;
  }
  return result;
}
