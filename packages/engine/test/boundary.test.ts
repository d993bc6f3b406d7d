import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../src/types.js";
import { EngineError } from "../src/types.js";
import {
  closeEngines,
  finishTask as finish,
  open,
  record,
  removeTempDirs,
  trace,
  waiting,
} from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const taskKeys = async (engine: Engine, correlationId: string) =>
  (await engine.listUserTasks({ correlationId })).map((task) => task.key);
const eventKeys = async (engine: Engine, correlationId: string) =>
  (await engine.listEvents({ correlationId })).map((event) => event.key);

describe("boundary events", () => {
  it("are listed while their activity waits, naming it, and withdrawn when it finishes", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "TaskBoundaries", startEventKey: "Start" });
    const { correlationId } = instance;
    expect(await waiting(engine, correlationId, "Cancel")).toMatchObject({
      eventType: "message",
      eventName: "cancel",
      attachedToKey: "Work",
    });
    expect(await waiting(engine, correlationId, "Ping")).toMatchObject({
      eventType: "signal",
      attachedToKey: "Work",
    });
    const done = await finish(engine, correlationId, "Work");
    expect(done).toMatchObject({ state: "finished", endEventKey: "Done" });
    expect(await eventKeys(engine, correlationId)).toEqual([]);
  });

  it("an interrupting message boundary event cancels the user task atomically", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({ processModelKey: "TaskBoundaries", startEventKey: "Start" });
    const { correlationId } = instance;
    const [task] = await engine.listUserTasks({ correlationId });
    const cancelled = await engine.triggerEvent((await waiting(engine, correlationId, "Cancel")).id, {
      why: "late",
    });
    expect(cancelled.instance.state).toBe("running");
    // Work and its other boundary event are gone; the instance runs on from the boundary event.
    expect(await taskKeys(engine, correlationId)).toEqual(["AfterCancel"]);
    expect(await eventKeys(engine, correlationId)).toEqual([]);
    await expect(engine.finishUserTask(task?.id as string, { formFields: {} })).rejects.toThrow(EngineError);
    expect((await engine.listUserTasks({ correlationId }))[0]?.tokenPayload).toEqual({ why: "late" });
    const done = await finish(engine, correlationId, "AfterCancel");
    expect(done).toMatchObject({ state: "finished", endEventKey: "Cancelled" });
    // The task was cancelled, not finished.
    const seen = trace(events, instance.processInstanceId);
    expect(seen).toContain("event.triggered:Cancel");
    expect(seen).not.toContain("activity.finished:Work");
    const boundary = events.find((event) => event.type === "event.triggered");
    expect(boundary).toMatchObject({ flowNodeType: "BoundaryEvent", attachedToKey: "Work", lane: null });
  });

  it("a non-interrupting signal boundary event starts a path each time and leaves the task waiting", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "TaskBoundaries", startEventKey: "Start" });
    const { correlationId } = instance;
    await engine.triggerEvent((await waiting(engine, correlationId, "Ping")).id);
    // Still armed for the next signal, under a new id.
    const again = await waiting(engine, correlationId, "Ping");
    await engine.triggerEvent(again.id);
    expect((await taskKeys(engine, correlationId)).sort()).toEqual(["Pinged", "Pinged", "Work"]);
    await finish(engine, correlationId, "Work");
    await finish(engine, correlationId, "Pinged");
    const done = await finish(engine, correlationId, "Pinged");
    expect(done).toMatchObject({ state: "finished", endEventKey: "PingDone" });
  });

  it("an interrupting timer boundary event cancels the user task when it is due", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "TaskDeadline", startEventKey: "DStart" });
    const ended = await engine.whenEnded(instance.processInstanceId);
    expect(ended).toMatchObject({ state: "finished", endEventKey: "TimedOut" });
    expect(await taskKeys(engine, instance.correlationId)).toEqual([]);
  });

  it("an interrupting boundary event on a sub-process withdraws everything inside in one step", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({ processModelKey: "SubBoundary", startEventKey: "SStart" });
    const { correlationId } = instance;
    expect(await taskKeys(engine, correlationId)).toEqual(["InnerTask"]);
    expect((await eventKeys(engine, correlationId)).sort()).toEqual(["Abort", "InnerWait"]);
    const aborted = await engine.triggerEvent((await waiting(engine, correlationId, "Abort")).id);
    expect(aborted.instance.state).toBe("running");
    expect(await taskKeys(engine, correlationId)).toEqual(["AfterAbort"]);
    expect(await eventKeys(engine, correlationId)).toEqual([]);
    expect(
      events.flatMap((event) => (event.type === "activity.finished" ? [event.flowNodeKey] : [])),
    ).toEqual([]);
    const done = await finish(engine, correlationId, "AfterAbort");
    expect(done).toMatchObject({ state: "finished", endEventKey: "Aborted" });
  });
});

