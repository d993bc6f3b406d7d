import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../src/types.js";
import { EngineError } from "../src/types.js";
import { closeEngines, open, record, removeTempDirs, trace } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

async function run(engine: Engine, processModelKey: string, startEventKey: string, inputValues: unknown) {
  return (await engine.start({ processModelKey, startEventKey, inputValues })).instance;
}

describe("multi-instance", () => {
  it("parallel over a collection: each iteration sees its element; the output is the results in order", async () => {
    const engine = await open();
    const done = await run(engine, "MiParallelScript", "MpsStart", { items: [1, 2, 3] });
    expect(done.result).toEqual([
      { square: 1, loop: { counter: 1, element: 1, count: 3 } },
      { square: 4, loop: { counter: 2, element: 2, count: 3 } },
      { square: 9, loop: { counter: 3, element: 3, count: 3 } },
    ]);
  });

  it("an empty collection or a cardinality of 0 runs no iteration and outputs []", async () => {
    const engine = await open();
    const events = record(engine);
    const done = await run(engine, "MiSequentialScript", "MssStart", { n: 0 });
    expect(done.result).toEqual([]);
    expect(trace(events, done.processInstanceId)).not.toContain("activity.started:Count");
    expect((await run(engine, "MiParallelScript", "MpsStart", { items: [] })).result).toEqual([]);
  });

  it("a collection that is not an array, or a cardinality that is no whole number, fails the instance", async () => {
    const engine = await open();
    const notArray = await run(engine, "MiParallelScript", "MpsStart", { items: 3 });
    expect(notArray).toMatchObject({ state: "failed", failure: { flowNodeKey: "Square" } });
    expect(notArray.failure?.message).toMatch(/camunda:collection is not an array/);
    const fraction = await run(engine, "MiSequentialScript", "MssStart", { n: 1.5 });
    expect(fraction.failure?.message).toMatch(/loopCardinality is not a whole number/);
  });

  it("sequential: one iteration after the other (each sees the one before in token.history); the completionCondition stops it", async () => {
    const engine = await open();
    const done = await run(engine, "MiSequentialScript", "MssStart", { n: 5, stopAt: 2 });
    expect(done.result).toEqual([
      { counter: 1, count: 5, stopAt: 2, before: null },
      { counter: 2, count: 5, stopAt: 2, before: { counter: 1, count: 5, stopAt: 2, before: null } },
    ]);
  });

  it("parallel user tasks wait separately, each finished on its own; the completionCondition cancels the rest", async () => {
    const engine = await open();
    const started = await run(engine, "MiParallelTasks", "MptStart", { approvers: ["ann", "bob", "cy"] });
    const { correlationId } = started;
    const waiting = await engine.listUserTasks({ correlationId });
    expect(waiting.map((task) => [task.key, (task.tokenPayload as { approver: string }).approver])).toEqual([
      ["Approve", "ann"],
      ["Approve", "bob"],
      ["Approve", "cy"],
    ]);
    const [ann, bob, cy] = waiting;
    const first = await engine.finishUserTask(bob?.id as string, { formFields: { approved: true } });
    expect(first.instance.state).toBe("running");
    expect((await engine.listUserTasks({ correlationId })).map((task) => task.id)).toEqual([ann?.id, cy?.id]);
    await expect(
      engine.finishUserTask(bob?.id as string, { formFields: { approved: true } }),
    ).rejects.toThrow(EngineError);
    // A rejection completes the activity: the other approval is withdrawn.
    const done = await engine.finishUserTask(cy?.id as string, { formFields: { approved: false } });
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "MptEnd" });
    expect(done.instance.result).toEqual([
      { formFields: { approved: true } },
      { formFields: { approved: false } },
    ]);
    expect(await engine.listUserTasks({ correlationId })).toEqual([]);
    expect(await engine.listEvents({ correlationId })).toEqual([]);
    await expect(
      engine.finishUserTask(ann?.id as string, { formFields: { approved: true } }),
    ).rejects.toThrow(EngineError);
  });

  it("with no completionCondition true, the activity completes when every iteration has", async () => {
    const engine = await open();
    const started = await run(engine, "MiParallelTasks", "MptStart", { approvers: ["ann", "bob"] });
    const [ann, bob] = await engine.listUserTasks({ correlationId: started.correlationId });
    await engine.finishUserTask(ann?.id as string, { formFields: { approved: true } });
    const done = await engine.finishUserTask(bob?.id as string, { formFields: { approved: true } });
    expect(done.instance.result).toEqual([
      { formFields: { approved: true } },
      { formFields: { approved: true } },
    ]);
  });

  it("a boundary event applies to the whole activity: one armed, and interrupting, it cancels every iteration", async () => {
    const engine = await open();
    const started = await run(engine, "MiParallelTasks", "MptStart", { approvers: ["ann", "bob", "cy"] });
    const { correlationId } = started;
    const armed = await engine.listEvents({ correlationId });
    expect(armed.map((event) => event.key)).toEqual(["AbortLoop"]);
    const done = await engine.triggerEvent(armed[0]?.id as string);
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "MptAborted" });
    expect(await engine.listUserTasks({ correlationId })).toEqual([]);
  });

  it("on a sub-process, scripts inside an iteration see its token.loop", async () => {
    const engine = await open();
    const done = await run(engine, "MiSubProcess", "MspStart", { items: ["a", "b"] });
    expect(done.result).toEqual([{ label: "#1/2:a" }, { label: "#2/2:b" }]);
  });

  it("on a call activity, each iteration calls the process with its element", async () => {
    const engine = await open();
    const done = await run(engine, "MiCall", "MicStart", { values: [5, 7], quick: true });
    expect(done.result).toEqual([{ value: 10 }, { value: 14 }]);
  });
});

