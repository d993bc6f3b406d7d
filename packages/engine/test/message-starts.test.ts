import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../src/types.js";
import { EngineError } from "../src/types.js";
import { closeEngines, events2, open, record, removeTempDirs, trace } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const everyone = () => true;
const openStarts = () => open({ models: events2 });
const tasksOf = async (engine: Engine, processModelKey: string) =>
  (await engine.listUserTasks({ processModelKey })).map((task) => ({
    key: task.key,
    correlationId: task.correlationId,
  }));

describe("message and signal start events (SPEC §6.1, §11)", () => {
  it("are not startable by id and not listed among a model's start events", async () => {
    const engine = await openStarts();
    expect(engine.models.get("MessageStarted")?.startEvents.map((event) => event.key)).toEqual([
      "ManualStart",
    ]);
    expect(engine.models.get("SignalStarted")?.startEvents).toEqual([]);
    await expect(
      engine.start({ processModelKey: "MessageStarted", startEventKey: "OrderStart" }),
    ).rejects.toMatchObject({ code: "unknown_start_event" });
    await expect(
      engine.start({ processModelKey: "SignalStarted", startEventKey: "AlarmStart" }),
    ).rejects.toThrow(EngineError);
  });

  it("a message by name with a correlation starts an instance in it; the payload is its input, the caller its starter", async () => {
    const engine = await openStarts();
    const events = record(engine);
    const { reached } = await engine.triggerByName({
      eventType: "message",
      name: "order-placed",
      correlationId: "c-order",
      payload: { item: 7 },
      mayAccess: everyone,
      starterId: "alice",
    });
    expect(reached).toBe(1);
    const [task] = await engine.listUserTasks({ correlationId: "c-order" });
    expect(task).toMatchObject({
      key: "Handle",
      processModelKey: "MessageStarted",
      tokenPayload: { item: 7 },
    });
    const instance = await engine.getInstance(task?.processInstanceId as string);
    expect(instance?.starterId).toBe("alice");
    expect(trace(events, task?.processInstanceId as string).slice(0, 2)).toEqual([
      "instance.started",
      "event.reached:OrderStart",
    ]);
  });

  it("without a correlation each start gets a new one; what the caller may not access is not started", async () => {
    const engine = await openStarts();
    await engine.triggerByName({ eventType: "message", name: "order-placed", mayAccess: everyone });
    await engine.triggerByName({ eventType: "message", name: "order-placed", mayAccess: everyone });
    const started = await tasksOf(engine, "MessageStarted");
    expect(started).toHaveLength(2);
    expect(started[0]?.correlationId).not.toBe(started[1]?.correlationId);
    const { reached } = await engine.triggerByName({
      eventType: "message",
      name: "order-placed",
      mayAccess: () => false,
    });
    expect(reached).toBe(0);
    expect(await tasksOf(engine, "MessageStarted")).toHaveLength(2);
  });

  it("a signal by name starts every signal start event (a new correlation each) and reaches every waiter", async () => {
    const engine = await openStarts();
    const waiter = await engine.start({ processModelKey: "AlarmWaiter", startEventKey: "Start" });
    const { reached } = await engine.triggerByName({
      eventType: "signal",
      name: "alarm",
      mayAccess: everyone,
    });
    expect(reached).toBe(2);
    expect((await engine.getInstance(waiter.instance.processInstanceId))?.state).toBe("finished");
    const [react] = await tasksOf(engine, "SignalStarted");
    expect(react?.key).toBe("React");
    expect(react?.correlationId).not.toBe(waiter.instance.correlationId);
  });

  it("a signal throw event starts signal start events too, in the throwing step", async () => {
    const engine = await openStarts();
    const raiser = await engine.start({ processModelKey: "AlarmRaiser", startEventKey: "Start" });
    expect(raiser.instance.state).toBe("finished");
    // Read-your-writes: started in the throwing step, so visible when its caller is answered.
    expect((await tasksOf(engine, "SignalStarted")).map((task) => task.key)).toEqual(["React"]);
  });
});

describe("sending messages (send task, message throw and end events)", () => {
  it("deliver by name within the sender's correlation only, and start message start events there", async () => {
    const engine = await openStarts();
    const here = await engine.start({
      processModelKey: "Receiver",
      startEventKey: "Start",
      correlationId: "c-here",
    });
    const elsewhere = await engine.start({
      processModelKey: "Receiver",
      startEventKey: "Start",
      correlationId: "c-elsewhere",
    });
    const sender = await engine.start({
      processModelKey: "Sender",
      startEventKey: "Start",
      correlationId: "c-here",
      inputValues: { note: "hi" },
    });
    expect(sender.instance.state).toBe("running");
    // The send task started an instance in the sender's correlation, with the sender's payload.
    expect(
      (await engine.listUserTasks({ correlationId: "c-here" })).map((task) => [task.key, task.tokenPayload]),
    ).toEqual(
      [
        ["AfterSend", { note: "hi" }],
        ["Handle", { note: "hi" }],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // The throw event reached the receiver in this correlation; it now waits at its receive task.
    expect((await engine.listEvents({ correlationId: "c-here" })).map((event) => event.key)).toEqual([
      "WaitReply",
    ]);
    expect((await engine.listEvents({ correlationId: "c-elsewhere" })).map((event) => event.key)).toEqual([
      "WaitNotify",
    ]);
    // The message end event reaches the receive task and ends both.
    const [after] = await engine.listUserTasks({ correlationId: "c-here", processModelKey: "Sender" });
    const done = await engine.finishUserTask(after?.id as string, { formFields: { reply: 1 } });
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "Reply" });
    expect(await engine.getInstance(here.instance.processInstanceId)).toMatchObject({
      state: "finished",
      endEventKey: "Replied",
      result: { formFields: { reply: 1 } },
    });
    expect((await engine.getInstance(elsewhere.instance.processInstanceId))?.state).toBe("running");
  });
});
