import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../src/types.js";
import {
  closeEngines,
  finishTask as finish,
  open,
  removeTempDirs,
  waitingKeys as waiting,
} from "./helpers.js";

// BPMN 2.0.2 §13.4.3: an inclusive join fires when no token that could still arrive on an empty incoming
// flow (without passing the gateway) is left in its scope — wherever that token is: in a loop, behind a
// nested parallel fork, inside a sub-process.

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

async function start(engine: Engine, processModelKey: string, inputValues: object) {
  const { instance } = await engine.start({
    processModelKey,
    startEventKey: startOf(processModelKey),
    inputValues,
  });
  return instance;
}

const startOf = (key: string) =>
  ({
    InclFork: "F_Start",
    InclNoDefault: "N_Start",
    InclNested: "P_Start",
    InclLoop: "L_Start",
    InclSameFlow: "S_Start",
    InclSub: "U_Start",
    InclInterrupt: "I_Start",
    InclInside: "D_Start",
  })[key] as string;

describe("inclusive gateway: fork", () => {
  it("takes every flow whose condition holds, and the join waits for each of them", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclFork", { a: true, b: true });
    expect(await waiting(engine, correlationId)).toEqual(["F_A", "F_B"]);
    expect((await finish(engine, correlationId, "F_B")).state).toBe("running");
    expect(await finish(engine, correlationId, "F_A")).toMatchObject({
      state: "finished",
      endEventKey: "F_End",
    });
  });

  it("takes only the default flow when no condition holds, and the join needs only that branch", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclFork", {});
    expect(await waiting(engine, correlationId)).toEqual(["F_C"]);
    expect(await finish(engine, correlationId, "F_C")).toMatchObject({ state: "finished" });
  });

  it("with one true condition, the join fires for that branch alone", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclFork", { b: true });
    expect(await waiting(engine, correlationId)).toEqual(["F_B"]);
    expect(await finish(engine, correlationId, "F_B")).toMatchObject({ state: "finished" });
  });

  it("fails the instance when no condition holds and there is no default flow", async () => {
    const engine = await open();
    const instance = await start(engine, "InclNoDefault", {});
    expect(instance).toMatchObject({
      state: "failed",
      failure: {
        kind: "failure",
        flowNodeKey: "N_Fork",
        message: "no condition of the inclusive gateway holds and it has no default flow",
      },
    });
  });
});

