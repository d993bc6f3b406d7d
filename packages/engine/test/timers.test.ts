import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  firstOccurrence,
  NEVER,
  nextOccurrence,
  parseTimer,
  type TimerDef,
} from "../src/timer-definitions.js";
import {
  closeEngines,
  eventsSeen as events,
  modelsDir,
  open,
  overdueRaces,
  removeTempDirs,
  sqliteRows,
  tempDir,
} from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const cycle = (text: string) =>
  parseTimer({ $type: "bpmn:TimerEventDefinition", timeCycle: { $type: "x", body: text } });

const query = sqliteRows;

describe("timer definitions", () => {
  it("parses R[n]/[start/]period and refuses what it cannot run", () => {
    expect(cycle("R3/PT10S")).toEqual({ kind: "cycle", repeat: 3, periodMs: 10_000 });
    expect(cycle("R/P1D")).toEqual({ kind: "cycle", periodMs: 86_400_000 });
    expect(cycle("R2/2026-01-01T00:00:00Z/PT1H")).toEqual({
      kind: "cycle",
      repeat: 2,
      start: Date.parse("2026-01-01T00:00:00Z"),
      periodMs: 3_600_000,
    });
    expect(cycle("0 0 * * * ?")).toMatch(/cron expressions are not supported/);
    expect(cycle("R0/PT1S")).toMatch(/not an ISO 8601 repeating interval/);
    expect(
      parseTimer({ $type: "x", timeDate: { $type: "x", body: "2026-01-01T00:00:00" } }) as string,
    ).toMatch(/time zone offset/);
  });

  it("skips occurrences missed during a downtime instead of making them up, counting them against R[n]", () => {
    const hourly = cycle("R/PT1H") as TimerDef;
    const first = firstOccurrence(hourly, 0);
    expect(first).toEqual({ dueAt: 3_600_000, index: 0 });
    // The engine came up ten hours later: the next one is the eleventh, not the second.
    expect(nextOccurrence(hourly, first as never, 10 * 3_600_000 + 1)).toEqual({
      dueAt: 11 * 3_600_000,
      index: 10,
    });
    const thrice = cycle("R3/PT1H") as TimerDef;
    expect(nextOccurrence(thrice, { dueAt: 3_600_000, index: 0 }, 3_600_000)).toEqual({
      dueAt: 7_200_000,
      index: 1,
    });
    expect(nextOccurrence(thrice, { dueAt: 3_600_000, index: 0 }, 10 * 3_600_000)).toBeUndefined();
  });

  it("never skips an occurrence that came due while the engine ran, however late it fired", () => {
    const thrice = cycle("R3/PT1H") as TimerDef;
    // Up since before the first one: the second follows the first, even if the first fired hours late.
    expect(nextOccurrence(thrice, { dueAt: 3_600_000, index: 0 }, 0)).toEqual({ dueAt: 7_200_000, index: 1 });
    expect(nextOccurrence(thrice, { dueAt: 7_200_000, index: 1 }, 0)).toEqual({
      dueAt: 10_800_000,
      index: 2,
    });
    expect(nextOccurrence(thrice, { dueAt: 10_800_000, index: 2 }, 0)).toBeUndefined();
  });
});

