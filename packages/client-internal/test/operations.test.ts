import {
  BadRequestError,
  ConflictError,
  type ConsumerApi,
  type ConsumerApiError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from "@consumer-api/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import type { InternalConsumerApi } from "../src/index.js";
import { as, useTestApi } from "./helpers.js";

let api: InternalConsumerApi;
useTestApi((opened) => {
  api = opened;
});

/** The rejection of a call, asserted to be a contract error of the given class. */
async function failure<E extends ConsumerApiError>(
  call: Promise<unknown>,
  ErrorClass: new (...args: never[]) => E,
): Promise<E> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ErrorClass);
  return error as E;
}

const noop = () => {};

describe("authentication comes first", () => {
  const calls: [string, (api: ConsumerApi, identity: unknown) => Promise<unknown>][] = [
    ["getProcessModels", (a, c) => a.getProcessModels(c as never)],
    ["getProcessModelByKey", (a, c) => a.getProcessModelByKey(c as never, "")],
    [
      "startProcessInstance",
      (a, c) => a.startProcessInstance(c as never, "", "", { correlationId: 5 } as never, 9 as never),
    ],
    ["getEventsForCorrelation", (a, c) => a.getEventsForCorrelation(c as never, "")],
    [
      "getEventsForProcessModelInCorrelation",
      (a, c) => a.getEventsForProcessModelInCorrelation(c as never, "", ""),
    ],
    ["triggerEvent", (a, c) => a.triggerEvent(c as never, "", "", "", () => 1)],
    ["getUserTasksForCorrelation", (a, c) => a.getUserTasksForCorrelation(c as never, "")],
    ["getUserTasksForProcessModel", (a, c) => a.getUserTasksForProcessModel(c as never, "")],
    [
      "getUserTasksForProcessModelInCorrelation",
      (a, c) => a.getUserTasksForProcessModelInCorrelation(c as never, "", ""),
    ],
    ["finishUserTask", (a, c) => a.finishUserTask(c as never, "", "", "", 7 as never)],
    ["getProcessResultForCorrelation", (a, c) => a.getProcessResultForCorrelation(c as never, "", "")],
    ["onBpmnEvent", (a, c) => a.onBpmnEvent(c as never, "", "", 1 as never)],
    ["onActivity", (a, c) => a.onActivity(c as never, "", "", 1 as never)],
    ["onSystemEvent", (a, c) => a.onSystemEvent(c as never, "", 1 as never)],
    ["onSignal", (a, c) => a.onSignal(c as never, "", 1 as never)],
  ];
  const badContexts: [string, unknown][] = [
    ["an unknown token", as.unknown],
    ["an empty token", { identity: "" }],
    ["no token", {}],
    ["no context", undefined],
    ["a non-string token", { identity: 42 }],
  ];

  it.each(calls)("%s answers 401 for every bad context, even with invalid arguments", async (_name, call) => {
    for (const [, context] of badContexts) {
      await failure(call(api, context), UnauthorizedError);
    }
  });

  it("authenticate resolves the identity or throws 401", async () => {
    expect(await api.authenticate(as.clerk)).toEqual({ userId: "clerk", claims: ["Clerks"] });
    await failure(api.authenticate(as.unknown), UnauthorizedError);
  });
});

describe("process models", () => {
  const keys = async (context: { identity: string }) =>
    (await api.getProcessModels(context)).processModels.map((m) => m.key).sort();

  it("lists only executable models with an accessible start event", async () => {
    expect(await keys(as.open)).toEqual(["Events", "Outcomes"]);
    expect(await keys(as.senior)).toEqual(["Events", "Outcomes"]);
    expect(await keys(as.clerk)).toEqual(["Events", "Outcomes", "Tasks"]);
    expect(await keys(as.boss)).toEqual(["Events", "Outcomes", "Tasks"]);
  });

  it("lists only the start and end events the caller may access", async () => {
    const clerkView = (await api.getProcessModels(as.clerk)).processModels.find((m) => m.key === "Tasks");
    expect(clerkView).toEqual({
      key: "Tasks",
      startEvents: [{ key: "StartClerk", data: {} }],
      endEvents: [],
    });
    const openOutcomes = await api.getProcessModelByKey(as.open, "Outcomes");
    expect(openOutcomes.endEvents.map((e) => e.key).sort()).toEqual(["EndError", "EndOpen", "EndTerminate"]);
    const managerOutcomes = await api.getProcessModelByKey(as.manager, "Outcomes");
    expect(managerOutcomes.endEvents.map((e) => e.key)).toContain("EndSecret");
  });

  it("getProcessModelByKey: 404 unknown or not executable, 403 no accessible start event, 400 empty key", async () => {
    await failure(api.getProcessModelByKey(as.boss, "Nope"), NotFoundError);
    await failure(api.getProcessModelByKey(as.boss, "Draft"), NotFoundError);
    await failure(api.getProcessModelByKey(as.open, "Tasks"), ForbiddenError);
    await failure(api.getProcessModelByKey(as.senior, "Tasks"), ForbiddenError);
    const bad = await failure(api.getProcessModelByKey(as.boss, ""), BadRequestError);
    expect(bad.detail).toMatch(/processModelKey/);
  });
});

