import { afterEach, describe, expect, it } from "vitest";
import { type Engine, EngineError, ModelLoadError, openEngine } from "../src/index.js";
import {
  closeEngines,
  fixtures,
  modelsDir,
  open,
  record,
  removeTempDirs,
  tempDir,
  trace,
} from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const fetchOne = (engine: Engine, workerId: string, topic: string, extra: { lanes?: string[] } = {}) =>
  engine.fetchAndLockExternalTasks({
    workerId,
    topics: [topic],
    lanes: extra.lanes ?? ["Billing"],
    maxTasks: 1,
    lockDurationMs: 60_000,
    longPollingTimeoutMs: 0,
  });

async function engineError(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe("external tasks", () => {
  it("service, business-rule and send tasks wait for workers; a result becomes the token payload", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "ExternalCharge",
      startEventKey: "Start",
      inputValues: { amount: 7 },
    });
    expect(instance.state).toBe("running");
    const [charge] = await fetchOne(engine, "w-1", "charge");
    expect(charge).toMatchObject({
      key: "Charge",
      topic: "charge",
      workerId: "w-1",
      processInstanceId: instance.processInstanceId,
      payload: { amount: 7 },
      lane: null,
    });
    expect(Date.parse(charge?.lockExpirationTime as string)).toBeGreaterThan(Date.now());
    // Locked: no other worker gets it.
    expect(await fetchOne(engine, "w-2", "charge")).toEqual([]);
    await engine.finishExternalTask("w-1", charge?.id as string, { charged: true });
    const [invoice] = await fetchOne(engine, "w-1", "invoice");
    expect(invoice?.payload).toEqual({ charged: true });
    await engine.finishExternalTask("w-1", invoice?.id as string, null);
    const [mail] = await fetchOne(engine, "w-1", "mail");
    expect(mail?.payload).toBeNull();
    const done = await engine.finishExternalTask("w-1", mail?.id as string, ["sent"]);
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "End", result: ["sent"] });
    expect(trace(events, instance.processInstanceId)).toEqual([
      "instance.started",
      "event.reached:Start",
      "activity.started:Charge",
      "activity.finished:Charge",
      "activity.started:Invoice",
      "activity.finished:Invoice",
      "activity.started:Mail",
      "activity.finished:Mail",
      "event.reached:End",
      "instance.finished",
    ]);
    expect((await engineError(engine.finishExternalTask("w-1", mail?.id as string, 1))).code).toBe(
      "not_waiting",
    );
  });

  it("only the holder may act, also after its lock expired; whoever locks an expired task holds it", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const [task] = await engine.fetchAndLockExternalTasks({
      workerId: "w-1",
      topics: ["charge"],
      lanes: [],
      maxTasks: 5,
      lockDurationMs: 1,
      longPollingTimeoutMs: 0,
    });
    const id = task?.id as string;
    expect((await engineError(engine.finishExternalTask("w-2", id, 1))).code).toBe("locked");
    expect((await engineError(engine.extendExternalTaskLock("w-2", id, 10))).code).toBe("locked");
    expect((await engineError(engine.handleExternalTaskServiceError("w-2", id, "x"))).code).toBe("locked");
    // The expired lock: w-2 waits for it by long polling (woken by the expiry, not by a step).
    const [relocked] = await engine.fetchAndLockExternalTasks({
      workerId: "w-2",
      topics: ["charge"],
      lanes: [],
      maxTasks: 1,
      lockDurationMs: 60_000,
      longPollingTimeoutMs: 60_000,
    });
    expect(relocked).toMatchObject({ id, workerId: "w-2" });
    expect((await engineError(engine.finishExternalTask("w-1", id, 1))).code).toBe("locked");
    expect((await engineError(engine.extendExternalTaskLock("w-1", id, 10))).code).toBe("locked");
    await engine.extendExternalTaskLock("w-2", id, 120_000);
    expect(Date.parse((await engine.getExternalTask(id))?.lockExpirationTime as string)).toBeGreaterThan(
      Date.now() + 60_000,
    );
    await engine.finishExternalTask("w-2", id, {});
    expect(await engine.getExternalTask(id)).toBeUndefined();
  }, 30_000);

  it("the holder of an expired lock may still finish while nobody else took the task", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const [task] = await engine.fetchAndLockExternalTasks({
      workerId: "w-1",
      topics: ["charge"],
      lanes: [],
      maxTasks: 1,
      lockDurationMs: 1,
      longPollingTimeoutMs: 0,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await engine.finishExternalTask("w-1", task?.id as string, { late: true });
    expect((await fetchOne(engine, "w-1", "invoice"))[0]?.payload).toEqual({ late: true });
  });

  it("a long poll answers as soon as a step creates a task; empty after its timeout; an abort ends it", async () => {
    const engine = await open();
    const polling = engine.fetchAndLockExternalTasks({
      workerId: "w-1",
      topics: ["mail", "charge"],
      lanes: [],
      maxTasks: 3,
      lockDurationMs: 60_000,
      longPollingTimeoutMs: 600_000,
    });
    // Let the poll go to sleep first: the creating step then hands it the task in its own commit.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { instance } = await engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const tasks = await polling;
    expect(tasks.map((task) => [task.key, task.processInstanceId])).toEqual([
      ["Charge", instance.processInstanceId],
    ]);
    expect(
      await engine.fetchAndLockExternalTasks({
        workerId: "w-1",
        topics: ["charge"],
        lanes: [],
        maxTasks: 1,
        lockDurationMs: 1000,
        longPollingTimeoutMs: 30,
      }),
    ).toEqual([]);
    const controller = new AbortController();
    const aborted = engine.fetchAndLockExternalTasks({
      workerId: "w-1",
      topics: ["charge"],
      lanes: [],
      maxTasks: 1,
      lockDurationMs: 1000,
      longPollingTimeoutMs: 600_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("gone")), 10);
    await expect(aborted).rejects.toThrow("gone");
  }, 30_000);

  it("many pollers wait; each new task wakes one of them, and every task reaches a poller", async () => {
    const engine = await open();
    const pollers = Array.from({ length: 50 }, (_, index) =>
      engine.fetchAndLockExternalTasks({
        workerId: `w-${index}`,
        topics: ["charge"],
        lanes: [],
        maxTasks: 1,
        lockDurationMs: 60_000,
        longPollingTimeoutMs: 600_000,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = await Promise.all(
      Array.from({ length: 50 }, () =>
        engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" }),
      ),
    );
    const got = (await Promise.all(pollers)).flat();
    expect(got.map((task) => task.processInstanceId).sort()).toEqual(
      started.map((s) => s.instance.processInstanceId).sort(),
    );
  }, 60_000);

  it("fetch sees only tasks in no lane or in the given lanes", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const [charge] = await fetchOne(engine, "w-1", "charge", { lanes: [] });
    await engine.finishExternalTask("w-1", charge?.id as string, {});
    expect(await fetchOne(engine, "w-1", "invoice", { lanes: ["Sales"] })).toEqual([]);
    expect(await fetchOne(engine, "w-1", "invoice", { lanes: ["Billing"] })).toHaveLength(1);
  });

  it("a service error and an uncaught BPMN error fail the instance", async () => {
    const engine = await open();
    const events = record(engine);
    const first = await engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const [task] = await fetchOne(engine, "w-1", "charge");
    const failed = await engine.handleExternalTaskServiceError(
      "w-1",
      task?.id as string,
      "card API down",
      { retry: 3 },
      "E42",
    );
    expect(failed.instance).toMatchObject({
      processInstanceId: first.instance.processInstanceId,
      state: "failed",
      failure: {
        kind: "failure",
        flowNodeKey: "Charge",
        message: "card API down",
        errorCode: "E42",
        errorDetails: { retry: 3 },
      },
    });
    expect(events.at(-1)).toMatchObject({ type: "instance.terminated" });
    await engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const [second] = await fetchOne(engine, "w-1", "charge");
    const uncaught = await engine.handleExternalTaskBpmnError(
      "w-1",
      second?.id as string,
      "declined",
      "no funds",
    );
    expect(uncaught.instance).toMatchObject({
      state: "failed",
      failure: { kind: "error", flowNodeKey: "Charge", errorCode: "declined" },
    });
    expect(uncaught.instance.failure?.message).toContain("no funds");
    expect(await engine.getExternalTask(second?.id as string)).toBeUndefined();
  });

  it("concurrent finishes: exactly one succeeds", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const [task] = await fetchOne(engine, "w-1", "charge");
    const outcomes = await Promise.allSettled([
      engine.finishExternalTask("w-1", task?.id as string, 1),
      engine.finishExternalTask("w-1", task?.id as string, 2),
      engine.handleExternalTaskServiceError("w-1", task?.id as string, "x"),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
  });

  it("locks survive a restart", async () => {
    const data = tempDir();
    const first = await openEngine({ models: fixtures, data });
    await first.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const [task] = await fetchOne(first, "w-1", "charge");
    await first.close();
    const second = await open({ data });
    expect(await fetchOne(second, "w-2", "charge")).toEqual([]);
    expect((await engineError(second.finishExternalTask("w-2", task?.id as string, 1))).code).toBe("locked");
    expect(await second.getExternalTask(task?.id as string)).toMatchObject({
      workerId: "w-1",
      payload: undefined,
    });
    await second.finishExternalTask("w-1", task?.id as string, 1);
  });

  it("a BPMN error goes to the task's error boundary event, else the enclosing sub-process's; else it fails", async () => {
    const engine = await open();
    const events = record(engine);
    const run = async (code: string) => {
      const { instance } = await engine.start({
        processModelKey: "ExternalBoundary",
        startEventKey: "Start",
        inputValues: { code },
      });
      const [task] = await fetchOne(engine, "w-1", "boundary.charge");
      expect(task?.processInstanceId).toBe(instance.processInstanceId);
      const { instance: after } = await engine.handleExternalTaskBpmnError("w-1", task?.id as string, code);
      return { after, keys: trace(events, instance.processInstanceId) };
    };
    const declined = await run("declined");
    expect(declined.after).toMatchObject({
      state: "finished",
      endEventKey: "Done",
      result: { code: "declined" },
    });
    expect(declined.keys).toContain("event.reached:DeclinedEnd");
    const fraud = await run("fraud");
    expect(fraud.after).toMatchObject({ state: "finished", endEventKey: "FraudEnd" });
    expect(fraud.keys).not.toContain("event.reached:DeclinedEnd");
    const other = await run("other");
    expect(other.after).toMatchObject({ state: "failed", failure: { kind: "error", errorCode: "other" } });
    expect(await fetchOne(engine, "w-2", "boundary.charge")).toEqual([]);
  });

  it("an interrupting boundary event withdraws the external task: its worker gets not_waiting", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "ExternalBoundary", startEventKey: "Start" });
    const [task] = await fetchOne(engine, "w-1", "boundary.charge");
    await engine.handleExternalTaskBpmnError("w-1", task?.id as string, "fraud");
    expect(await engine.getExternalTask(task?.id as string)).toBeUndefined();
    expect((await engineError(engine.finishExternalTask("w-1", task?.id as string, 1))).code).toBe(
      "not_waiting",
    );
  });

  describe("refused at load, naming file, element and reason", () => {
    const loadError = async (dir: string) => {
      const error = await openEngine({ models: dir, data: ":memory:" }).then(
        async (engine) => {
          await engine.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ModelLoadError);
      return error as ModelLoadError;
    };

    it("an external task without a topic", async () => {
      const error = await loadError(modelsDir("invalid/external-without-topic.bpmn"));
      expect(error.file).toMatch(/external-without-topic\.bpmn$/);
      expect(error.elementId).toBe("Work");
      expect(error.reason).toMatch(/camunda:topic/);
    });
  });
});