describe("timers", () => {
  it("a timeDate in the past is due at once", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "TimerDate", startEventKey: "Start" });
    expect((await engine.whenEnded(instance.processInstanceId)).endEventKey).toBe("End");
  });

  it("a non-interrupting timeCycle boundary event fires R3 times while its task waits, then stops", async () => {
    const data = tempDir();
    const engine = await open({ data });
    const fired = events(
      engine,
      3,
      (event) => event.type === "event.triggered" && event.flowNodeKey === "Reminder",
    );
    const { instance } = await engine.start({
      processModelKey: "TimerCycleBoundary",
      startEventKey: "CStart",
    });
    await fired;
    expect(
      (await engine.listUserTasks({ correlationId: instance.correlationId })).map((task) => task.key),
    ).toEqual(["Long"]);
    expect(query(data, "SELECT id FROM timers")).toEqual([]);
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    const done = await engine.finishUserTask(task?.id as string, { formFields: {} });
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "CEnd" });
  });

  it("a timeCycle boundary event that fires late (the event loop blocked past its later due times) still fires R3 times", async () => {
    const data = tempDir();
    const engine = await open({ data });
    const fired = events(
      engine,
      3,
      (event) => event.type === "event.triggered" && event.flowNodeKey === "Reminder",
    );
    const { instance } = await engine.start({
      processModelKey: "TimerCycleBoundary",
      startEventKey: "CStart",
    });
    // What a loaded machine does to a 0.1 s cycle: the first firing comes after all three were due.
    const blockedUntil = Date.now() + 500;
    while (Date.now() < blockedUntil) {
      // busy on purpose
    }
    await fired;
    expect(query(data, "SELECT id FROM timers")).toEqual([]);
    expect(
      (await engine.listUserTasks({ correlationId: instance.correlationId })).map((task) => task.key),
    ).toEqual(["Long"]);
  });
});

describe("timer start events", () => {
  it("start one instance per due time by themselves, and stop after R[n]", async () => {
    const data = tempDir();
    const engine = await open({ data, models: modelsDir("timer-start/twice.bpmn") });
    const started = await events(engine, 2, (event) => event.type === "instance.started");
    expect(started.map((event) => event.type === "instance.started" && event.startEventKey)).toEqual([
      "Every",
      "Every",
    ]);
    // Each in a correlation of its own.
    expect(new Set(started.map((event) => event.correlationId)).size).toBe(2);
    // Done: its row stays, never due, so a restart does not start the schedule afresh.
    expect(query(data, "SELECT due_at FROM start_timers")).toEqual([{ due_at: NEVER }]);
    expect(engine.models.get("TimerStartTwice")?.startEvents).toEqual([]);
    await engine.close();
    const reopened = await open({ data, models: modelsDir("timer-start/twice.bpmn") });
    expect(query(data, "SELECT due_at FROM start_timers")).toEqual([{ due_at: NEVER }]);
    await reopened.close();
  });

  it("after a long downtime start one instance, not one per missed occurrence, and keep the schedule", async () => {
    const data = tempDir();
    const models = modelsDir("timer-start/hourly.bpmn");
    const first = await open({ data, models });
    const [row] = query<{ due_at: number }>(data, "SELECT due_at FROM start_timers");
    await first.close();
    // Pretend the engine was down for ten days: the row came due 240 periods ago.
    const db = new Database(path.join(data, "engine.sqlite"));
    db.prepare("UPDATE start_timers SET due_at = ?").run((row?.due_at as number) - 240 * 3_600_000);
    db.close();
    const second = await open({ data, models });
    const started = events(second, 1, (event) => event.type === "instance.started");
    await started;
    const [after] = query<{ due_at: number; occurrence: number }>(data, "SELECT * FROM start_timers");
    expect(after?.due_at).toBeGreaterThan(Date.now());
    expect(after?.occurrence).toBeGreaterThanOrEqual(240);
    expect(query(data, "SELECT id FROM instances")).toHaveLength(1);
  });

  it("after a downtime fire two overdue timers of one instance in due order: the earlier of a race wins", async () => {
    // As postgres-engines.test.ts "timers on PostgreSQL", on SQLite.
    const data = tempDir();
    const ends = await overdueRaces({ models: modelsDir("timer-race-late.bpmn"), data }, (ids) => {
      const db = new Database(path.join(data, "engine.sqlite"));
      const move = db.prepare("UPDATE timers SET due_at = ? WHERE instance_id = ? AND key = ?");
      const base = Date.now() - 60_000;
      ids.forEach((id, i) => {
        move.run(base + 2 * i, id, "ShortWait");
        move.run(base + 2 * i + 1, id, "LongWait");
      });
      db.close();
    });
    expect(ends).toEqual(ends.map(() => "ShortWon"));
  });
});