describe("inclusive gateway: join", () => {
  it("waits for both tokens of a nested parallel fork on one branch", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclNested", { a: true, b: true });
    expect(await waiting(engine, correlationId)).toEqual(["P_A1", "P_A2", "P_B"]);
    await finish(engine, correlationId, "P_A1");
    await finish(engine, correlationId, "P_B");
    // A2's token is upstream of the join (through the parallel join): the inclusive join still waits.
    expect(await waiting(engine, correlationId)).toEqual(["P_A2"]);
    await finish(engine, correlationId, "P_A2");
    expect(await waiting(engine, correlationId)).toEqual(["P_After"]);
  });

  it("waits for a branch that loops on itself, and fires once it reaches the join", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclLoop", { a: true, b: true });
    await finish(engine, correlationId, "L_A");
    await finish(engine, correlationId, "L_B", { retry: true });
    expect(await waiting(engine, correlationId)).toEqual(["L_B"]);
    await finish(engine, correlationId, "L_B", { retry: true });
    expect(await waiting(engine, correlationId)).toEqual(["L_B"]);
    await finish(engine, correlationId, "L_B");
    expect(await waiting(engine, correlationId)).toEqual(["L_Review"]);
  });

  it("fires when the token it waits for leaves the path to the join (ends elsewhere)", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclLoop", { a: true, b: true });
    await finish(engine, correlationId, "L_A");
    await finish(engine, correlationId, "L_B", { skip: true });
    expect(await waiting(engine, correlationId)).toEqual(["L_Review"]);
  });

  it("fires again on the next round of a loop around fork and join, with no token left over", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclLoop", { a: true, b: true });
    await finish(engine, correlationId, "L_B");
    await finish(engine, correlationId, "L_A");
    await finish(engine, correlationId, "L_Review", { again: true, a: true });
    expect(await waiting(engine, correlationId)).toEqual(["L_A"]);
    // Only A runs this round: the join fires for it alone, nothing of the first round is held there.
    await finish(engine, correlationId, "L_A");
    expect(await waiting(engine, correlationId)).toEqual(["L_Review"]);
    expect(await finish(engine, correlationId, "L_Review")).toMatchObject({ state: "finished" });
  });

  it("fails on the loop's second round when no condition holds there (no default flow)", async () => {
    const engine = await open();
    const instance = await start(engine, "InclLoop", { a: true });
    await finish(engine, instance.correlationId, "L_A");
    const after = await finish(engine, instance.correlationId, "L_Review", { again: true });
    expect(after).toMatchObject({ state: "failed", failure: { flowNodeKey: "L_Fork" } });
  });

  it("fires for the first of two tokens on one incoming flow (the standard, not Camunda 7's count)", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclSameFlow", { a: true });
    await finish(engine, correlationId, "S_T1");
    // T2 can reach only the flow that already holds a token: it does not hold the join up.
    expect(await waiting(engine, correlationId)).toEqual(["S_After", "S_T2"]);
    await finish(engine, correlationId, "S_T2");
    expect(await waiting(engine, correlationId)).toEqual(["S_After", "S_After"]);
  });

  it("waits for a token that can reach an empty flow and no filled one", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclSameFlow", { a: true, b: true });
    await finish(engine, correlationId, "S_T1");
    expect(await waiting(engine, correlationId)).toEqual(["S_T2", "S_T3"]);
    await finish(engine, correlationId, "S_T3");
    expect(await waiting(engine, correlationId)).toEqual(["S_After", "S_T2"]);
  });

  it("waits while a token runs inside a sub-process on the way to it", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclSub", { a: true, b: true });
    await finish(engine, correlationId, "U_A");
    expect(await waiting(engine, correlationId)).toEqual(["U_Inner"]);
    await finish(engine, correlationId, "U_Inner");
    expect(await waiting(engine, correlationId)).toEqual(["U_After"]);
  });

  it("fires when an error caught on the sub-process leads its token away from the join", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclSub", { a: true, b: true });
    await finish(engine, correlationId, "U_A");
    await finish(engine, correlationId, "U_Inner", { fail: true });
    expect(await waiting(engine, correlationId)).toEqual(["U_After"]);
    expect(await finish(engine, correlationId, "U_After")).toMatchObject({ state: "finished" });
  });

  it("fires when an interrupting boundary event takes the token it waits for away", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclInterrupt", { a: true, b: true });
    await finish(engine, correlationId, "I_A");
    expect(await waiting(engine, correlationId)).toEqual(["I_B"]);
    const [stop] = await engine.listEvents({ correlationId });
    expect(stop?.key).toBe("I_Stop");
    await engine.triggerEvent(stop?.id as string, undefined);
    expect(await waiting(engine, correlationId)).toEqual(["I_After"]);
  });

  it("inside a sub-process that runs twice at once, counts only the tokens of its own run", async () => {
    const engine = await open();
    const { correlationId } = await start(engine, "InclInside", {});
    const tasks = await engine.listUserTasks({ correlationId });
    const [first, second] = [
      tasks.filter((task) => task.key === "D_A"),
      tasks.filter((task) => task.key === "D_B"),
    ];
    expect([first.length, second.length]).toEqual([2, 2]);
    await engine.finishUserTask(first[0]?.id as string, { formFields: {} });
    expect(await waiting(engine, correlationId)).toEqual(["D_A", "D_B", "D_B"]);
    await engine.finishUserTask(first[1]?.id as string, { formFields: {} });
    // Each run holds one token at its join and waits for its own B.
    expect(await waiting(engine, correlationId)).toEqual(["D_B", "D_B"]);
    await engine.finishUserTask(second[0]?.id as string, { formFields: {} });
    expect(await waiting(engine, correlationId)).toEqual(["D_B", "D_Inner"]);
  });

  it("keeps a held token across a restart and fires after it", async () => {
    const { tempDir } = await import("./helpers.js");
    const data = tempDir();
    const first = await open({ data });
    const { correlationId } = await start(first, "InclNested", { a: true, b: true });
    await finish(first, correlationId, "P_B");
    await first.close();
    const second = await open({ data });
    await finish(second, correlationId, "P_A1");
    expect(await waiting(second, correlationId)).toEqual(["P_A2"]);
    await finish(second, correlationId, "P_A2");
    expect(await waiting(second, correlationId)).toEqual(["P_After"]);
  });
});
