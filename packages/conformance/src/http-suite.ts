import { buildUrlPath, PROBLEM_CONTENT_TYPE, routes } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { tokens } from "./fixtures.js";
import { newCorrelationId } from "./ids.js";

export interface HttpSuiteOptions {
  name: string;
  /** The server's base URL, e.g. "http://127.0.0.1:8080" (the routes add /api/consumer/v1). */
  baseUrl: string;
  fetch?: typeof fetch;
}

/**
 * Wire-level cases no ConsumerApi call can express (SPEC §2, §3 over HTTP): malformed JSON, missing or
 * malformed Authorization, query strings the typed client never sends, and the problem+json shape.
 */
export function httpSuite(options: HttpSuiteOptions): void {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/$/, "");
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const startUrl = (query: Record<string, string | undefined> = {}) =>
    base +
    buildUrlPath(
      routes.startProcessInstance,
      { process_model_key: "Basic", start_event_key: "StartA" },
      query,
    );

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

  describe(`${options.name}: HTTP wire (SPEC §2, §3, §4)`, () => {
    it("401 problem+json without an Authorization header", async () => {
      const response = await doFetch(base + buildUrlPath(routes.getProcessModels, {}, {}));
      await expectProblem(response, 401);
    });

    it("401 problem+json for an Authorization header that is not a bearer token", async () => {
      const response = await doFetch(base + buildUrlPath(routes.getProcessModels, {}, {}), {
        headers: { authorization: `Basic ${Buffer.from("clerk:secret").toString("base64")}` },
      });
      await expectProblem(response, 401);
    });

    it("401 comes before 400: an unknown token with malformed JSON", async () => {
      const response = await doFetch(startUrl(), {
        method: "POST",
        headers: { ...bearer(tokens.invalid), "content-type": "application/json" },
        body: "{ not json",
      });
      await expectProblem(response, 401);
    });

    it("400 problem+json for a malformed JSON start payload", async () => {
      const response = await doFetch(startUrl(), {
        method: "POST",
        headers: { ...bearer(tokens.clerk), "content-type": "application/json" },
        body: '{ "correlationId": ',
      });
      await expectProblem(response, 400);
    });

    it("400 naming startCallbackType for a value outside 1, 2, 3", async () => {
      const response = await doFetch(startUrl({ startCallbackType: "soon" }), {
        method: "POST",
        headers: { ...bearer(tokens.clerk), "content-type": "application/json" },
        body: JSON.stringify({ correlationId: newCorrelationId() }),
      });
      await expectProblem(response, 400, "startCallbackType");
    });

    it("400 naming end_event_id for startCallbackType=3 without it", async () => {
      const response = await doFetch(startUrl({ startCallbackType: "3" }), {
        method: "POST",
        headers: { ...bearer(tokens.clerk), "content-type": "application/json" },
        body: JSON.stringify({ correlationId: newCorrelationId() }),
      });
      await expectProblem(response, 400, "end_event_id");
    });

    it("a start without a body uses the defaults", async () => {
      const response = await doFetch(startUrl(), { method: "POST", headers: bearer(tokens.clerk) });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(typeof body.correlationId).toBe("string");
      expect(typeof body.processInstanceId).toBe("string");
    });

    it("400 for a trigger body that is not JSON", async () => {
      const correlationId = newCorrelationId();
      const started = await doFetch(
        base +
          buildUrlPath(
            routes.startProcessInstance,
            { process_model_key: "MessageWait", start_event_key: "MessageWaitStart" },
            {},
          ),
        {
          method: "POST",
          headers: { ...bearer(tokens.clerk), "content-type": "application/json" },
          body: JSON.stringify({ correlationId }),
        },
      );
      expect(started.status).toBe(200);
      const listed = await doFetch(
        base + buildUrlPath(routes.getEventsForCorrelation, { correlation_id: correlationId }, {}),
        { headers: bearer(tokens.clerk) },
      );
      const { events } = (await listed.json()) as { events: { eventId: string }[] };
      const eventId = events[0]?.eventId as string;
      const trigger = (body: string) =>
        doFetch(
          base +
            buildUrlPath(
              routes.triggerEvent,
              { process_model_key: "MessageWait", correlation_id: correlationId, event_id: eventId },
              {},
            ),
          { method: "POST", headers: { ...bearer(tokens.clerk), "content-type": "application/json" }, body },
        );
      await expectProblem(await trigger("{ paid: yes }"), 400);
      const ok = await trigger(JSON.stringify({ paid: true }));
      expect(ok.status).toBe(204);
      expect(await ok.text()).toBe("");
    });

    it("400 naming formFields for a finish whose body has none", async () => {
      const correlationId = newCorrelationId();
      const started = await doFetch(startUrl(), {
        method: "POST",
        headers: { ...bearer(tokens.clerk), "content-type": "application/json" },
        body: JSON.stringify({ correlationId }),
      });
      expect(started.status).toBe(200);
      const listed = await doFetch(
        base + buildUrlPath(routes.getUserTasksForCorrelation, { correlation_id: correlationId }, {}),
        { headers: bearer(tokens.clerk) },
      );
      const { userTasks } = (await listed.json()) as { userTasks: { id: string }[] };
      const response = await doFetch(
        base +
          buildUrlPath(
            routes.finishUserTask,
            {
              process_model_key: "Basic",
              correlation_id: correlationId,
              user_task_id: userTasks[0]?.id as string,
            },
            {},
          ),
        {
          method: "POST",
          headers: { ...bearer(tokens.clerk), "content-type": "application/json" },
          body: "{}",
        },
      );
      await expectProblem(response, 400, "formFields");
    });

    it("404 problem+json for an unknown model, with the status in the body", async () => {
      const response = await doFetch(
        base + buildUrlPath(routes.getProcessModelByKey, { process_model_key: "NoSuchModel" }, {}),
        { headers: bearer(tokens.clerk) },
      );
      await expectProblem(response, 404);
    });
  });
}