describe("startProcessInstance", () => {
  it.each<[string, (a: ConsumerApi) => Promise<unknown>, RegExp]>([
    [
      "an unknown startCallbackType",
      (a) => a.startProcessInstance(as.open, "Outcomes", "Start", {}, 4 as never),
      /startCallbackType/,
    ],
    [
      "a string startCallbackType",
      (a) => a.startProcessInstance(as.open, "Outcomes", "Start", {}, "2" as never),
      /startCallbackType/,
    ],
    [
      "3 without an end event",
      (a) => a.startProcessInstance(as.open, "Outcomes", "Start", {}, 3),
      /endEventKey/,
    ],
    [
      "a non-string correlationId",
      (a) => a.startProcessInstance(as.open, "Outcomes", "Start", { correlationId: 5 } as never),
      /correlationId/,
    ],
    [
      "a payload that is not an object",
      (a) => a.startProcessInstance(as.open, "Outcomes", "Start", "x" as never),
      /payload/,
    ],
    [
      "inputValues that are not JSON",
      (a) => a.startProcessInstance(as.open, "Outcomes", "Start", { inputValues: { f: () => 1 } }),
      /inputValues\.f/,
    ],
    [
      "a correlationId with a lone surrogate (a correlation no other operation could name)",
      (a) => a.startProcessInstance(as.open, "Outcomes", "Start", { correlationId: "c\uD800" }),
      /correlationId/,
    ],
    ["an empty model key", (a) => a.startProcessInstance(as.open, "", "Start"), /processModelKey/],
    ["an empty start event key", (a) => a.startProcessInstance(as.open, "Outcomes", ""), /startEventKey/],
  ])("400 for %s, naming the field", async (_name, call, field) => {
    const error = await failure(call(api), BadRequestError);
    expect(error.detail).toMatch(field);
  });

  it("404 for an unknown or non-executable model, an unknown start event, an unknown awaited end event", async () => {
    await failure(api.startProcessInstance(as.boss, "Nope", "Start"), NotFoundError);
    await failure(api.startProcessInstance(as.boss, "Draft", "DraftStart"), NotFoundError);
    await failure(api.startProcessInstance(as.boss, "Outcomes", "Nope"), NotFoundError);
    await failure(api.startProcessInstance(as.boss, "Outcomes", "Start", {}, 3, "Nope"), NotFoundError);
  });

  it("403 for no access to the model, the start event, or the awaited end event", async () => {
    await failure(api.startProcessInstance(as.open, "Tasks", "StartClerk"), ForbiddenError);
    await failure(api.startProcessInstance(as.clerk, "Tasks", "StartManager"), ForbiddenError);
    await failure(
      api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { inputValues: { route: "secret" } },
        3,
        "EndSecret",
      ),
      ForbiddenError,
    );
  });

  it("callback 1 answers with the ids once the instance waits, and the wait is visible at once", async () => {
    const answer = await api.startProcessInstance(as.boss, "Tasks", "StartManager", {
      inputValues: { a: 1 },
    });
    expect(Object.keys(answer).sort()).toEqual(["correlationId", "processInstanceId"]);
    const tasks = await api.getUserTasksForCorrelation(as.boss, answer.correlationId);
    expect(tasks.userTasks.map((t) => t.key).sort()).toEqual([
      "ClerkTask",
      "ManagerTask",
      "OpenTask",
      "SeniorTask",
    ]);
    expect(tasks.userTasks.every((t) => t.processInstanceId === answer.processInstanceId)).toBe(true);
    expect(tasks.userTasks[0]?.tokenPayload).toEqual({ a: 1 });
  });

  it("takes the start payload as it is at the call, as the wire would", async () => {
    const payload = { inputValues: { a: 1, nested: { b: 2 } } };
    const pending = api.startProcessInstance(as.boss, "Tasks", "StartManager", payload);
    payload.inputValues.a = 99;
    payload.inputValues.nested.b = 99;
    const answer = await pending;
    const tasks = await api.getUserTasksForCorrelation(as.boss, answer.correlationId);
    expect(tasks.userTasks[0]?.tokenPayload).toEqual({ a: 1, nested: { b: 2 } });
  });

  it("joins the given correlation", async () => {
    const correlationId = `join-${Date.now()}`;
    const first = await api.startProcessInstance(as.open, "Outcomes", "Start", {
      correlationId,
      inputValues: { route: "wait" },
    });
    const second = await api.startProcessInstance(as.open, "Outcomes", "Start", {
      correlationId,
      inputValues: { route: "wait" },
    });
    expect(first.correlationId).toBe(correlationId);
    expect(second.correlationId).toBe(correlationId);
    expect(first.processInstanceId).not.toBe(second.processInstanceId);
    expect((await api.getUserTasksForCorrelation(as.open, correlationId)).userTasks).toHaveLength(2);
  });
});

