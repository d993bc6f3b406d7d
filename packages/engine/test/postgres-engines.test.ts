// Two engines on one PostgreSQL database, as two nodes of a cluster would be (SPEC §7.1): what one commits
// the other reads at once; of twelve racers spread over both, exactly one finishes, triggers or locks;
// the branches of one instance finished on different engines at the same time join once.
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Engine, EngineEvent } from "../src/types.js";
import { closeEngines, modelsDir, open, overdueRaces, removeTempDirs } from "./helpers.js";

let postgres: TestPostgres;
let databases = 0;

beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});
afterAll(async () => {
  await postgres?.stop();
});

const RACERS = 12;

/** Two engines on a fresh database. */
async function twoNodes(...files: string[]): Promise<[Engine, Engine]> {
  const data = await postgres.createDatabase(`engines_${++databases}`);
  const models = modelsDir(...files);
  return Promise.all([open({ models, data }), open({ models, data })]) as Promise<[Engine, Engine]>;
}

/** Runs the racers at once, every other one on the other engine; answers how many succeeded. */
async function race(nodes: [Engine, Engine], attempt: (engine: Engine) => Promise<unknown>) {
  const outcomes = await Promise.allSettled(
    Array.from({ length: RACERS }, (_, i) => attempt(nodes[i % 2] as Engine)),
  );
  const lost = outcomes.filter((outcome) => outcome.status === "rejected");
  for (const outcome of lost) expect(outcome.reason).toMatchObject({ name: "EngineError" });
  return outcomes.length - lost.length;
}