describe("errors", () => {
  it("an error end event two levels down is caught by the outer sub-process's matching boundary event", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "ErrorLevels", startEventKey: "EStart" });
    const { correlationId } = instance;
    expect((await taskKeys(engine, correlationId)).sort()).toEqual(["Ask", "Sibling"]);
    const done = await finish(engine, correlationId, "Ask", { error: "inner" });
    // Inner catches only E-OTHER; Outer catches E-INNER, cancelling Sibling with it.
    expect(done).toMatchObject({ state: "finished", endEventKey: "InnerCaught" });
    expect(await taskKeys(engine, correlationId)).toEqual([]);
  });

  it("the innermost matching boundary event catches it", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "ErrorLevels", startEventKey: "EStart" });
    const { correlationId } = instance;
    const caught = await finish(engine, correlationId, "Ask", { error: "other" });
    // Inner's CatchOther caught it; Outer still runs (Sibling waits).
    expect(caught.state).toBe("running");
    expect(await taskKeys(engine, correlationId)).toEqual(["Sibling"]);
    const done = await finish(engine, correlationId, "Sibling");
    expect(done).toMatchObject({ state: "finished", endEventKey: "EDone" });
  });

  it("an error nothing catches fails the instance as before", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "ErrorLevels", startEventKey: "EStart" });
    const done = await finish(engine, instance.correlationId, "Ask", { error: "outer" });
    expect(done).toMatchObject({ state: "failed", failure: { kind: "error", flowNodeKey: "ThrowOuter" } });
    expect(await taskKeys(engine, instance.correlationId)).toEqual([]);
  });
});

describe("BpmnError thrown by a script", () => {
  // E-OWN: the script task's boundary event catches it inside Sub, which then completes (through OwnCaught).
  for (const [code, end, via] of [
    [undefined, "Done", "SubEnd"],
    ["E-OWN", "Done", "OwnCaught"],
    ["E-OTHER", "AnyCaught", "CatchAny"],
  ] as const) {
    it(`code ${code ?? "none"} ends at ${end} through ${via}`, async () => {
      const engine = await open();
      const events = record(engine);
      const { instance } = await engine.start({
        processModelKey: "ScriptBpmnError",
        startEventKey: "Start",
        inputValues: code === undefined ? {} : { code },
      });
      const ended = await engine.whenEnded(instance.processInstanceId);
      expect(ended).toMatchObject({ state: "finished", endEventKey: end });
      expect(ended.result).toEqual(code === undefined ? { safe: true } : { code });
      expect(trace(events, instance.processInstanceId).some((entry) => entry.endsWith(`:${via}`))).toBe(true);
    });
  }

  it("uncaught, it fails the instance as an error", async () => {
    const engine = await open();
    const { instance } = await engine.start({
      processModelKey: "ScriptBpmnErrorUncaught",
      startEventKey: "UStart",
    });
    const ended = await engine.whenEnded(instance.processInstanceId);
    expect(ended).toMatchObject({
      state: "failed",
      failure: { kind: "error", flowNodeKey: "Thrower", message: "BpmnError E-LOOSE: nobody catches this" },
    });
  });
});

describe("escalations", () => {
  it("a non-interrupting escalation boundary event starts a path; the thrower and its sub-process go on", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "EscalationNotice", startEventKey: "Start" });
    const { correlationId } = instance;
    expect((await taskKeys(engine, correlationId)).sort()).toEqual(["AfterThrow", "Noticed"]);
    await finish(engine, correlationId, "AfterThrow");
    const done = await finish(engine, correlationId, "Noticed");
    expect(done).toMatchObject({ state: "finished", endEventKey: "NoticedEnd" });
  });

  it("an escalation end event caught by an interrupting catch-all boundary event cancels the sub-process", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "EscalationStop", startEventKey: "XStart" });
    const { correlationId } = instance;
    const done = await finish(engine, correlationId, "Prepare");
    expect(done).toMatchObject({ state: "finished", endEventKey: "Stopped" });
    expect(await taskKeys(engine, correlationId)).toEqual([]);
  });

  it("an uncaught escalation does not fail the instance", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "EscalationLoose", startEventKey: "LStart" });
    expect(instance).toMatchObject({ state: "finished", endEventKey: "LDone" });
  });
});