describe("user tasks", () => {
  let correlationId: string;
  beforeAll(async () => {
    ({ correlationId } = await api.startProcessInstance(as.boss, "Tasks", "StartClerk"));
  });
  const taskKeys = async (context: { identity: string }) =>
    (await api.getUserTasksForCorrelation(context, correlationId)).userTasks.map((t) => t.key).sort();

  it("lists only tasks in accessible lanes, by the innermost lane", async () => {
    expect(await taskKeys(as.open)).toEqual(["OpenTask"]);
    expect(await taskKeys(as.clerk)).toEqual(["ClerkTask", "OpenTask"]);
    // SeniorTask lies in Seniors, nested in Managers: Managers alone does not reach it.
    expect(await taskKeys(as.manager)).toEqual(["ManagerTask", "OpenTask"]);
    expect(await taskKeys(as.senior)).toEqual(["OpenTask", "SeniorTask"]);
  });

  it("maps a task to the contract's DTO", async () => {
    const { userTasks } = await api.getUserTasksForProcessModelInCorrelation(as.open, "Tasks", correlationId);
    expect(userTasks).toHaveLength(1);
    const task = userTasks[0];
    expect(task).toMatchObject({
      key: "OpenTask",
      name: "Open task",
      processModelKey: "Tasks",
      correlationId,
    });
    expect(task?.data.formFields).toEqual([
      { id: "text", label: "Text", type: "string", defaultValue: "hello" },
      { id: "count", label: "Count", type: "long", defaultValue: 3, required: true },
      { id: "ratio", label: "Ratio", type: "number" },
      { id: "ok", label: "OK?", type: "boolean", defaultValue: true },
      { id: "due", label: "Due", type: "date" },
      {
        id: "level",
        label: "Level",
        type: "enum",
        defaultValue: "low",
        enumValues: [
          { id: "low", name: "Low" },
          { id: "high", name: "High" },
        ],
      },
    ]);
  });

  it("getUserTasksForProcessModel lists accessible tasks of every correlation", async () => {
    const { userTasks } = await api.getUserTasksForProcessModel(as.senior, "Tasks");
    expect(userTasks.some((t) => t.correlationId === correlationId && t.key === "SeniorTask")).toBe(true);
    expect(userTasks.every((t) => t.key === "SeniorTask" || t.key === "OpenTask")).toBe(true);
  });

  it("404 for an unknown correlation, an unknown model, a model not in the correlation", async () => {
    await failure(api.getUserTasksForCorrelation(as.boss, "no-such-correlation"), NotFoundError);
    await failure(api.getUserTasksForProcessModel(as.boss, "Nope"), NotFoundError);
    await failure(
      api.getUserTasksForProcessModelInCorrelation(as.boss, "Nope", correlationId),
      NotFoundError,
    );
    await failure(
      api.getUserTasksForProcessModelInCorrelation(as.boss, "Outcomes", correlationId),
      NotFoundError,
    );
    await failure(
      api.getUserTasksForProcessModelInCorrelation(as.boss, "Tasks", "no-such-correlation"),
      NotFoundError,
    );
  });

  it("finishUserTask: 403 inaccessible, 404 wrong model / correlation / id, 400 bad values, then 204", async () => {
    const all = (await api.getUserTasksForCorrelation(as.boss, correlationId)).userTasks;
    const byKey = (key: string) => all.find((t) => t.key === key)?.id as string;
    await failure(
      api.finishUserTask(as.clerk, "Tasks", correlationId, byKey("ManagerTask"), { formFields: {} }),
      ForbiddenError,
    );
    await failure(
      api.finishUserTask(as.manager, "Tasks", correlationId, byKey("SeniorTask"), { formFields: {} }),
      ForbiddenError,
    );
    await failure(
      api.finishUserTask(as.boss, "Outcomes", correlationId, byKey("OpenTask"), { formFields: { count: 1 } }),
      NotFoundError,
    );
    await failure(
      api.finishUserTask(as.boss, "Tasks", "no-such-correlation", byKey("OpenTask"), {
        formFields: { count: 1 },
      }),
      NotFoundError,
    );
    await failure(
      api.finishUserTask(as.boss, "Tasks", correlationId, "no-such-task", { formFields: { count: 1 } }),
      NotFoundError,
    );
    const missing = await failure(
      api.finishUserTask(as.open, "Tasks", correlationId, byKey("OpenTask"), { formFields: {} }),
      BadRequestError,
    );
    expect(missing.detail).toMatch(/formFields\.count/);
    const wrong = await failure(
      api.finishUserTask(as.open, "Tasks", correlationId, byKey("OpenTask"), {
        formFields: { count: 1, level: "medium" },
      }),
      BadRequestError,
    );
    expect(wrong.detail).toMatch(/formFields\.level/);
    const notResult = await failure(
      api.finishUserTask(as.open, "Tasks", correlationId, byKey("OpenTask"), { values: {} } as never),
      BadRequestError,
    );
    expect(notResult.detail).toMatch(/formFields/);

    await api.finishUserTask(as.open, "Tasks", correlationId, byKey("OpenTask"), {
      formFields: { count: 2, due: "2026-03-01", level: "high" },
    });
    expect(await taskKeys(as.boss)).toEqual(["ClerkTask", "ManagerTask", "SeniorTask"]);
    await failure(
      api.finishUserTask(as.open, "Tasks", correlationId, byKey("OpenTask"), { formFields: { count: 2 } }),
      NotFoundError,
    );
  });

  it("of concurrent finishes exactly one succeeds and the rest get 404", async () => {
    const { correlationId: c } = await api.startProcessInstance(as.open, "Outcomes", "Start", {
      inputValues: { route: "wait" },
    });
    const [task] = (await api.getUserTasksForCorrelation(as.open, c)).userTasks;
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        api.finishUserTask(as.open, "Outcomes", c, task?.id as string, { formFields: { comment: `#${i}` } }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    }
  });

  it("the token payload becomes exactly { formFields } and is the correlation's result", async () => {
    const { correlationId: c } = await api.startProcessInstance(as.open, "Outcomes", "Start", {
      inputValues: { route: "wait", n: 1 },
    });
    await failure(api.getProcessResultForCorrelation(as.open, "Outcomes", c), ConflictError);
    const [task] = (await api.getUserTasksForCorrelation(as.open, c)).userTasks;
    await api.finishUserTask(as.open, "Outcomes", c, task?.id as string, { formFields: { comment: "fine" } });
    const result = await api.getProcessResultForCorrelation(as.open, "Outcomes", c);
    expect(result).toEqual({
      correlationId: c,
      processModelKey: "Outcomes",
      processInstanceId: task?.processInstanceId,
      endEventKey: "EndOpen",
      result: { formFields: { comment: "fine" } },
    });
  });
});

