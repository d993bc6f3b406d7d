import { describe, expect, it } from "vitest";
import {
  type AnyRoute,
  buildUrlPath,
  type ConsumerApi,
  MORE_NOTIFICATION_METHODS,
  matchRoute,
  type OperationArgs,
  type OperationName,
  parseOrBadRequest,
  type RouteRequest,
  routeList,
  routes,
} from "../src/index.js";

/** Every method of ConsumerApi, written out so a renamed or added method fails here (and in typecheck). */
const consumerApiMethods = [
  "getProcessModels",
  "getProcessModelByKey",
  "startProcessInstance",
  "getEventsForCorrelation",
  "getEventsForProcessModelInCorrelation",
  "triggerEvent",
  "getUserTasksForCorrelation",
  "getUserTasksForProcessModel",
  "getUserTasksForProcessModelInCorrelation",
  "finishUserTask",
  "getProcessResultForCorrelation",
  "getWaitingUserTasksByIdentity",
  "getUserTasksForProcessInstance",
  "getProcessModelByProcessInstanceId",
  "getProcessInstancesByIdentity",
  "getEventsForProcessModel",
  "getApplicationInfo",
  "triggerMessageEvent",
  "triggerSignalEvent",
  "fetchAndLockExternalTasks",
  "extendLock",
  "finishExternalTask",
  "handleBpmnError",
  "handleServiceError",
  "onBpmnEvent",
  "onActivity",
  "onSystemEvent",
  "onSignal",
  ...MORE_NOTIFICATION_METHODS,
] as const satisfies readonly (keyof ConsumerApi)[];
// Compile-time: the list is exhaustive.
type Missing = Exclude<keyof ConsumerApi, (typeof consumerApiMethods)[number]>;
const exhaustive: [Missing] extends [never] ? true : Missing = true;

const notificationMethods: string[] = [
  "onBpmnEvent",
  "onActivity",
  "onSystemEvent",
  "onSignal",
  ...MORE_NOTIFICATION_METHODS,
];

const odd = "a b/c?d#e%f&g=h+ü✓";

/** Arguments after the context, per operation: with and without the optional ones, with special characters. */
const sampleArgs: { [K in OperationName]: OperationArgs<K>[] } = {
  getProcessModels: [[], [0, 50], [undefined, 0], [7]],
  getProcessModelByKey: [["Order"], [odd]],
  startProcessInstance: [
    ["Order", "Start1"],
    ["Order", "Start1", { correlationId: "c-1" }],
    ["Order", "Start1", undefined, 2],
    [odd, odd, { correlationId: odd, callerId: "shop", inputValues: { amount: 3, list: [1, "x"] } }, 3, odd],
    ["Order", "Start1", { inputValues: null }, 1],
  ],
  getEventsForCorrelation: [["c-1"], [odd]],
  getEventsForProcessModelInCorrelation: [
    ["Order", "c-1"],
    [odd, `${odd}2`],
  ],
  triggerEvent: [
    ["Order", "c-1", "e-1"],
    ["Order", "c-1", "e-1", { paid: true }],
    [odd, odd, odd, [1, "two"]],
    ["Order", "c-1", "e-1", "just a string"],
  ],
  getUserTasksForCorrelation: [["c-1"], [odd], ["c-1", 100, 10]],
  getUserTasksForProcessModel: [["Order"], [odd], [odd, undefined, 3]],
  getUserTasksForProcessModelInCorrelation: [
    ["Order", "c-1"],
    [odd, odd],
  ],
  finishUserTask: [
    ["Order", "c-1", "t-1", { formFields: { approved: true } }],
    [odd, odd, odd, { formFields: {} }],
  ],
  getProcessResultForCorrelation: [
    ["Order", "c-1"],
    [`${odd}-model`, `${odd}-correlation`],
  ],
  getWaitingUserTasksByIdentity: [[], [0, 50], [Number.MAX_SAFE_INTEGER]],
  getUserTasksForProcessInstance: [["i-1"], [odd, 2, 0]],
  getProcessModelByProcessInstanceId: [["i-1"], [odd]],
  getProcessInstancesByIdentity: [[], [10, 10]],
  getEventsForProcessModel: [["Order"], [odd, 1, 1]],
  getApplicationInfo: [[]],
  triggerMessageEvent: [
    ["payment"],
    ["payment", { paid: true }, "c-1"],
    [odd, "text", odd],
    [odd, undefined, "c"],
  ],
  triggerSignalEvent: [["go"], [odd, [1, 2]]],
  fetchAndLockExternalTasks: [
    ["w-1", "charge", 1, 0, 1000],
    [odd, [odd, "mail"], 10, 30_000, 1],
  ],
  extendLock: [
    ["w-1", "t-1", 1000],
    [odd, odd, 1],
  ],
  finishExternalTask: [
    ["w-1", "t-1", { charged: true }],
    ["w-1", odd, null],
    [odd, "t-1", [1, "two"]],
  ],
  handleBpmnError: [
    ["w-1", "t-1", "declined"],
    ["w-1", odd, "declined", "no funds"],
  ],
  handleServiceError: [
    ["w-1", "t-1", "down", undefined, undefined],
    [odd, odd, "down", { retry: 3 }, "E42"],
  ],
};