describe("two engines on one PostgreSQL database", () => {
  it("read each other's writes at once, and report their store", async () => {
    const [a, b] = await twoNodes("order.bpmn");
    expect(b.storeName).toBe("postgres");
    const { instance } = await a.start({
      processModelKey: "Order",
      startEventKey: "StartWeb",
      correlationId: "o-1",
    });
    const [task] = await b.listUserTasks({ correlationId: "o-1" });
    expect(task).toMatchObject({ key: "Review", processInstanceId: instance.processInstanceId });
    await b.finishUserTask(task?.id as string, { formFields: { approved: true } });
    expect((await a.getInstance(instance.processInstanceId))?.state).not.toBe("running");
  });

  it("let exactly one of twelve racers finish a user task", async () => {
    const nodes = await twoNodes("order.bpmn");
    await nodes[0].start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: "o-1" });
    const [task] = await nodes[1].listUserTasks({ correlationId: "o-1" });
    const won = await race(nodes, (engine) => engine.finishUserTask(task?.id as string, { formFields: {} }));
    expect(won).toBe(1);
  });

  it("refuse a finish whose admit check throws, leaving the task waiting; admit sees undefined for no task", async () => {
    const [a, b] = await twoNodes("order.bpmn");
    await a.start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: "o-admit" });
    const [task] = await b.listUserTasks({ correlationId: "o-admit" });
    const seen: unknown[] = [];
    const refusal = new Error("not yours");
    await expect(
      b.finishUserTask(task?.id as string, { formFields: { approved: true } }, (taken) => {
        seen.push(taken);
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(seen).toEqual([
      expect.objectContaining({ id: task?.id, key: "Review", correlationId: "o-admit" }),
    ]);
    // Still waiting, on both nodes: the refused step took nothing.
    expect(await a.listUserTasks({ correlationId: "o-admit" })).toHaveLength(1);
    await a.finishUserTask(task?.id as string, { formFields: { approved: true } }, (taken) =>
      seen.push(taken),
    );
    expect(await b.listUserTasks({ correlationId: "o-admit" })).toHaveLength(0);
    await expect(
      b.finishUserTask(task?.id as string, { formFields: {} }, (taken) => seen.push(taken ?? "none")),
    ).rejects.toMatchObject({ code: "not_waiting" });
    expect(seen.at(-1)).toBe("none");
  });

  it("let exactly one of twelve racers trigger a waiting event", async () => {
    const nodes = await twoNodes("messages.bpmn");
    await nodes[0].start({ processModelKey: "Messages", startEventKey: "Start", correlationId: "m-1" });
    const [event] = await nodes[1].listEvents({ correlationId: "m-1" });
    const won = await race(nodes, (engine) => engine.triggerEvent(event?.id as string, { paid: true }));
    expect(won).toBe(1);
  });

  it("give an external task to exactly one of twelve fetching workers", async () => {
    const nodes = await twoNodes("external-task.bpmn");
    await nodes[0].start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    const fetched = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        (nodes[i % 2] as Engine).fetchAndLockExternalTasks({
          workerId: `w-${i}`,
          topics: ["charge"],
          lanes: [],
          maxTasks: 1,
          lockDurationMs: 60_000,
          longPollingTimeoutMs: 0,
        }),
      ),
    );
    expect(fetched.flat()).toHaveLength(1);
  });

  it("reach each other's end waiters, long polls and subscribers, which alone tell an engine to receive the other's news", async () => {
    const data = await postgres.createDatabase(`engines_${++databases}`);
    // Sweeps a minute apart: what arrives here came by a wake or a poke, not by a sweep's read.
    const cluster = { sweepMs: 60_000 };
    const [a, b] = (await Promise.all([
      open({ models: modelsDir("order.bpmn", "external-task.bpmn"), data, cluster }),
      open({ models: modelsDir("order.bpmn", "external-task.bpmn"), data, cluster }),
    ])) as [Engine, Engine];
    const attending = (engine: Engine) =>
      (engine as unknown as { coordination: { attending: boolean } }).coordination.attending;

    // An end waiter on A, the end on B: A watches the instance, it does not receive all of B's news.
    const { instance } = await a.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    const ended = a.whenEnded(instance.processInstanceId);
    const [task] = await b.listUserTasks({ correlationId: instance.correlationId });
    await b.finishUserTask(task?.id as string, { formFields: { approved: true } });
    expect(await ended).toMatchObject({ processInstanceId: instance.processInstanceId, state: "finished" });
    expect(attending(a)).toBe(false);

    // A long poll on A, the task created on B.
    const polled = a.fetchAndLockExternalTasks({
      workerId: "w-a",
      topics: ["charge"],
      lanes: [],
      maxTasks: 1,
      lockDurationMs: 60_000,
      longPollingTimeoutMs: 120_000,
    });
    const charged = await b.start({ processModelKey: "ExternalCharge", startEventKey: "Start" });
    expect(await polled).toEqual([
      expect.objectContaining({ processInstanceId: charged.instance.processInstanceId }),
    ]);

    // A subscriber on A, once it listens, gets B's steps.
    const events: EngineEvent[] = [];
    a.on((event) => events.push(event));
    await a.listening();
    expect(attending(a)).toBe(true);
    const seen = await b.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    while (!events.some((event) => event.processInstanceId === seen.instance.processInstanceId))
      await new Promise((resolve) => setTimeout(resolve, 10));
  }, 120_000);

  it("join the branches of one instance finished on both engines at the same time, once", async () => {
    const [a, b] = await twoNodes("parallel-tasks.bpmn");
    for (let round = 0; round < 5; round++) {
      const { instance } = await a.start({ processModelKey: "ParallelTasks", startEventKey: "Start" });
      const tasks = await a.listUserTasks({ correlationId: instance.correlationId });
      const left = tasks.find((task) => task.key === "Left");
      const right = tasks.find((task) => task.key === "Right");
      await Promise.all([
        a.finishUserTask(left?.id as string, { formFields: { side: "left" } }),
        b.finishUserTask(right?.id as string, { formFields: { side: "right" } }),
      ]);
      expect(await b.getInstance(instance.processInstanceId)).toMatchObject({
        state: "finished",
        endEventKey: "End",
      });
      expect(await a.listUserTasks({ correlationId: instance.correlationId })).toEqual([]);
    }
  });

  it("answers a caller waiting on a script job here when a step on the other engine settled its instance", async () => {
    const data = await postgres.createDatabase(`engines_${++databases}`);
    const models = modelsDir("script-boundary.bpmn");
    // The script runs far longer than the time a start waits for it in place: it becomes a job of A's.
    const [a, b] = (await Promise.all([
      open({ models, data, scriptTimeoutMs: 120_000 }),
      open({ models, data, scriptTimeoutMs: 120_000 }),
    ])) as [Engine, Engine];
    const started = a.start({
      processModelKey: "ScriptBoundary",
      startEventKey: "Start",
      correlationId: "sb-1",
      inputValues: { until: Date.now() + 100_000 },
    });
    // B interrupts the script task through its message boundary event; only B's step knows.
    let stop: Awaited<ReturnType<Engine["listEvents"]>>[number] | undefined;
    while (!stop) {
      [stop] = await b.listEvents({ correlationId: "sb-1" });
      if (!stop) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(stop).toMatchObject({ key: "Stop" });
    await b.triggerEvent(stop.id, { why: "enough" });
    // A's caller is answered with the instance as B left it: waiting at Stopped, the script gone.
    const { instance } = await started;
    expect(instance.state).toBe("running");
    const [task] = await a.listUserTasks({ correlationId: "sb-1" });
    expect(task).toMatchObject({ key: "Stopped", processInstanceId: instance.processInstanceId });
  }, 120_000);
});