describe("events", () => {
  let correlationId: string;
  beforeAll(async () => {
    ({ correlationId } = await api.startProcessInstance(as.open, "Events", "StartEvents"));
  });

  it("lists waiting events filtered by lane, mapped to the contract's DTO", async () => {
    const open = await api.getEventsForCorrelation(as.open, correlationId);
    expect(open.events).toEqual([
      {
        eventId: expect.any(String),
        eventKey: "Payment",
        processInstanceId: expect.any(String),
        processModelKey: "Events",
        correlationId,
        eventData: { eventType: "message", eventName: "payment" },
      },
    ]);
    const clerk = await api.getEventsForProcessModelInCorrelation(as.clerk, "Events", correlationId);
    expect(
      clerk.events.map((e) => [e.eventKey, e.eventData.eventType, e.eventData.eventName]).sort(),
    ).toEqual([
      ["GoClerk", "signal", "go"],
      ["Payment", "message", "payment"],
    ]);
  });

  it("404 for an unknown correlation, an unknown model, a model not in the correlation", async () => {
    await failure(api.getEventsForCorrelation(as.boss, "no-such-correlation"), NotFoundError);
    await failure(api.getEventsForProcessModelInCorrelation(as.boss, "Nope", correlationId), NotFoundError);
    await failure(
      api.getEventsForProcessModelInCorrelation(as.boss, "Outcomes", correlationId),
      NotFoundError,
    );
  });

  it("triggerEvent: 403 inaccessible, 404 wrong model / correlation / id, 400 non-JSON payload, then 204", async () => {
    const events = (await api.getEventsForCorrelation(as.clerk, correlationId)).events;
    const go = events.find((e) => e.eventKey === "GoClerk")?.eventId as string;
    const payment = events.find((e) => e.eventKey === "Payment")?.eventId as string;
    await failure(api.triggerEvent(as.open, "Events", correlationId, go), ForbiddenError);
    await failure(api.triggerEvent(as.open, "Outcomes", correlationId, payment), NotFoundError);
    await failure(api.triggerEvent(as.open, "Nope", correlationId, payment), NotFoundError);
    await failure(api.triggerEvent(as.open, "Events", "no-such-correlation", payment), NotFoundError);
    await failure(api.triggerEvent(as.open, "Events", correlationId, "no-such-event"), NotFoundError);
    const bad = await failure(
      api.triggerEvent(as.open, "Events", correlationId, payment, { n: 10n }),
      BadRequestError,
    );
    expect(bad.detail).toMatch(/payload\.n/);

    await api.triggerEvent(as.open, "Events", correlationId, payment, { paid: true });
    await failure(api.triggerEvent(as.open, "Events", correlationId, payment), NotFoundError);
    await api.triggerEvent(as.clerk, "Events", correlationId, go);
    expect((await api.getEventsForCorrelation(as.boss, correlationId)).events).toEqual([]);
    const result = await api.getProcessResultForCorrelation(as.open, "Events", correlationId);
    expect(result.endEventKey).toBe("EndEvents");
  });
});

