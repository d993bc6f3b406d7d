import {
  type AnyRoute,
  buildUrlPath,
  PageQuery,
  PROBLEM_CONTENT_TYPE,
  routeList,
  routes,
} from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { tokens } from "./fixtures.js";
import { newCorrelationId } from "./ids.js";
import type { Supports } from "./options.js";
import { eventually } from "./steps.js";

export interface HttpSuiteOptions {
  name: string;
  /** The server's base URL, e.g. "http://127.0.0.1:8080" (the routes add /api/consumer/v1). */
  baseUrl: string;
  fetch?: typeof fetch;
  /** What the server claims (SPEC §14); the cases of an unclaimed capability are skipped. Default: all. */
  supports?: Partial<Supports>;
}

/**
 * Wire-level cases no ConsumerApi call can express (SPEC §2, §3 over HTTP): malformed JSON, missing or
 * malformed Authorization, query strings the typed client never sends, and the problem+json shape.
 */
export function httpSuite(options: HttpSuiteOptions): void {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/$/, "");
  const url = (
    route: AnyRoute,
    params: Record<string, string>,
    query: Record<string, string | undefined> = {},
  ) => base + buildUrlPath(route, params, query);
  const get = (target: string, authorization = `Bearer ${tokens.clerk}`) =>
    doFetch(target, { headers: { authorization } });
  const post = (target: string, body?: string, token: string = tokens.clerk, signal?: AbortSignal) =>
    doFetch(target, {
      method: "POST",
      ...(signal === undefined ? {} : { signal }),
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body }),
    });
  const startUrl = (query?: Record<string, string | undefined>) =>
    url(routes.startProcessInstance, { process_model_key: "Basic", start_event_key: "StartA" }, query);
  const json = async <T>(response: Promise<Response>): Promise<T> => {
    const answer = await response;
    expect(answer.status).toBe(200);
    return (await answer.json()) as T;
  };

  const expectProblem = async (response: Response, status: number, field?: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type") ?? "").toContain(PROBLEM_CONTENT_TYPE);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status });
    expect(typeof body.type).toBe("string");
    expect(typeof body.title).toBe("string");
    expect(typeof body.detail).toBe("string");
    if (field) expect(body.detail).toContain(field);
  };

  /** Why a route's cases are skipped: its capability (or /info itself) is not what the server claims. */
  const unsupported = (route: AnyRoute): string | undefined => {
    if (route === routes.getApplicationInfo) return levelOne();
    if (route.capability !== undefined && options.supports?.[route.capability] === false)
      return `${route.capability} not supported`;
    return undefined;
  };
  /** Part two's general rules (strict requests) hold for a server with GET /info (SPEC §14). */
  const levelOne = () =>
    options.supports?.applicationInfo === false ? "a level-1 server (no GET /info)" : undefined;

  describe(`${options.name}: HTTP wire (SPEC §2, §3, §4)`, () => {
    it("401 problem+json without an Authorization header", async () => {
      await expectProblem(await doFetch(url(routes.getProcessModels, {})), 401);
    });

    it("401 problem+json for an Authorization header that is not a bearer token", async () => {
      const basic = `Basic ${Buffer.from("clerk:secret").toString("base64")}`;
      await expectProblem(await get(url(routes.getProcessModels, {}), basic), 401);
    });

    // The typed client refuses an empty token before sending anything, so these reach the server only here.
    for (const route of routeList) {
      const target = () =>
        url(route, Object.fromEntries(Object.keys(route.params.shape).map((name) => [name, "x"])));
      const send = (authorization?: string) =>
        doFetch(target(), {
          method: route.method,
          headers: {
            ...(authorization === undefined ? {} : { authorization }),
            ...(route.body ? { "content-type": "application/json" } : {}),
          },
          ...(route.body ? { body: route === routes.finishUserTask ? '{"formFields":{}}' : "{}" } : {}),
        });
      it(`${route.operation}: 401 problem+json without an Authorization header`, async ({ skip }) => {
        const reason = unsupported(route);
        if (reason) skip(reason);
        await expectProblem(await send(), 401);
      });
      it(`${route.operation}: 401 problem+json for an empty bearer token`, async ({ skip }) => {
        const reason = unsupported(route);
        if (reason) skip(reason);
        await expectProblem(await send("Bearer "), 401);
      });
    }

    // SPEC Part two: a query parameter a route does not define is a 400 naming it, on every route.
    for (const route of routeList) {
      it(`${route.operation}: 400 naming a query parameter the route does not define`, async ({ skip }) => {
        const reason = unsupported(route) ?? levelOne();
        if (reason) skip(reason);
        const params = Object.fromEntries(Object.keys(route.params.shape).map((name) => [name, "x"]));
        const response = await doFetch(`${url(route, params)}?start_callback_type=2`, {
          method: route.method,
          headers: { authorization: `Bearer ${tokens.clerk}` },
        });
        await expectProblem(response, 400, "start_callback_type");
      });
    }

    // A record-shaped input like any other: an object built from the query string must not drop this key.
    it("400 naming a query parameter called __proto__", async ({ skip }) => {
      const reason = levelOne();
      if (reason) skip(reason);
      const response = await doFetch(`${url(routes.getProcessModels, {})}?__proto__=1`, {
        headers: { authorization: `Bearer ${tokens.clerk}` },
      });
      await expectProblem(response, 400, "__proto__");
    });

    it("a start body with a property the contract does not define is a 400 naming it", async ({ skip }) => {
      const reason = levelOne();
      if (reason) skip(reason);
      await expectProblem(
        await post(startUrl(), JSON.stringify({ corelationId: "x4" })),
        400,
        "corelationId",
      );
    });

    it("a start payload nested 100k levels deep is a 400 problem+json, never a 500", async () => {
      // Built as text: the typed client refuses such a payload before it reaches the server.
      const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
      await expectProblem(await post(startUrl(), `{"inputValues":${deep}}`), 400);
      // …and the server still answers.
      const { processModels } = await json<{ processModels: unknown[] }>(
        get(url(routes.getProcessModels, {})),
      );
      expect(processModels.length).toBeGreaterThan(0);
    });

    it("401 comes before 400: an unknown token with malformed JSON", async () => {
      await expectProblem(await post(startUrl(), "{ not json", tokens.invalid), 401);
    });

    it("400 problem+json for a malformed JSON start payload", async () => {
      await expectProblem(await post(startUrl(), '{ "correlationId": '), 400);
    });

    it("400 naming startCallbackType for a value outside 1, 2, 3", async () => {
      const body = JSON.stringify({ correlationId: newCorrelationId() });
      await expectProblem(
        await post(startUrl({ startCallbackType: "soon" }), body),
        400,
        "startCallbackType",
      );
    });

    it("400 naming end_event_id for startCallbackType=3 without it", async () => {
      const body = JSON.stringify({ correlationId: newCorrelationId() });
      await expectProblem(await post(startUrl({ startCallbackType: "3" }), body), 400, "end_event_id");
    });

    it("a start without a body uses the defaults", async () => {
      const answer = await json<Record<string, unknown>>(post(startUrl()));
      expect(typeof answer.correlationId).toBe("string");
      expect(typeof answer.processInstanceId).toBe("string");
    });

    it("400 for a trigger body that is not JSON; 204 with an empty body for a JSON one", async () => {
      const correlationId = newCorrelationId();
      await json(
        post(
          url(routes.startProcessInstance, {
            process_model_key: "MessageWait",
            start_event_key: "MessageWaitStart",
          }),
          JSON.stringify({ correlationId }),
        ),
      );
      const { events } = await json<{ events: { eventId: string }[] }>(
        get(url(routes.getEventsForCorrelation, { correlation_id: correlationId })),
      );
      const trigger = url(routes.triggerEvent, {
        process_model_key: "MessageWait",
        correlation_id: correlationId,
        event_id: events[0]?.eventId as string,
      });
      await expectProblem(await post(trigger, "{ paid: yes }"), 400);
      const ok = await post(trigger, JSON.stringify({ paid: true }));
      expect(ok.status).toBe(204);
      expect(await ok.text()).toBe("");
    });

    it("400 naming formFields for a finish whose body has none", async () => {
      const correlationId = newCorrelationId();
      await json(post(startUrl(), JSON.stringify({ correlationId })));
      const { userTasks } = await json<{ userTasks: { id: string }[] }>(
        get(url(routes.getUserTasksForCorrelation, { correlation_id: correlationId })),
      );
      const finish = url(routes.finishUserTask, {
        process_model_key: "Basic",
        correlation_id: correlationId,
        user_task_id: userTasks[0]?.id as string,
      });
      await expectProblem(await post(finish, "{}"), 400, "formFields");
    });

    // Sent as text, as any client may: JSON.parse makes each an own key, which an object copy would drop.
    for (const name of ["__proto__", "constructor", "prototype"]) {
      it(`400 naming formFields.${name} in a finish body; the task keeps waiting`, async () => {
        const correlationId = newCorrelationId();
        await json(post(startUrl(), JSON.stringify({ correlationId })));
        const tasksUrl = url(routes.getUserTasksForCorrelation, { correlation_id: correlationId });
        const { userTasks } = await json<{ userTasks: { id: string }[] }>(get(tasksUrl));
        const finish = url(routes.finishUserTask, {
          process_model_key: "Basic",
          correlation_id: correlationId,
          user_task_id: userTasks[0]?.id as string,
        });
        const body = `{"formFields":{"approved":true,${JSON.stringify(name)}:1}}`;
        await expectProblem(await post(finish, body), 400, `formFields.${name}`);
        expect((await json<{ userTasks: unknown[] }>(get(tasksUrl))).userTasks).toHaveLength(1);
      });
    }

    it("400 naming inputValues.__proto__ in a start body; nothing starts", async () => {
      const correlationId = newCorrelationId();
      const body = `{"correlationId":${JSON.stringify(correlationId)},"inputValues":{"__proto__":{"x":1}}}`;
      await expectProblem(await post(startUrl(), body), 400, "inputValues.__proto__");
      const tasks = await get(url(routes.getUserTasksForCorrelation, { correlation_id: correlationId }));
      expect(tasks.status).toBe(404);
    });

    it("a caller that goes away while waiting with callback 2 does not stop the instance", async () => {
      const correlationId = newCorrelationId();
      const leaving = new AbortController();
      const waiting = post(
        startUrl({ startCallbackType: "2" }),
        JSON.stringify({ correlationId }),
        tokens.clerk,
        leaving.signal,
      ).catch(() => {});
      const tasksUrl = url(routes.getUserTasksForCorrelation, { correlation_id: correlationId });
      const { userTasks } = await eventually(async () => {
        const listed = await json<{ userTasks: { id: string }[] }>(get(tasksUrl));
        expect(listed.userTasks).toHaveLength(1);
        return listed;
      });
      leaving.abort();
      const finish = url(routes.finishUserTask, {
        process_model_key: "Basic",
        correlation_id: correlationId,
        user_task_id: userTasks[0]?.id as string,
      });
      expect((await post(finish, JSON.stringify({ formFields: { approved: true } }))).status).toBe(204);
      const result = await json<{ endEventKey: string }>(
        get(
          url(routes.getProcessResultForCorrelation, {
            correlation_id: correlationId,
            process_model_key: "Basic",
          }),
        ),
      );
      expect(result.endEventKey).toBe("Approved");
      await waiting;
    });

    // SPEC §9 over HTTP: decimal digits only, one of each, checked after §2 and before any lookup.
    const listRoutes = routeList.filter((route) => route.query === PageQuery);
    for (const route of listRoutes) {
      const target = (query: string) =>
        `${url(route, Object.fromEntries(Object.keys(route.params.shape).map((name) => [name, "x"])))}?${query}`;
      it(`${route.operation}: 400 naming offset or limit for a value that is not decimal digits, before any lookup`, async ({
        skip,
      }) => {
        const reason =
          unsupported(route) ??
          (options.supports?.pagination === false ? "pagination not supported" : undefined);
        if (reason) skip(reason);
        for (const query of [
          "offset=-1",
          "offset=1.5",
          "offset=1e3",
          "offset=",
          "offset=+1",
          "offset=1&offset=2",
        ])
          await expectProblem(await get(target(query)), 400, "offset");
        for (const query of ["limit=-1", "limit=0x10", "limit=", "limit=9007199254740993"])
          await expectProblem(await get(target(query)), 400, "limit");
        await expectProblem(await get(target("offset=-1"), `Bearer ${tokens.invalid}`), 401);
      });
    }

    it("offset and limit as decimal digits page a list; limit=0 answers only totalCount", async ({
      skip,
    }) => {
      if (options.supports?.pagination === false) skip("pagination not supported");
      const all = await json<{ processModels: { key: string }[]; totalCount: number }>(
        get(url(routes.getProcessModels, {})),
      );
      const page = await json<{ processModels: { key: string }[]; totalCount: number }>(
        get(url(routes.getProcessModels, {}, { offset: "01", limit: "2" })),
      );
      expect(page.processModels.map((m) => m.key)).toEqual(all.processModels.slice(1, 3).map((m) => m.key));
      expect(page.totalCount).toBe(all.processModels.length);
      expect(await json(get(url(routes.getProcessModels, {}, { limit: "0" })))).toEqual({
        processModels: [],
        totalCount: all.processModels.length,
      });
    });

    it("404 problem+json for an unknown model, with the status in the body", async () => {
      await expectProblem(
        await get(url(routes.getProcessModelByKey, { process_model_key: "NoSuchModel" })),
        404,
      );
    });
  });
}
