import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../src/types.js";
import { EngineError } from "../src/types.js";
import {
  closeEngines,
  eventKeys,
  events2,
  eventsSeen,
  finishTask as finish,
  open,
  record,
  removeTempDirs,
  sqliteRows,
  waitingKeys as taskKeys,
  tempDir,
  trace,
  waiting,
} from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const start = async (engine: Engine, processModelKey: string) =>
  (await engine.start({ processModelKey, startEventKey: "Start" })).instance;

describe("event sub-processes", () => {
  it("their message and signal start events wait while their scope runs, and go when it ends", async () => {
    const engine = await open({ models: events2 });
    const { correlationId } = await start(engine, "EspMessages");
    expect(await eventKeys(engine, correlationId)).toEqual(["CancelStart", "NoteStart", "PingStart"]);
    expect(await waiting(engine, correlationId, "NoteStart")).toMatchObject({
      eventType: "message",
      eventName: "esp-note",
    });
    expect(await finish(engine, correlationId, "Work")).toMatchObject({
      state: "finished",
      endEventKey: "WorkDone",
    });
    expect(await eventKeys(engine, correlationId)).toEqual([]);
  });

  it("an interrupting one cancels everything else in its scope atomically and runs instead", async () => {
    const engine = await open({ models: events2 });
    const events = record(engine);
    const instance = await start(engine, "EspMessages");
    const { correlationId } = instance;
    const [work] = await engine.listUserTasks({ correlationId });
    await engine.triggerEvent((await waiting(engine, correlationId, "CancelStart")).id, { why: "stop" });
    expect(await taskKeys(engine, correlationId)).toEqual(["Cleanup"]);
    // The scope's other event sub-processes no longer listen.
    expect(await eventKeys(engine, correlationId)).toEqual([]);
    await expect(engine.finishUserTask(work?.id as string, {})).rejects.toThrow(EngineError);
    expect((await engine.listUserTasks({ correlationId }))[0]?.tokenPayload).toEqual({ why: "stop" });
    expect(await finish(engine, correlationId, "Cleanup")).toMatchObject({
      state: "finished",
      endEventKey: "CleanedUp",
    });
    const seen = trace(events, instance.processInstanceId);
    expect(seen).toContain("activity.started:CancelHandler");
    expect(seen).toContain("event.triggered:CancelStart");
    expect(seen).toContain("activity.finished:CancelHandler");
    expect(seen).not.toContain("activity.finished:Work");
  });

  it("a non-interrupting one runs beside the rest, each time it occurs; the scope ends when all are done", async () => {
    const engine = await open({ models: events2 });
    const { correlationId, processInstanceId } = await start(engine, "EspMessages");
    await engine.triggerByName({
      eventType: "message",
      name: "esp-note",
      correlationId,
      payload: { n: 1 },
      mayAccess: () => true,
    });
    await engine.triggerEvent((await waiting(engine, correlationId, "NoteStart")).id, { n: 2 });
    expect(await taskKeys(engine, correlationId)).toEqual(["Note", "Note", "Work"]);
    await engine.triggerByName({ eventType: "signal", name: "esp-ping", mayAccess: () => true });
    expect(await eventKeys(engine, correlationId)).toEqual(["CancelStart", "NoteStart", "PingStart"]);
    expect((await finish(engine, correlationId, "Work")).state).toBe("running");
    await finish(engine, correlationId, "Note");
    const last = await finish(engine, correlationId, "Note");
    expect(last).toMatchObject({ state: "finished", endEventKey: "Noted" });
    expect((await engine.getInstance(processInstanceId))?.state).toBe("finished");
  });

  it("inside a sub-process: an error is caught by the sub-process's event sub-process before the boundary event", async () => {
    const engine = await open({ models: events2 });
    const { correlationId } = await start(engine, "EspInSub");
    expect(await eventKeys(engine, correlationId)).toEqual([
      "AbortSub",
      "OuterCancelStart",
      "SubCancelStart",
    ]);
    expect(await taskKeys(engine, correlationId)).toEqual(["Fail", "Inner"]);
    await finish(engine, correlationId, "Fail");
    // Inner is cancelled with the rest of the sub-process's scope; the sub-process itself still runs.
    expect(await taskKeys(engine, correlationId)).toEqual(["Repair"]);
    expect(await eventKeys(engine, correlationId)).toEqual(["AbortSub", "OuterCancelStart"]);
    await finish(engine, correlationId, "Repair");
    expect(await taskKeys(engine, correlationId)).toEqual(["AfterSub"]);
    expect(await finish(engine, correlationId, "AfterSub")).toMatchObject({
      state: "finished",
      endEventKey: "Done",
    });
  });

  it("an interrupting one inside a sub-process cancels only that scope; one of the process cancels all", async () => {
    const engine = await open({ models: events2 });
    const inner = await start(engine, "EspInSub");
    await engine.triggerEvent((await waiting(engine, inner.correlationId, "SubCancelStart")).id);
    expect(await taskKeys(engine, inner.correlationId)).toEqual(["AfterSub"]);
    const outer = await start(engine, "EspInSub");
    const done = await engine.triggerEvent(
      (await waiting(engine, outer.correlationId, "OuterCancelStart")).id,
    );
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "OuterCancelled" });
    expect(await taskKeys(engine, outer.correlationId)).toEqual([]);
    expect(await eventKeys(engine, outer.correlationId)).toEqual([]);
  });

  it("an interrupting boundary event on the sub-process withdraws the sub-process's event sub-processes too", async () => {
    const engine = await open({ models: events2 });
    const { correlationId } = await start(engine, "EspInSub");
    await engine.triggerEvent((await waiting(engine, correlationId, "AbortSub")).id);
    expect(await taskKeys(engine, correlationId)).toEqual([]);
    expect(await eventKeys(engine, correlationId)).toEqual([]);
  });

  it("are durable: armed and running ones survive a close and reopen of the data directory", async () => {
    const data = tempDir();
    const first = await open({ models: events2, data });
    const { correlationId, processInstanceId } = await start(first, "EspMessages");
    await first.triggerEvent((await waiting(first, correlationId, "NoteStart")).id);
    await first.close();
    const engine = await open({ models: events2, data });
    expect(await eventKeys(engine, correlationId)).toEqual(["CancelStart", "NoteStart", "PingStart"]);
    await engine.triggerEvent((await waiting(engine, correlationId, "CancelStart")).id);
    // The running non-interrupting one was cancelled with the rest of the scope.
    expect(await taskKeys(engine, correlationId)).toEqual(["Cleanup"]);
    await finish(engine, correlationId, "Cleanup");
    expect(await engine.getInstance(processInstanceId)).toMatchObject({
      state: "finished",
      endEventKey: "CleanedUp",
    });
  });

  it("an error event sub-process catches a script's BpmnError at the process level", async () => {
    const engine = await open({ models: events2 });
    const instance = await start(engine, "EspErrors");
    expect(instance).toMatchObject({ state: "finished", endEventKey: "ErrorHandled" });
  });

  it("a non-interrupting escalation event sub-process runs beside the thrower, which goes on", async () => {
    const engine = await open({ models: events2 });
    const { correlationId } = await start(engine, "EspEscalation");
    expect(await taskKeys(engine, correlationId)).toEqual(["AfterEscalation", "Escalated"]);
    await finish(engine, correlationId, "Escalated");
    expect(await finish(engine, correlationId, "AfterEscalation")).toMatchObject({
      state: "finished",
      endEventKey: "Done",
    });
  });

  it("an interrupting timer event sub-process fires once and cancels the scope", async () => {
    const data = tempDir();
    const engine = await open({ models: events2, data });
    const instance = await start(engine, "EspTimeout");
    const ended = await engine.whenEnded(instance.processInstanceId);
    expect(ended).toMatchObject({ state: "finished", endEventKey: "TimedOut" });
    expect(await taskKeys(engine, instance.correlationId)).toEqual([]);
    expect(sqliteRows(data, "SELECT id FROM timers")).toEqual([]);
  });

  it("a timeDate event sub-process whose date is past occurs at once", async () => {
    const engine = await open({ models: events2 });
    const instance = await start(engine, "EspDated");
    expect(await engine.whenEnded(instance.processInstanceId)).toMatchObject({ endEventKey: "WasOverdue" });
  });

  it("a non-interrupting timeCycle event sub-process runs once per occurrence (R2) while its scope runs", async () => {
    const data = tempDir();
    const engine = await open({ models: events2, data });
    const fired = eventsSeen(
      engine,
      2,
      (event) => event.type === "event.triggered" && event.flowNodeKey === "RemindStart",
    );
    const instance = await start(engine, "EspTimers");
    await fired;
    expect(await taskKeys(engine, instance.correlationId)).toEqual(["Remind", "Remind", "Slow"]);
    expect(sqliteRows(data, "SELECT id FROM timers")).toEqual([]);
  });

  it("a conditional one occurs when its condition becomes true after a step", async () => {
    const engine = await open({ models: events2 });
    const { correlationId } = await start(engine, "EspConditional");
    await finish(engine, correlationId, "Fill", { urgent: false });
    expect(await taskKeys(engine, correlationId)).toEqual(["Check"]);
    const again = await start(engine, "EspConditional");
    await finish(engine, again.correlationId, "Fill", { urgent: true });
    expect(await taskKeys(engine, again.correlationId)).toEqual(["Check", "Urgent"]);
    await finish(engine, again.correlationId, "Check");
    expect(await finish(engine, again.correlationId, "Urgent")).toMatchObject({
      state: "finished",
      endEventKey: "UrgentDone",
    });
  });
});