describe("payload arguments", () => {
  it("triggerEvent takes the payload as it is at the call, as the wire would", async () => {
    const { correlationId } = await api.startProcessInstance(as.open, "Events", "StartEvents");
    const events = (await api.getEventsForCorrelation(as.clerk, correlationId)).events;
    await api.triggerEvent(
      as.clerk,
      "Events",
      correlationId,
      events.find((e) => e.eventKey === "GoClerk")?.eventId as string,
    );
    const payload = { paid: true, details: { amount: 5 } };
    const pending = api.triggerEvent(
      as.open,
      "Events",
      correlationId,
      events.find((e) => e.eventKey === "Payment")?.eventId as string,
      payload,
    );
    payload.paid = false;
    payload.details.amount = 0;
    await pending;
    const result = await api.getProcessResultForCorrelation(as.open, "Events", correlationId);
    expect(result.result).toEqual({ paid: true, details: { amount: 5 } });
  });
});

describe("getProcessResultForCorrelation", () => {
  it("403 when the end event is inaccessible, 404 unknown correlation or model not in it", async () => {
    const { correlationId } = await api.startProcessInstance(as.open, "Outcomes", "Start", {
      inputValues: { route: "secret" },
    });
    await failure(api.getProcessResultForCorrelation(as.open, "Outcomes", correlationId), ForbiddenError);
    expect(
      (await api.getProcessResultForCorrelation(as.manager, "Outcomes", correlationId)).endEventKey,
    ).toBe("EndSecret");
    await failure(
      api.getProcessResultForCorrelation(as.open, "Outcomes", "no-such-correlation"),
      NotFoundError,
    );
    await failure(api.getProcessResultForCorrelation(as.open, "Events", correlationId), NotFoundError);
  });

  it("409 when the only instance failed", async () => {
    const { correlationId } = await api.startProcessInstance(as.open, "Outcomes", "Start", {
      inputValues: { route: "fail" },
    });
    await failure(api.getProcessResultForCorrelation(as.open, "Outcomes", correlationId), ConflictError);
  });

  it("is the most recently finished instance's result", async () => {
    const correlationId = `latest-${Date.now()}`;
    await api.startProcessInstance(as.open, "Outcomes", "Start", {
      correlationId,
      inputValues: { route: "open", n: 1 },
    });
    const second = await api.startProcessInstance(as.open, "Outcomes", "Start", {
      correlationId,
      inputValues: { route: "open", n: 5 },
    });
    const result = await api.getProcessResultForCorrelation(as.open, "Outcomes", correlationId);
    expect(result.processInstanceId).toBe(second.processInstanceId);
    expect(result.result).toEqual({ doubled: 10 });
  });
});

