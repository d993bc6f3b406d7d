import { afterEach, describe, expect, it } from "vitest";
import { EngineError } from "../src/types.js";
import { closeEngines, open, removeTempDirs } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

describe("queries", () => {
  it("lists waiting user tasks by correlation, by model and by both", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: "c1" });
    await engine.start({ processModelKey: "Parallel", startEventKey: "Start", correlationId: "c1" });
    await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: "c2" });
    const keys = (tasks: { processModelKey: string; correlationId: string }[]) =>
      tasks.map((task) => `${task.processModelKey}/${task.correlationId}`);
    expect(keys(await engine.listUserTasks({ correlationId: "c1" }))).toEqual(["Order/c1", "Parallel/c1"]);
    expect(keys(await engine.listUserTasks({ processModelKey: "Order" }))).toEqual(["Order/c1", "Order/c2"]);
    expect(keys(await engine.listUserTasks({ correlationId: "c1", processModelKey: "Order" }))).toEqual([
      "Order/c1",
    ]);
    expect(keys(await engine.listUserTasks({ correlationId: "c3" }))).toEqual([]);
    expect(await engine.listUserTasks({})).toHaveLength(3);
    const [task] = await engine.listUserTasks({ correlationId: "c2" });
    expect(await engine.getUserTask(task?.id as string)).toEqual(task);
    expect(await engine.getUserTask("unknown")).toBeUndefined();
    expect(task?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("lists waiting events by correlation, by model and by both", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "Messages", startEventKey: "Start", correlationId: "e1" });
    await engine.start({ processModelKey: "SignalWait", startEventKey: "Start", correlationId: "e1" });
    await engine.start({ processModelKey: "Messages", startEventKey: "Start", correlationId: "e2" });
    const keys = (events: { key: string; correlationId: string }[]) =>
      events.map((event) => `${event.key}/${event.correlationId}`);
    expect(keys(await engine.listEvents({ correlationId: "e1" }))).toEqual([
      "Payment/e1",
      "Delivery/e1",
      "WaitGo/e1",
    ]);
    expect(keys(await engine.listEvents({ processModelKey: "Messages" }))).toEqual([
      "Payment/e1",
      "Delivery/e1",
      "Payment/e2",
      "Delivery/e2",
    ]);
    expect(keys(await engine.listEvents({ correlationId: "e1", processModelKey: "SignalWait" }))).toEqual([
      "WaitGo/e1",
    ]);
    expect(
      (await engine.listEvents({ correlationId: "e1", processModelKey: "SignalWait" }))[0],
    ).toMatchObject({
      eventType: "signal",
      eventName: "go",
      lane: null,
    });
    expect(await engine.getEvent("unknown")).toBeUndefined();
  });

  it("knows correlations and the models they hold", async () => {
    const engine = await open();
    const generated = await engine.start({ processModelKey: "Manual", startEventKey: "Start" });
    expect(generated.instance.correlationId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: "k" });
    await engine.start({ processModelKey: "Manual", startEventKey: "Start", correlationId: "k" });
    await engine.start({ processModelKey: "Manual", startEventKey: "Start", correlationId: "k" });
    expect(await engine.hasCorrelation("k")).toBe(true);
    expect(await engine.hasCorrelation(generated.instance.correlationId)).toBe(true);
    expect(await engine.hasCorrelation("nope")).toBe(false);
    expect(await engine.correlationModels("k")).toEqual(["Manual", "Order"]);
    expect(await engine.correlationModels("nope")).toEqual([]);
  });

  it("finds the most recently finished instance of a model in a correlation", async () => {
    const engine = await open();
    expect(await engine.latestFinished("r", "ScriptGateway")).toBeUndefined();
    const first = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      correlationId: "r",
      inputValues: { amount: 20 },
    });
    const second = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      correlationId: "r",
      inputValues: { amount: 6 },
    });
    // A failed instance does not count; a running one neither.
    await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      correlationId: "r",
      inputValues: { amount: 0 },
    });
    await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: "r" });
    expect(first.instance.startedAt <= second.instance.startedAt).toBe(true);
    expect(await engine.latestFinished("r", "ScriptGateway")).toMatchObject({
      processInstanceId: second.instance.processInstanceId,
      endEventKey: "EndMid",
      result: { amount: 7 },
    });
    expect(await engine.latestFinished("r", "Order")).toBeUndefined();
    expect(await engine.latestFinished("other", "ScriptGateway")).toBeUndefined();
  });

  it("orders latestFinished by end, not by start", async () => {
    const engine = await open();
    const early = await engine.start({
      processModelKey: "Order",
      startEventKey: "StartWeb",
      correlationId: "o",
    });
    const late = await engine.start({
      processModelKey: "Order",
      startEventKey: "StartWeb",
      correlationId: "o",
    });
    const [lateTask] = (await engine.listUserTasks({ correlationId: "o" })).filter(
      (task) => task.processInstanceId === late.instance.processInstanceId,
    );
    const [earlyTask] = (await engine.listUserTasks({ correlationId: "o" })).filter(
      (task) => task.processInstanceId === early.instance.processInstanceId,
    );
    await engine.finishUserTask(lateTask?.id as string, { formFields: { amount: 1 } });
    await engine.finishUserTask(earlyTask?.id as string, { formFields: { amount: 100 } });
    expect((await engine.latestFinished("o", "Order"))?.processInstanceId).toBe(
      early.instance.processInstanceId,
    );
  });

  it("refuses unknown models, non-executable models and unknown start events", async () => {
    const engine = await open();
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => "resolved",
        (error: EngineError) => error.code,
      );
    await expect(code(engine.start({ processModelKey: "Nope", startEventKey: "Start" }))).resolves.toBe(
      "unknown_model",
    );
    await expect(code(engine.start({ processModelKey: "Draft", startEventKey: "DraftStart" }))).resolves.toBe(
      "not_executable",
    );
    await expect(code(engine.start({ processModelKey: "Order", startEventKey: "Review" }))).resolves.toBe(
      "unknown_start_event",
    );
    await expect(engine.start({ processModelKey: "Nope", startEventKey: "Start" })).rejects.toBeInstanceOf(
      EngineError,
    );
  });

  it("refuses finishing or triggering what does not wait", async () => {
    const engine = await open();
    await expect(engine.finishUserTask("nope", {})).rejects.toMatchObject({ code: "not_waiting" });
    await expect(engine.triggerEvent("nope")).rejects.toMatchObject({ code: "not_waiting" });
    const { instance } = await engine.start({ processModelKey: "SignalWait", startEventKey: "Start" });
    const [event] = await engine.listEvents({ correlationId: instance.correlationId });
    await engine.triggerEvent(event?.id as string);
    await expect(engine.triggerEvent(event?.id as string)).rejects.toMatchObject({ code: "not_waiting" });
  });

  it("finishes a task exactly once under concurrent finishes", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        engine.finishUserTask(task?.id as string, { formFields: { amount: index } }),
      ),
    );
    const fulfilled = attempts.filter((attempt) => attempt.status === "fulfilled");
    const rejected = attempts.filter((attempt) => attempt.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(7);
    for (const attempt of rejected) expect(attempt.reason).toMatchObject({ code: "not_waiting" });
    expect((await engine.getInstance(instance.processInstanceId))?.state).toBe("finished");
  });

  it("triggers an event exactly once under concurrent triggers", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "SignalWait", startEventKey: "Start" });
    const [event] = await engine.listEvents({ correlationId: instance.correlationId });
    const attempts = await Promise.allSettled(
      [1, 2, 3].map((n) => engine.triggerEvent(event?.id as string, { n })),
    );
    expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
  });

  it("publishes events only after commit, and a throwing listener harms nobody", async () => {
    const engine = await open();
    const seen: string[] = [];
    const visible: Promise<string>[] = [];
    engine.on(() => {
      throw new Error("bad listener");
    });
    engine.on((event) => {
      if (event.type === "activity.started") {
        // The step is committed: the task is already visible.
        const key = event.flowNodeKey;
        visible.push(
          engine.listUserTasks({ correlationId: event.correlationId }).then((t) => `${key}:${t.length}`),
        );
      }
    });
    const unsubscribe = engine.on((event) => seen.push(event.type));
    unsubscribe();
    const { instance } = await engine.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    expect(instance.state).toBe("running");
    expect(seen).toEqual([]);
    expect(await Promise.all(visible)).toEqual(["Review:1"]);
  });

  it("refuses use after close, and close is idempotent", async () => {
    const engine = await open();
    await engine.close();
    await engine.close();
    await expect(engine.start({ processModelKey: "Manual", startEventKey: "Start" })).rejects.toMatchObject({
      code: "closed",
    });
    await expect(engine.listUserTasks({})).rejects.toThrow(EngineError);
  });
});
