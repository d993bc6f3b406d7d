import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../src/types.js";
import { closeEngines, open, removeTempDirs, tempDir } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

async function finish(engine: Engine, correlationId: string, key: string, formFields: object = {}) {
  const task = (await engine.listUserTasks({ correlationId })).find((candidate) => candidate.key === key);
  if (!task) throw new Error(`user task ${key} does not wait`);
  return (await engine.finishUserTask(task.id, { formFields })).instance;
}

describe("tokens held at a parallel join", () => {
  it("keep the instance running when another branch reaches an end event (A, then B bypasses)", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "JoinBypass", startEventKey: "Start" });
    expect((await finish(engine, instance.correlationId, "A")).state).toBe("running");
    const after = await finish(engine, instance.correlationId, "B", { bypass: true });
    // A's token is still held at the join: the instance did not finish; nothing can ever free it.
    expect(after).toMatchObject({
      state: "failed",
      failure: { kind: "failure", flowNodeKey: "Join", lane: null },
    });
    expect(after.failure?.message).toMatch(/deadlock.*"XJ"/);
    expect(after.endEventKey).toBeUndefined();
    expect(await engine.latestFinished(instance.correlationId, "JoinBypass")).toBeUndefined();
  });

  it("make a deadlock visible whatever the order (B bypasses, then A arrives at the join)", async () => {
    const engine = await open();
    const events: string[] = [];
    engine.on((event) => events.push(event.type));
    const { instance } = await engine.start({ processModelKey: "JoinBypass", startEventKey: "Start" });
    expect((await finish(engine, instance.correlationId, "B", { bypass: true })).state).toBe("running");
    const ended = engine.whenEnded(instance.processInstanceId);
    const after = await finish(engine, instance.correlationId, "A");
    expect(after).toMatchObject({ state: "failed", failure: { kind: "failure", flowNodeKey: "Join" } });
    expect((await ended).state).toBe("failed");
    expect(events.at(-1)).toBe("instance.terminated");
    expect(await engine.listUserTasks({ correlationId: instance.correlationId })).toEqual([]);
  });

  it("fire as before when every branch arrives", async () => {
    const engine = await open();
    for (const order of [
      ["A", "B"],
      ["B", "A"],
    ]) {
      const { instance } = await engine.start({ processModelKey: "JoinBypass", startEventKey: "Start" });
      await finish(engine, instance.correlationId, order[0] as string);
      const done = await finish(engine, instance.correlationId, order[1] as string);
      expect(done).toMatchObject({ state: "finished", endEventKey: "End" });
    }
  });

  it("keep a sub-process scope open, and deadlock the instance once nothing outside can move", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "SubJoinBypass", startEventKey: "Start" });
    const { correlationId } = instance;
    await finish(engine, correlationId, "A");
    // B bypasses inside the sub-process: the sub-process must not complete while A's token is held.
    const bypassed = await finish(engine, correlationId, "B", { bypass: true });
    expect(bypassed.state).toBe("running");
    expect((await engine.listUserTasks({ correlationId })).map((task) => task.key)).toEqual(["Outside"]);
    const after = await finish(engine, correlationId, "Outside");
    expect(after).toMatchObject({ state: "failed", failure: { kind: "failure", flowNodeKey: "Join" } });
  });

  it("count on incoming flows whatever their ids, __proto__ and constructor included", async () => {
    const engine = await open();
    for (const order of [
      ["A", "B"],
      ["B", "A"],
    ]) {
      const { instance } = await engine.start({ processModelKey: "ProtoFlow", startEventKey: "Start" });
      expect((await finish(engine, instance.correlationId, order[0] as string)).state).toBe("running");
      const done = await finish(engine, instance.correlationId, order[1] as string);
      expect(done).toMatchObject({ state: "finished", endEventKey: "End" });
    }
  });

  it("survive a restart, also when an older engine stored them as join counters", async () => {
    const data = tempDir();
    const first = await open({ data });
    const { instance } = await first.start({
      processModelKey: "JoinBypass",
      startEventKey: "Start",
      correlationId: "old",
    });
    await finish(first, "old", "A");
    await first.close();
    // Rewrite the held token the way the previous engine version kept it: a count in `joins`.
    const db = new Database(path.join(data, "engine.sqlite"));
    const row = db.prepare("SELECT runtime FROM instances WHERE id = ?").get(instance.processInstanceId) as {
      runtime: string;
    };
    const state = JSON.parse(row.runtime) as { tokens: { held?: boolean }[]; joins?: unknown };
    state.tokens = state.tokens.filter((token) => !token.held);
    state.joins = { "0:Join": { AJ: 1 } };
    db.prepare("UPDATE instances SET runtime = ? WHERE id = ?").run(
      JSON.stringify(state),
      instance.processInstanceId,
    );
    db.close();
    const second = await open({ data });
    const done = await finish(second, "old", "B");
    expect(done).toMatchObject({ state: "finished", endEventKey: "End" });
  });
});

describe("token.history", () => {
  it("keeps a flow node called __proto__ as an own key, across a wait state", async () => {
    const engine = await open();
    const { instance } = await engine.start({
      processModelKey: "ProtoNode",
      startEventKey: "Start",
      inputValues: { a: 1 },
    });
    const done = await finish(engine, instance.correlationId, "Wait");
    expect(done.result).toEqual({
      proto: { from: "proto" },
      own: ["Start", "Wait", "__proto__"],
    });
  });
});