describe("subscription arguments", () => {
  it("404 unknown model or element, 404 an element of the other kind, 403 inaccessible lane, 400 bad callback", async () => {
    await failure(api.onBpmnEvent(as.boss, "Nope", "EndOpen", noop), NotFoundError);
    await failure(api.onBpmnEvent(as.boss, "Outcomes", "Nope", noop), NotFoundError);
    await failure(api.onBpmnEvent(as.boss, "Outcomes", "Double", noop), NotFoundError);
    await failure(api.onActivity(as.boss, "Outcomes", "EndOpen", noop), NotFoundError);
    await failure(api.onActivity(as.boss, "Outcomes", "Route", noop), NotFoundError);
    await failure(api.onSystemEvent(as.boss, "Nope", noop), NotFoundError);
    await failure(api.onBpmnEvent(as.open, "Outcomes", "EndSecret", noop), ForbiddenError);
    await failure(api.onActivity(as.manager, "Tasks", "SeniorTask", noop), ForbiddenError);
    const bad = await failure(api.onSignal(as.open, "go", "not a function" as never), BadRequestError);
    expect(bad.detail).toMatch(/callback/);
    const badOption = await failure(
      api.onSystemEvent(as.open, "Outcomes", noop, { correlationId: 3 } as never),
      BadRequestError,
    );
    expect(badOption.detail).toMatch(/correlationId/);
  });

  it("400 naming the field, not 500, for keys that are not well-formed Unicode (a lone surrogate)", async () => {
    const signal = await failure(api.onSignal(as.open, "go\uD800", noop), BadRequestError);
    expect(signal.detail).toMatch(/signalKey/);
    const correlation = await failure(
      api.onSystemEvent(as.open, "Outcomes", noop, { correlationId: "\uDC00c" }),
      BadRequestError,
    );
    expect(correlation.detail).toMatch(/correlationId/);
    const tasks = await failure(api.getUserTasksForCorrelation(as.open, "c\uD800"), BadRequestError);
    expect(tasks.detail).toMatch(/correlationId/);
  });

  it("answers with the contract's channel strings", async () => {
    const subs = [
      await api.onBpmnEvent(as.open, "Outcomes", "EndOpen", noop),
      await api.onBpmnEvent(as.open, "Outcomes", "EndOpen", noop, { correlationId: "c 1" }),
      await api.onActivity(as.open, "Outcomes", "Double", noop),
      await api.onSystemEvent(as.open, "Outcomes", noop, { correlationId: "c1" }),
      await api.onSignal(as.open, "events-done", noop),
    ];
    expect(subs.map((s) => s.channel)).toEqual([
      "/process_model/Outcomes/events/EndOpen/process_notifications",
      "/process_model/Outcomes/correlations/c%201/events/EndOpen/process_notifications",
      "/process_model/Outcomes/activities/Double/process_notifications",
      "/process_model/Outcomes/correlations/c1/system_events",
      "/signals/events-done/process_notifications",
    ]);
    for (const s of subs) await s.unsubscribe();
  });
});
