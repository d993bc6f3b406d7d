import { API_PREFIX, buildPath, PROBLEM_CONTENT_TYPE, routes } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { schemaCheckedFetch } from "../src/index.js";

// Each case is one answer of a server under test, so the check is seen on exactly the body it judges.
const answering = (status: number, body: unknown, contentType = "application/json") =>
  schemaCheckedFetch(async () =>
    body === undefined
      ? new Response(null, { status })
      : new Response(JSON.stringify(body), { status, headers: { "content-type": contentType } }),
  );
const BASE = "http://server.test";
const modelUrl = BASE + buildPath(routes.getProcessModelByKey, { process_model_key: "Order" });
const model = { key: "Order", startEvents: [{ key: "Start1", data: {} }], endEvents: [] };

describe("schemaCheckedFetch", () => {
  it("accepts a response a later server extended with a key the contract does not name", async () => {
    const checked = answering(200, { ...model, version: 2, startEvents: [{ key: "S", data: {}, x: 1 }] });
    await checked.fetch(modelUrl);
    expect(checked.takeViolations()).toEqual([]);
  });

  it("accepts a problem+json with RFC 9457 extension members", async () => {
    const problem = { type: "about:blank", title: "Not Found", status: 404, detail: "no Order" };
    const checked = answering(
      404,
      { ...problem, instance: modelUrl, traceId: "00-ab" },
      PROBLEM_CONTENT_TYPE,
    );
    await checked.fetch(modelUrl);
    expect(checked.takeViolations()).toEqual([]);
  });

  it("rejects a response missing a required key, naming the route", async () => {
    const { endEvents: _, ...withoutEndEvents } = model;
    const checked = answering(200, withoutEndEvents);
    await checked.fetch(modelUrl);
    const violations = checked.takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(`GET ${routes.getProcessModelByKey.path}`);
    expect(violations[0]).toContain("endEvents");
  });

  it("rejects a key of the wrong type", async () => {
    const checked = answering(200, { ...model, key: 7 });
    await checked.fetch(modelUrl);
    expect(checked.takeViolations()).toHaveLength(1);
  });

  it("rejects a problem whose status differs from the HTTP status, and an error without problem+json", async () => {
    const problem = { type: "about:blank", title: "Bad Request", status: 400, detail: "d" };
    const mismatched = answering(404, problem, PROBLEM_CONTENT_TYPE);
    await mismatched.fetch(modelUrl);
    expect(mismatched.takeViolations()).toHaveLength(1);
    const plain = answering(404, problem);
    await plain.fetch(modelUrl);
    expect(plain.takeViolations()[0]).toContain(PROBLEM_CONTENT_TYPE);
  });

  it("rejects 200 with a body where the contract says 204", async () => {
    const checked = answering(200, { finished: true });
    const finish = buildPath(routes.finishUserTask, {
      process_model_key: "Order",
      correlation_id: "c",
      user_task_id: "t",
    });
    await checked.fetch(BASE + finish, { method: "POST" });
    expect(checked.takeViolations()[0]).toContain("204");
  });

  it("checks a server mounted under a path base as well", async () => {
    const { endEvents: _, ...withoutEndEvents } = model;
    const checked = answering(200, withoutEndEvents);
    await checked.fetch(modelUrl.replace(BASE, `${BASE}/tenant-a/app`));
    expect(checked.takeViolations()[0]).toContain("endEvents");
  });

  it("leaves responses outside the route table alone", async () => {
    const checked = answering(200, { anything: true });
    await checked.fetch(`${BASE}${API_PREFIX}/openapi.json`);
    expect(checked.takeViolations()).toEqual([]);
  });
});
