import type { ConsumerApi, ConsumerContext, OperationName } from "@consumer-api/contracts";
import {
  type AnyEndpoint,
  assertPlainJson,
  BadRequestError,
  buildUrlPath,
  ConsumerApiError,
  endpointList,
  endpoints,
  errorFromProblem,
  UnauthorizedError,
  wireViolation,
} from "@consumer-api/contracts/runtime";
import type { HttpTransport } from "./http-transport.js";

export type Operations = Pick<ConsumerApi, OperationName>;

export interface OperationsOptions {
  /** Base URL of the server, without API_PREFIX (e.g. "http://127.0.0.1:8080"). */
  baseUrl: string;
  transport: () => HttpTransport;
  /** Check every 200 answer against the route's generated response schema (costs time; off by default). */
  validateResponses?: boolean;
}

// A token travels in a header: visible ASCII only, as RFC 6750's b64token and every server expect.
const TOKEN = /^[\x21-\x7e]+$/;

/** The bearer header for a context; a token no server could receive is a 401, as the server would answer. */
export function bearer(context: ConsumerContext | undefined): string {
  const token = (context as { identity?: unknown } | undefined)?.identity;
  if (typeof token !== "string" || !TOKEN.test(token)) throw new UnauthorizedError();
  return `Bearer ${token}`;
}

/** Every request/response operation of the ConsumerApi, derived from the contracts' endpoint table. */
export function createOperations(options: OperationsOptions): Operations {
  const base = options.baseUrl.replace(/\/+$/, "");
  const operations: Record<string, unknown> = {};
  for (const route of endpointList) {
    operations[route.operation] = (context: ConsumerContext, ...args: unknown[]) =>
      call(route, context, args);
  }

  async function call(route: AnyEndpoint, context: ConsumerContext, args: unknown[]): Promise<unknown> {
    const authorization = bearer(context);
    const request = (route.toRequest as (...a: unknown[]) => ReturnType<AnyEndpoint["toRequest"]>)(...args);
    const headers: Record<string, string> = { authorization, accept: "application/json" };
    let body: string | undefined;
    try {
      for (const [name, value] of Object.entries(request.params)) {
        // An empty string goes to the server, which authenticates first and then answers 400 for it.
        if (typeof value !== "string") throw new BadRequestError(`path.${name}: expected a string`);
      }
      if (request.body !== undefined) {
        // Checked before JSON.stringify, which would silently send another value (a Date as a string, NaN
        // as null), and recurses (a nesting no server accepts is a 400 naming the field, not a stack overflow).
        assertPlainJson(request.body, "body");
        body = JSON.stringify(request.body);
        headers["content-type"] = "application/json";
      }
    } catch (refusal) {
      throw await afterAuthentication(authorization, context, refusal);
    }
    const url = base + buildUrlPath(route, request.params, request.query);
    const response = await options.transport().send({
      method: route.method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });

    if (response.status === route.successStatus) {
      if (route.successStatus === 204) return undefined;
      const value = parseJson(response.text);
      if (value === NOT_JSON) {
        throw new ConsumerApiError(
          502,
          "Bad Gateway",
          `${route.operation}: the server's answer is not JSON.`,
        );
      }
      const violation = options.validateResponses
        ? wireViolation(route.operation, value, "answer")
        : undefined;
      if (violation !== undefined) {
        throw new ConsumerApiError(502, "Bad Gateway", `${route.operation}: unexpected answer: ${violation}`);
      }
      return value;
    }
    const problem = parseJson(response.text);
    throw errorFromProblem(problem === NOT_JSON ? undefined : problem, response.status);
  }

  /**
   * A request refused here, unsent, is answered as the server would: 401 comes before 400 (SPEC §2), so an
   * unknown token is asked about first, with the cheapest authenticated read.
   */
  async function afterAuthentication(
    authorization: string,
    context: ConsumerContext,
    refusal: unknown,
  ): Promise<unknown> {
    const probe = endpoints.getProcessModels;
    let response: Awaited<ReturnType<HttpTransport["send"]>>;
    try {
      response = await options.transport().send({
        method: probe.method,
        url: base + buildUrlPath(probe, {}, {}),
        headers: { authorization, accept: "application/json" },
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
    } catch {
      // No server to ask: the refusal stands on its own.
      return refusal;
    }
    if (response.status !== 401) return refusal;
    const problem = parseJson(response.text);
    return errorFromProblem(problem === NOT_JSON ? undefined : problem, response.status);
  }

  return operations as unknown as Operations;
}

const NOT_JSON = Symbol("not JSON");

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
