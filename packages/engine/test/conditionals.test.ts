import { afterEach, describe, expect, it } from "vitest";
import {
  closeEngines,
  events2,
  finishTask as finish,
  open,
  removeTempDirs,
  waitingKeys as taskKeys,
} from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

describe("conditional events", () => {
  it("a conditional catch event whose condition holds on arrival passes at once", async () => {
    const engine = await open({ models: events2 });
    const { instance } = await engine.start({
      processModelKey: "CondCatch",
      startEventKey: "Start",
      inputValues: { go: true },
    });
    expect(instance).toMatchObject({ state: "finished", endEventKey: "Went" });
    const waits = await engine.start({
      processModelKey: "CondCatch",
      startEventKey: "Start",
      inputValues: { go: false },
    });
    expect(waits.instance.state).toBe("running");
    // No row: a conditional event is not a §4.4 event.
    expect(await engine.listEvents({ correlationId: waits.instance.correlationId })).toEqual([]);
  });

  it("a waiting conditional catch event occurs in the step that makes its condition true", async () => {
    const engine = await open({ models: events2 });
    const { instance } = await engine.start({ processModelKey: "CondParallel", startEventKey: "Start" });
    const { correlationId } = instance;
    await finish(engine, correlationId, "Approve", { go: false });
    expect(await taskKeys(engine, correlationId)).toEqual(["Again"]);
    await finish(engine, correlationId, "Again");
    await finish(engine, correlationId, "Approve", { go: true });
    expect(await taskKeys(engine, correlationId)).toEqual(["Again", "Ship"]);
  });

  it("an interrupting conditional boundary event cancels its activity when the condition becomes true", async () => {
    const engine = await open({ models: events2 });
    const { instance } = await engine.start({ processModelKey: "CondBoundary", startEventKey: "Start" });
    const { correlationId } = instance;
    await finish(engine, correlationId, "Flag", { abort: false });
    expect(await taskKeys(engine, correlationId)).toEqual(["Flag", "Review"]);
    await finish(engine, correlationId, "Flag", { abort: true });
    expect(await taskKeys(engine, correlationId)).toEqual(["Flag"]);
  });

  it("a non-interrupting conditional boundary event occurs each time its condition becomes true, not while it stays true", async () => {
    const engine = await open({ models: events2 });
    const { instance } = await engine.start({ processModelKey: "CondBoundary", startEventKey: "Start" });
    const { correlationId } = instance;
    await finish(engine, correlationId, "Flag", { notice: true });
    expect(await taskKeys(engine, correlationId)).toEqual(["Flag", "Noticed", "Review"]);
    await finish(engine, correlationId, "Flag", { notice: true });
    expect(await taskKeys(engine, correlationId)).toEqual(["Flag", "Noticed", "Review"]);
    await finish(engine, correlationId, "Flag", { notice: false });
    await finish(engine, correlationId, "Flag", { notice: true });
    expect(await taskKeys(engine, correlationId)).toEqual(["Flag", "Noticed", "Noticed", "Review"]);
  });
});
