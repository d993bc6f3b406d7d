import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeEngines, fixtures, open, record, removeTempDirs, trace } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

describe("running BPMN", () => {
  it("runs start → user task → script → exclusive gateway → end with token.current and token.history", async () => {
    const engine = await open();
    const events = record(engine);
    const started = await engine.start({
      processModelKey: "Order",
      startEventKey: "StartPhone",
      correlationId: "c-order",
      callerId: "caller-1",
      inputValues: { channel: "phone" },
    });
    expect(started.instance).toMatchObject({
      state: "running",
      correlationId: "c-order",
      callerId: "caller-1",
    });
    const [task] = await engine.listUserTasks({ correlationId: "c-order" });
    expect(task).toMatchObject({ key: "Review", name: "Review order", lane: "Managers" });
    expect(task?.tokenPayload).toEqual({ channel: "phone" });

    const finished = await engine.finishUserTask(task?.id as string, { formFields: { amount: 70 } });
    expect(finished.instance).toMatchObject({
      state: "finished",
      endEventKey: "EndBig",
      endEventLane: "Accounting",
      result: { total: 140, input: { channel: "phone" } },
    });
    expect(finished.instance.finishedAt).toBeDefined();
    expect(trace(events, finished.instance.processInstanceId)).toEqual([
      "instance.started",
      "event.reached:StartPhone",
      "activity.started:Review",
      "activity.finished:Review",
      "activity.started:Calc",
      "activity.finished:Calc",
      "event.reached:EndBig",
      "instance.finished",
    ]);
    expect(await engine.listUserTasks({ correlationId: "c-order" })).toEqual([]);
  });

  it("takes the default flow when no condition holds", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    const done = await engine.finishUserTask(task?.id as string, { formFields: { amount: 3 } });
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "EndSmall", endEventLane: null });
  });

  it("takes the first exclusive gateway flow whose condition holds", async () => {
    const engine = await open();
    const high = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      inputValues: { amount: 10 },
    });
    expect(high.instance).toMatchObject({
      state: "finished",
      endEventKey: "EndHigh",
      result: { amount: 11 },
    });
    const mid = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      inputValues: { amount: 5 },
    });
    expect(mid.instance).toMatchObject({ state: "finished", endEventKey: "EndMid", result: { amount: 6 } });
  });

  it("fails the instance when no exclusive gateway flow matches and there is no default", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      inputValues: { amount: 1 },
    });
    expect(instance.state).toBe("failed");
    expect(instance.failure).toMatchObject({ kind: "failure", flowNodeKey: "Which", lane: null });
    expect(instance.failure?.message).toMatch(/no condition/);
    expect(instance.endEventKey).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "instance.terminated", failure: { kind: "failure" } });
    expect(await engine.getInstance(instance.processInstanceId)).toEqual(instance);
  });

  it("fails the instance when a condition throws, naming the flow", async () => {
    const engine = await open();
    const { instance } = await engine.start({
      processModelKey: "ConditionThrow",
      startEventKey: "Start",
      inputValues: {},
    });
    expect(instance).toMatchObject({
      state: "failed",
      failure: { kind: "failure", flowNodeKey: "Check", lane: null },
    });
    expect(instance.failure?.message).toMatch(/^condition of Deep failed: /);
  });

  it("carries large payloads through scripts and conditions", async () => {
    const engine = await open();
    const big = "x".repeat(300_000);
    const { instance } = await engine.start({
      processModelKey: "Order",
      startEventKey: "StartWeb",
      inputValues: { big },
    });
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    const done = await engine.finishUserTask(task?.id as string, { formFields: { amount: 1 } });
    expect(done.instance.result).toEqual({ total: 2, input: { big } });
  });

  it("fails the instance when a script throws, recording element, lane and message", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "ScriptThrow", startEventKey: "Start" });
    expect(instance).toMatchObject({
      state: "failed",
      failure: { kind: "failure", flowNodeKey: "Boom", lane: "Ops", message: "script failed: boom" },
    });
  });

  it("stops a script that runs too long and fails the instance", async () => {
    // The spinning script loops forever, so it outlasts any timeout; the timeout is generous so that the
    // next, short script finishes within it on a loaded machine too.
    const engine = await open({ scriptTimeoutMs: 5_000 });
    const { instance } = await engine.start({ processModelKey: "ScriptLoop", startEventKey: "Start" });
    expect(instance.state).toBe("failed");
    expect(instance.failure).toMatchObject({ kind: "failure", flowNodeKey: "Spin" });
    expect(instance.failure?.message).toMatch(/timed out after 5000 ms/);
    // The engine is still usable afterwards.
    const next = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      inputValues: { amount: 9 },
    });
    expect(next.instance.state).toBe("finished");
  });

  it("gives scripts a copy of the token and nothing of the engine", async () => {
    const engine = await open();
    const input = { amount: 1 };
    const { instance } = await engine.start({
      processModelKey: "ScriptEscape",
      startEventKey: "Start",
      inputValues: input,
    });
    expect(instance.result).toEqual({ process: "undefined", require: "undefined", fromToken: "undefined" });
    expect(input).toEqual({ amount: 1 });
  });

  it("passes manual tasks, plain tasks and none intermediate throw events straight through", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "Manual",
      startEventKey: "Start",
      inputValues: { a: 1 },
    });
    expect(instance).toMatchObject({ state: "finished", endEventKey: "End", result: { a: 1 } });
    expect(trace(events, instance.processInstanceId)).toEqual([
      "instance.started",
      "event.reached:Start",
      "activity.started:Check",
      "activity.finished:Check",
      "activity.started:Plain",
      "activity.finished:Plain",
      "event.reached:Milestone",
      "event.reached:End",
      "instance.finished",
    ]);
  });

  it("joins only once a token arrived on every incoming flow, not after as many arrivals on one flow", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({ processModelKey: "ParallelSameFlow", startEventKey: "Start" });
    const reachedEnd = () => events.some((e) => e.type === "event.reached" && e.flowNodeKey === "End");
    // Two tokens came through PX; PB's branch still waits at its user task, so the join has not fired.
    expect(reachedEnd()).toBe(false);
    expect(instance.state).toBe("running");
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    expect(task?.key).toBe("Wait");
    await engine.finishUserTask(task?.id as string, { formFields: {} });
    expect(reachedEnd()).toBe(true);
  });

  it("forks and joins parallel branches; the branch arriving last carries its payload on", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "Parallel",
      startEventKey: "Start",
      inputValues: { n: 1 },
    });
    // The script branch ran to the join; the user task branch waits.
    expect(instance.state).toBe("running");
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    expect(task?.key).toBe("Manual");
    expect(task?.tokenPayload).toEqual({ n: 1 });
    const done = await engine.finishUserTask(task?.id as string, { formFields: { manual: true } });
    // The user task's branch arrived last, so its payload continues; both stay visible in token.history.
    expect(done.instance).toMatchObject({
      state: "finished",
      endEventKey: "End",
      result: {
        last: { formFields: { manual: true } },
        auto: { auto: true },
        manual: { formFields: { manual: true } },
      },
    });
    const joinPassages = trace(events, instance.processInstanceId).filter((entry) =>
      entry.includes("Collect"),
    );
    expect(joinPassages).toEqual(["activity.started:Collect", "activity.finished:Collect"]);
  });

  it("runs an embedded sub-process as a scope", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "Sub",
      startEventKey: "Start",
      inputValues: { s: 0 },
    });
    const [inner] = await engine.listUserTasks({ correlationId: instance.correlationId });
    expect(inner).toMatchObject({ key: "InnerTask", name: "Do inner work", lane: "Back office" });
    await engine.finishUserTask(inner?.id as string, { formFields: { s: 1 } });
    const [approve] = await engine.listUserTasks({ correlationId: instance.correlationId });
    expect(approve).toMatchObject({
      key: "InnerApprove",
      lane: "Front office",
      tokenPayload: { formFields: { s: 1 } },
    });
    const done = await engine.finishUserTask(approve?.id as string, { formFields: { s: 2 } });
    expect(done.instance).toMatchObject({
      state: "finished",
      endEventKey: "End",
      result: { formFields: { s: 2 } },
    });
    expect(trace(events, instance.processInstanceId)).toEqual([
      "instance.started",
      "event.reached:Start",
      "activity.started:Inner",
      "event.reached:InnerStart",
      "activity.started:InnerTask",
      "activity.finished:InnerTask",
      "activity.started:InnerApprove",
      "activity.finished:InnerApprove",
      "event.reached:InnerEnd",
      "activity.finished:Inner",
      "activity.started:After",
      "activity.finished:After",
      "event.reached:End",
      "instance.finished",
    ]);
  });

  it("ends only the sub-process at a terminate end event inside it", async () => {
    const engine = await open();
    const { instance } = await engine.start({
      processModelKey: "SubTerminate",
      startEventKey: "Start",
      inputValues: { t: 1 },
    });
    expect(instance).toMatchObject({ state: "finished", endEventKey: "End", result: { t: 1 } });
    expect(await engine.listUserTasks({ correlationId: instance.correlationId })).toEqual([]);
  });

  it("terminates the whole instance at a terminate end event, removing its waits", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "Terminate",
      startEventKey: "Start",
      inputValues: { z: 1 },
    });
    expect(instance).toMatchObject({
      state: "terminated",
      endEventKey: "Stop",
      endEventLane: null,
      result: { z: 1 },
      failure: { kind: "terminate", flowNodeKey: "Stop" },
    });
    expect(await engine.listUserTasks({ correlationId: instance.correlationId })).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: "instance.terminated", failure: { kind: "terminate" } });
    expect((await engine.latestFinished(instance.correlationId, "Terminate"))?.processInstanceId).toBe(
      instance.processInstanceId,
    );
  });

  it("fails the instance at an error end event", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "ErrorEnd", startEventKey: "Start" });
    expect(instance).toMatchObject({
      state: "failed",
      failure: { kind: "error", flowNodeKey: "Declined", message: "error end event reached: Declined" },
    });
    expect(instance.endEventKey).toBeUndefined();
    expect(await engine.latestFinished(instance.correlationId, "ErrorEnd")).toBeUndefined();
  });

  it("waits at a message catch event and a receive task until triggered", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "Messages",
      startEventKey: "Start",
      inputValues: { m: 0 },
    });
    const waiting = await engine.listEvents({ correlationId: instance.correlationId });
    expect(
      waiting.map((event) => [event.key, event.eventType, event.eventName, event.lane, event.name]),
    ).toEqual([
      ["Payment", "message", "payment", "Finance", "Payment received"],
      ["Delivery", "message", "delivery", null, "Await delivery"],
    ]);
    const payment = waiting[0]?.id as string;
    const delivery = waiting[1]?.id as string;
    expect((await engine.getEvent(payment))?.key).toBe("Payment");
    const afterPayment = await engine.triggerEvent(payment, { paid: true });
    expect(afterPayment.instance.state).toBe("running");
    expect(await engine.getEvent(payment)).toBeUndefined();
    // No payload: the token payload stays as it was.
    const done = await engine.triggerEvent(delivery);
    expect(done.instance).toMatchObject({ state: "finished", result: { m: 0 } });
    expect(trace(events, instance.processInstanceId)).toEqual([
      "instance.started",
      "event.reached:Start",
      "event.reached:Payment",
      "activity.started:Delivery",
      "event.triggered:Payment",
      "activity.finished:Delivery",
      "event.reached:End",
      "instance.finished",
    ]);
  });

  it("replaces the token payload with a trigger's payload", async () => {
    const engine = await open();
    const { instance } = await engine.start({
      processModelKey: "Messages",
      startEventKey: "Start",
      inputValues: { m: 0 },
    });
    const [payment, delivery] = await engine.listEvents({ correlationId: instance.correlationId });
    await engine.triggerEvent(payment?.id as string, { paid: true });
    const done = await engine.triggerEvent(delivery?.id as string, { delivered: true });
    expect(done.instance.result).toEqual({ delivered: true });
  });

  it("resumes every instance waiting for a thrown signal, in any model", async () => {
    const engine = await open();
    const events = record(engine);
    const a = await engine.start({
      processModelKey: "SignalWait",
      startEventKey: "Start",
      correlationId: "s-a",
      inputValues: { a: 1 },
    });
    const b = await engine.start({
      processModelKey: "SignalWait",
      startEventKey: "Start",
      correlationId: "s-b",
    });
    expect(
      (await engine.listEvents({ processModelKey: "SignalWait" })).map((event) => event.eventName),
    ).toEqual(["go", "go"]);
    const thrower = await engine.start({
      processModelKey: "SignalThrow",
      startEventKey: "Start",
      inputValues: { t: 1 },
    });
    expect(thrower.instance.state).toBe("finished");
    expect(await engine.getInstance(a.instance.processInstanceId)).toMatchObject({
      state: "finished",
      result: { a: 1 },
    });
    expect((await engine.getInstance(b.instance.processInstanceId))?.state).toBe("finished");
    expect(await engine.listEvents({ processModelKey: "SignalWait" })).toEqual([]);
    expect(events.find((event) => event.type === "signal.thrown")).toMatchObject({
      signalName: "go",
      flowNodeKey: "ThrowGo",
      processInstanceId: thrower.instance.processInstanceId,
      payload: { t: 1 },
    });
    expect(trace(events, a.instance.processInstanceId).slice(-3)).toEqual([
      "event.triggered:WaitGo",
      "event.reached:End",
      "instance.finished",
    ]);
  });

  it("fails an instance whose signals keep waking each other within one step, instead of hanging", async () => {
    const engine = await open({ models: path.join(fixtures, "livelock") });
    const started = await engine.start({ processModelKey: "SignalEcho", startEventKey: "Start" });
    const [go] = await engine.listUserTasks({ correlationId: started.instance.correlationId });
    const { instance } = await engine.finishUserTask(go?.id as string, {});
    expect(instance.state).toBe("failed");
    expect(instance.failure).toMatchObject({ kind: "failure" });
    expect(instance.failure?.message).toMatch(/flow nodes/);
    expect(await engine.listEvents({ correlationId: instance.correlationId })).toEqual([]);
  });

  it("lets a waiting signal catch event be triggered directly", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "SignalWait", startEventKey: "Start" });
    const [event] = await engine.listEvents({ correlationId: instance.correlationId });
    const done = await engine.triggerEvent(event?.id as string, { direct: true });
    expect(done.instance).toMatchObject({ state: "finished", result: { direct: true } });
  });

  it("continues after a timer's duration", async () => {
    const engine = await open();
    const { instance } = await engine.start({
      processModelKey: "Timer",
      startEventKey: "Start",
      inputValues: { w: 1 },
    });
    expect(instance.state).toBe("running");
    const ended = await engine.whenEnded(instance.processInstanceId);
    expect(ended).toMatchObject({ state: "finished", endEventKey: "End", result: { w: 1 } });
  });

  it("publishes keys, types, lanes and payloads with each event", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "Order",
      startEventKey: "StartWeb",
      correlationId: "ev",
      inputValues: { v: 1 },
    });
    const base = {
      processModelKey: "Order",
      correlationId: "ev",
      processInstanceId: instance.processInstanceId,
    };
    expect(events).toEqual([
      {
        ...base,
        type: "instance.started",
        startEventKey: "StartWeb",
        startEventLane: "Sales",
        payload: { v: 1 },
      },
      {
        ...base,
        type: "event.reached",
        flowNodeKey: "StartWeb",
        flowNodeType: "StartEvent",
        lane: "Sales",
        payload: { v: 1 },
      },
      {
        ...base,
        type: "activity.started",
        flowNodeKey: "Review",
        flowNodeType: "UserTask",
        lane: "Managers",
        payload: { v: 1 },
        waitId: expect.any(String),
      },
    ]);
    const [task] = await engine.listUserTasks({ correlationId: "ev" });
    // The wait's id is the listed task's, on its start and on its finish (SPEC §12's user_task_id).
    expect(events.at(-1)).toMatchObject({ waitId: task?.id });
    await engine.finishUserTask(task?.id as string, { formFields: { amount: 100 } });
    expect(events.find((e) => e.type === "activity.finished")).toMatchObject({
      flowNodeKey: "Review",
      waitId: task?.id,
      payload: { formFields: { amount: 100 } },
    });
    expect(events.at(-1)).toEqual({
      ...base,
      type: "instance.finished",
      endEventKey: "EndBig",
      endEventLane: "Accounting",
      payload: { total: 200, input: { v: 1 } },
    });
  });

  it("whenEnded waits for a running instance and is rejected when the engine closes", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    const ended = engine.whenEnded(instance.processInstanceId);
    await engine.close();
    await expect(ended).rejects.toMatchObject({ code: "closed" });
  });

  it("whenEnded gives up on an abort of its signal, leaving the instance and other waiters as they were", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    const caller = new AbortController();
    const abandoned = engine.whenEnded(instance.processInstanceId, caller.signal);
    const other = engine.whenEnded(instance.processInstanceId);
    caller.abort(new Error("the caller left"));
    await expect(abandoned).rejects.toThrow("the caller left");
    await expect(engine.whenEnded(instance.processInstanceId, caller.signal)).rejects.toThrow(
      "the caller left",
    );
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    await engine.finishUserTask(task?.id as string, { formFields: { amount: 1 } });
    await expect(other).resolves.toMatchObject({ state: "finished" });
  });

  it("whenEnded resolves at once for an ended instance", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "Manual", startEventKey: "Start" });
    await expect(engine.whenEnded(instance.processInstanceId)).resolves.toMatchObject({ state: "finished" });
    await expect(engine.whenEnded("nope")).rejects.toMatchObject({ code: "unknown_instance" });
  });
});
