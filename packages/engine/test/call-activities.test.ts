import { afterEach, describe, expect, it } from "vitest";
import { MAX_CALL_DEPTH } from "../src/interpreter.js";
import type { Engine } from "../src/types.js";
import { EngineError } from "../src/types.js";
import { closeEngines, open, record, removeTempDirs } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const tasks = (engine: Engine, correlationId: string) => engine.listUserTasks({ correlationId });

async function startParent(engine: Engine, inputValues: unknown) {
  return (await engine.start({ processModelKey: "CallParent", startEventKey: "Start", inputValues }))
    .instance;
}

describe("call activities", () => {
  it("start the called process in the caller's correlation with the token payload, and take its result", async () => {
    const engine = await open();
    const events = record(engine);
    const parent = await startParent(engine, { value: 3 });
    expect(parent.state).toBe("running");
    const [childTask] = await tasks(engine, parent.correlationId);
    expect(childTask).toMatchObject({
      key: "ChildTask",
      processModelKey: "CallChild",
      tokenPayload: { value: 3 },
    });
    const child = await engine.getInstance(childTask?.processInstanceId as string);
    expect(child).toMatchObject({ state: "running", correlationId: parent.correlationId });
    expect((await engine.correlationModels(parent.correlationId)).sort()).toEqual([
      "CallChild",
      "CallParent",
    ]);
    const done = await engine.finishUserTask(childTask?.id as string, { formFields: { answer: 42 } });
    expect(done.instance).toMatchObject({
      processModelKey: "CallChild",
      state: "finished",
      endEventKey: "ChildEnd",
    });
    // The called instance's result is the call activity's output.
    const [after] = await tasks(engine, parent.correlationId);
    expect(after).toMatchObject({ key: "AfterCall", processInstanceId: parent.processInstanceId });
    expect(after?.tokenPayload).toEqual({ value: 6, answer: 42 });
    expect((await engine.latestFinished(parent.correlationId, "CallChild"))?.result).toEqual({
      value: 6,
      answer: 42,
    });
    const started = events.filter((event) => event.type === "instance.started").map((e) => e.processModelKey);
    expect(started).toEqual(["CallParent", "CallChild"]);
  });

  it("a called process that ends at once returns within the caller's step", async () => {
    const engine = await open();
    const parent = await startParent(engine, { value: 4, quick: true });
    expect((await tasks(engine, parent.correlationId)).map((task) => [task.key, task.tokenPayload])).toEqual([
      ["AfterCall", { value: 8 }],
    ]);
  });

  it("read-your-writes: the caller is answered once its called instance's scripts are done (they run as jobs)", async () => {
    // Every script runs as a script job, off the step that reached it.
    const engine = await open({ scriptInlineMs: 0 });
    const parent = await startParent(engine, { value: 5, quick: true });
    expect((await tasks(engine, parent.correlationId)).map((task) => [task.key, task.tokenPayload])).toEqual([
      ["AfterCall", { value: 10 }],
    ]);
    // A sequence of calls, each called instance's script a job: answered at the end, not at a return between.
    const { instance } = await engine.start({
      processModelKey: "MiCall",
      startEventKey: "MicStart",
      inputValues: { values: [5, 7, 9], quick: true },
    });
    expect(instance).toMatchObject({
      state: "finished",
      result: [{ value: 10 }, { value: 14 }, { value: 18 }],
    });
    // Parallel calls, each called instance's gateway a job: answered once every one of them waits.
    const parallel = await engine.start({
      processModelKey: "MiCallParallel",
      startEventKey: "McpStart",
      inputValues: { values: [1, 2, 3] },
    });
    const waiting = await engine.listUserTasks({ correlationId: parallel.instance.correlationId });
    expect(waiting.map((task) => (task.tokenPayload as { value: number }).value).sort()).toEqual([1, 2, 3]);
  });

  it("a BPMN error ending the called process reaches the call activity's error boundary event", async () => {
    const engine = await open();
    const parent = await startParent(engine, { fail: true });
    expect(parent).toMatchObject({ state: "finished", endEventKey: "ErrorCaught" });
    const child = await engine.latestFinished(parent.correlationId, "CallChild");
    expect(child).toBeUndefined();
  });

  it("a called process that fails fails its caller at the call activity", async () => {
    const engine = await open();
    const parent = await startParent(engine, { crash: true });
    expect(parent.state).toBe("failed");
    expect(parent.failure).toMatchObject({ kind: "failure", flowNodeKey: "Call" });
    expect(parent.failure?.message).toMatch(
      /the called process CallChild failed: script failed: child crashed/,
    );
  });

  it("an interrupting boundary event terminates the called instance: its tasks vanish and cannot be finished", async () => {
    const engine = await open();
    const events = record(engine);
    const parent = await startParent(engine, { value: 1 });
    const [childTask] = await tasks(engine, parent.correlationId);
    const abort = (await engine.listEvents({ correlationId: parent.correlationId })).find(
      (e) => e.key === "AbortCall",
    );
    expect(abort?.attachedToKey).toBe("Call");
    const after = await engine.triggerEvent(abort?.id as string);
    expect(after.instance).toMatchObject({ state: "finished", endEventKey: "Aborted" });
    expect(await tasks(engine, parent.correlationId)).toEqual([]);
    expect(await engine.listUserTasks({ processModelKey: "CallChild" })).toEqual([]);
    expect((await engine.getInstance(childTask?.processInstanceId as string))?.state).toBe("terminated");
    await expect(engine.finishUserTask(childTask?.id as string, { formFields: {} })).rejects.toThrow(
      EngineError,
    );
    const terminated = events.find(
      (event) => event.type === "instance.terminated" && event.processModelKey === "CallChild",
    );
    expect(terminated).toBeDefined();
  });

  it("recursion runs, and a call beyond the depth limit fails the whole chain", async () => {
    const engine = await open();
    const shallow = await engine.start({
      processModelKey: "Recurse",
      startEventKey: "RecurseStart",
      inputValues: { n: 3 },
    });
    expect(shallow.instance).toMatchObject({ state: "finished", result: { n: 0, depth: 3 } });
    const deep = await engine.start({
      processModelKey: "Recurse",
      startEventKey: "RecurseStart",
      inputValues: { n: MAX_CALL_DEPTH + 5 },
    });
    expect(deep.instance.state).toBe("failed");
    expect(deep.instance.failure?.message).toBe(
      `the called process Recurse failed: call depth limit: more than ${MAX_CALL_DEPTH} call activities nested in one another`,
    );
    // No instance of the chain is left running.
    const { correlationId } = deep.instance;
    expect(await tasks(engine, correlationId)).toEqual([]);
    await expect(engine.whenEnded(deep.instance.processInstanceId)).resolves.toMatchObject({
      state: "failed",
    });
  });
});