/** What a transport does with a route: the client builds a URL and body, the server matches and decodes it. */
function roundTrip(route: AnyRoute, args: unknown[]): unknown[] {
  // AnyRoute erases the operation, so its toRequest takes `never`; the samples are typed per operation above.
  const request = (route.toRequest as (...a: unknown[]) => RouteRequest)(...args);
  const url = new URL(buildUrlPath(route, request.params, request.query), "http://localhost");
  const match = matchRoute(route.method, url.pathname);
  if (match.kind !== "match") throw new Error(`${route.operation}: ${match.kind} for ${url.pathname}`);
  expect(match.route).toBe(route);
  const params = parseOrBadRequest(match.route.params, match.params, "path");
  const query = parseOrBadRequest(match.route.query, Object.fromEntries(url.searchParams), "query");
  const wireBody = request.body === undefined ? undefined : JSON.parse(JSON.stringify(request.body));
  const body =
    wireBody === undefined || !route.body ? undefined : parseOrBadRequest(route.body, wireBody, "body");
  return route.toArgs({ params, query, body });
}

describe("route table", () => {
  it("lists every ConsumerApi method", () => {
    expect(exhaustive).toBe(true);
    expect(new Set(consumerApiMethods).size).toBe(consumerApiMethods.length);
  });

  it.each(consumerApiMethods.filter((m) => !notificationMethods.includes(m)))(
    "maps %s to exactly one route, keyed by its name",
    (method) => {
      const matching = routeList.filter((route) => route.operation === method);
      expect(matching).toHaveLength(1);
      expect(routes[method as OperationName]).toBe(matching[0]);
    },
  );

  it("has no route for the notification methods and no route for anything else", () => {
    const operations = routeList.map((route) => route.operation);
    for (const method of notificationMethods) expect(operations).not.toContain(method);
    expect([...operations].sort()).toEqual(
      consumerApiMethods.filter((m) => !notificationMethods.includes(m)).sort(),
    );
  });

  it("has no two routes with the same method and path", () => {
    const keys = routeList.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(routeList.map((route) => [route.operation, route] as const))(
    "%s: params schema matches the template, 204 has no response schema, errors include 401",
    (_, route) => {
      const templateParams = [...route.path.matchAll(/:([a-z_]+)/g)].map((m) => m[1]).sort();
      expect(Object.keys(route.params.shape).sort()).toEqual(templateParams);
      expect(route.response === undefined).toBe(route.successStatus === 204);
      expect(route.errorStatuses).toContain(401);
      if (route.bodyRequired) expect(route.body).toBeDefined();
      if (route.method === "GET") expect(route.body).toBeUndefined();
    },
  );

  describe.each(Object.entries(sampleArgs))(
    "%s: toRequest → URL → match → decode → toArgs",
    (operation, samples) => {
      const route = routes[operation as OperationName] as AnyRoute;
      it.each((samples as unknown[][]).map((args) => [JSON.stringify(args), args]))(
        "round-trips %s",
        (_, args) => {
          const back = roundTrip(route, args);
          const expected = [...args];
          while (expected.length < back.length) expected.push(undefined);
          expect(back).toStrictEqual(expected);
        },
      );
    },
  );
});