describe("timers on PostgreSQL", () => {
  it("fire two due timers of one instance in due order: of two overdue racing timers the earlier wins", async () => {
    const data = await postgres.createDatabase(`engines_${++databases}`);
    // Both overdue, as after a node's downtime: instance by instance, ShortWait due a millisecond before
    // LongWait, so that the two are next to each other in the batch of due timers.
    const ends = await overdueRaces({ models: modelsDir("timer-race-late.bpmn"), data }, async (ids) => {
      const client = new pg.Client({ connectionString: data });
      await client.connect();
      try {
        const moved = await client.query(
          `UPDATE timers SET due_at = $1::bigint + 2 * (array_position($2::text[], instance_id) - 1)
             + CASE key WHEN 'LongWait' THEN 1 ELSE 0 END`,
          [Date.now() - 60_000, ids],
        );
        expect(moved.rowCount).toBe(2 * ids.length);
      } finally {
        await client.end();
      }
    });
    expect(ends).toEqual(ends.map(() => "ShortWon"));
  });
});

describe("an engine alone on its PostgreSQL database", () => {
  it("writes no news; once a second engine joined, its step runs again and the other's subscriber gets it", async () => {
    const data = await postgres.createDatabase(`engines_${++databases}`);
    // Its beat a minute away: what it learns of the second engine, its check before a commit tells it.
    const a = await open({ models: modelsDir("order.bpmn"), data, cluster: { leaseMs: 180_000 } });
    const coordination = (a as unknown as { coordination: { alone: boolean } }).coordination;
    const rows = async () => {
      const engine = a as unknown as {
        store: { pool: { query(text: string): Promise<{ rows: { n: string }[] }> } };
      };
      return Number(
        (await engine.store.pool.query("SELECT count(*) AS n FROM consumer_api_outbox")).rows[0]?.n,
      );
    };
    expect(coordination.alone).toBe(true);
    const first = await a.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    expect(await rows()).toBe(0);

    const b = await open({ models: modelsDir("order.bpmn"), data });
    const events: EngineEvent[] = [];
    b.on((event) => events.push(event));
    await b.listening();
    expect(coordination.alone).toBe(true);
    // A's next step finds B at its commit, runs again with its news, and B's subscriber gets it.
    const [task] = await a.listUserTasks({ correlationId: first.instance.correlationId });
    await a.finishUserTask(task?.id as string, { formFields: { approved: true } });
    expect(coordination.alone).toBe(false);
    expect(await rows()).toBeGreaterThan(0);
    while (!events.some((event) => event.processInstanceId === first.instance.processInstanceId))
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await a.getInstance(first.instance.processInstanceId))?.state).toBe("finished");
  }, 120_000);
});
