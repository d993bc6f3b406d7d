import { describe, expect, it } from "vitest";
import {
  API_PREFIX,
  BadRequestError,
  buildPath,
  buildUrlPath,
  matchRoute,
  routeList,
  routes,
} from "../src/index.js";

const values = ["Order", "a b", "a/b", "100%", "q?x=1#frag", "ümlaut✓", "..", "+plus&amp", "with%2Fslash"];

describe("buildPath / matchRoute", () => {
  describe.each(routeList.map((route) => [route.operation, route] as const))("%s", (_, route) => {
    const names = Object.keys(route.params.shape);
    it.each(values)("round-trips params %j", (value) => {
      const params = Object.fromEntries(names.map((name, i) => [name, `${value}${i}`]));
      const path = buildPath(route, params);
      expect(path.startsWith(`${API_PREFIX}/`)).toBe(true);
      const match = matchRoute(route.method, path);
      expect(match).toEqual({ kind: "match", route, params });
    });
  });

  const notDotSegments = values.filter((value) => value !== "." && value !== "..");
  it.each(notDotSegments)("a param %j survives a WHATWG URL (as fetch sends it) unchanged", (value) => {
    const route = routes.getUserTasksForProcessModelInCorrelation;
    const params = { process_model_key: value, correlation_id: value };
    const { pathname } = new URL(`http://server.test${buildPath(route, params)}`);
    expect(matchRoute(route.method, pathname)).toEqual({ kind: "match", route, params });
  });

  it.each([".", ".."])("refuses the dot segment %j as a param with a 400 naming it", (value) => {
    // A URL drops "." and climbs "..", percent-encoded or not: the request would reach another route.
    const route = routes.getUserTasksForProcessModelInCorrelation;
    expect(() => buildPath(route, { process_model_key: "Order", correlation_id: value })).toThrow(
      BadRequestError,
    );
    expect(() => buildPath(route, { process_model_key: "Order", correlation_id: value })).toThrow(
      /path\.correlation_id/,
    );
  });

  it("refuses a lone surrogate, which no URL can carry, with a 400 naming the param", () => {
    expect(() => buildPath(routes.getEventsForCorrelation, { correlation_id: "a\uD800b" })).toThrow(
      BadRequestError,
    );
    expect(() => buildPath(routes.getEventsForCorrelation, { correlation_id: "a\uD800b" })).toThrow(
      /path\.correlation_id/,
    );
  });

  it("encodes each param as one segment", () => {
    expect(buildPath(routes.getProcessModelByKey, { process_model_key: "a/b c" })).toBe(
      `${API_PREFIX}/process_models/a%2Fb%20c`,
    );
  });

  it("fails on a missing param", () => {
    expect(() => buildPath(routes.getProcessModelByKey, {})).toThrow(/process_model_key/);
  });

  it("adds the query without undefined values", () => {
    const route = routes.startProcessInstance;
    const params = { process_model_key: "Order", start_event_key: "Start1" };
    expect(buildUrlPath(route, params, { startCallbackType: "3", end_event_id: "End 1" })).toBe(
      `${API_PREFIX}/process_models/Order/start_events/Start1/start?startCallbackType=3&end_event_id=End+1`,
    );
    expect(buildUrlPath(route, params, { startCallbackType: undefined })).toBe(buildPath(route, params));
  });

  it("matches the method case-insensitively", () => {
    expect(matchRoute("get", `${API_PREFIX}/process_models`)).toMatchObject({
      kind: "match",
      route: routes.getProcessModels,
    });
  });

  it.each([
    "/process_models",
    "/api/consumer/v2/process_models",
    `${API_PREFIX}`,
    `${API_PREFIX}/`,
    `${API_PREFIX}/nothing`,
    `${API_PREFIX}/process_models/Order/user_tasks/extra`,
    `${API_PREFIX}/correlations/c-1`,
  ])("404: %s", (path) => {
    expect(matchRoute("GET", path)).toEqual({ kind: "not_found" });
  });

  it.each([
    [`${API_PREFIX}/process_models/`, "getProcessModelByKey"],
    [`${API_PREFIX}/process_models//user_tasks`, "getUserTasksForProcessModel"],
  ])(
    "an empty param segment matches, so the param's schema answers 400 after authentication: %s",
    (path, operation) => {
      const match = matchRoute("GET", path);
      expect(match.kind).toBe("match");
      if (match.kind !== "match") return;
      expect(match.route.operation).toBe(operation);
      expect(match.params).toEqual({ process_model_key: "" });
      expect(match.route.params.safeParse(match.params).success).toBe(false);
    },
  );

  it("405 with the allowed methods when the path exists for another method", () => {
    expect(matchRoute("POST", `${API_PREFIX}/process_models`)).toEqual({
      kind: "method_not_allowed",
      allowed: ["GET"],
    });
    expect(matchRoute("DELETE", `${API_PREFIX}/process_models/Order/user_tasks`)).toEqual({
      kind: "method_not_allowed",
      allowed: ["GET"],
    });
    expect(matchRoute("GET", `${API_PREFIX}/process_models/Order/start_events/Start1/start`)).toEqual({
      kind: "method_not_allowed",
      allowed: ["POST"],
    });
  });

  it("a malformed percent-encoding is a 400 naming the param", () => {
    try {
      matchRoute("GET", `${API_PREFIX}/process_models/%E0%A4%A`);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).detail).toContain("path.process_model_key");
    }
  });
});