describe("standard loops", () => {
  it("loop while the condition holds after each iteration (do-while): each continues with the last result", async () => {
    const engine = await open();
    const done = await run(engine, "StandardLoop", "SlStart", { n: 0, until: 3 });
    expect(done.result).toEqual({ n: 3, until: 3, counters: [1, 2, 3] });
    // Without testBefore it runs once even when the condition is false from the start.
    expect((await run(engine, "StandardLoop", "SlStart", { n: 5, until: 3 })).result).toEqual({
      n: 6,
      until: 3,
      counters: [1],
    });
  });

  it("stop at loopMaximum", async () => {
    const engine = await open();
    const done = await run(engine, "StandardLoop", "SlStart", { n: 0, until: 100 });
    expect(done.result).toMatchObject({ n: 10 });
  });

  it("with testBefore, check the condition first: it may run no iteration", async () => {
    const engine = await open();
    const events = record(engine);
    const none = await run(engine, "StandardLoopBefore", "SlbStart", { n: 5, until: 3 });
    expect(none.result).toEqual({ n: 5, until: 3 });
    expect(trace(events, none.processInstanceId)).not.toContain("activity.started:IncrementBefore");
    expect((await run(engine, "StandardLoopBefore", "SlbStart", { n: 1, until: 3 })).result).toEqual({
      n: 3,
      until: 3,
    });
  });
});

describe("token quantities", () => {
  it("startQuantity waits for that many tokens; completionQuantity sends that many on each flow", async () => {
    const engine = await open();
    const events = record(engine);
    const started = await run(engine, "Quantities", "QStart", undefined);
    const steps = trace(events, started.processInstanceId);
    // Two tokens arrive at Gather, which starts once; Emit sends two tokens to Twice.
    expect(steps.filter((step) => step === "activity.started:Gather")).toHaveLength(1);
    expect(
      (await engine.listUserTasks({ correlationId: started.correlationId })).map((task) => task.key),
    ).toEqual(["Twice", "Twice"]);
  });
});
