// One suite over every Store implementation (src/store.ts): SQLite on a real file, PostgreSQL on a real
// server started for this file, a fresh database per test. What the engine relies on — transactions and
// savepoints, writes visible to the step's own reads, takes exactly once, pages and their counts, external
// task locks, the end order, timer rows — must hold on both.
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../src/postgres-store.js";
import { SqliteStore } from "../src/sqlite-store.js";
import type { InstanceData, Store, UserTaskRow } from "../src/store.js";
import { removeTempDirs, tempDir } from "./helpers.js";

let postgres: TestPostgres;
let databases = 0;
const opened: Store[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  removeTempDirs();
});
afterAll(async () => {
  await postgres?.stop();
});

const backends: { name: string; open(): Promise<Store> }[] = [
  {
    name: "sqlite",
    open: async () => new SqliteStore({ data: tempDir("store-contract-"), synchronous: "FULL" }),
  },
  {
    name: "postgres",
    open: async () => PostgresStore.open({ url: await postgres.createDatabase(`store_${++databases}`) }),
  },
];

const instance = (id: string, extra: Partial<InstanceData> = {}): InstanceData => ({
  id,
  modelKey: "M",
  modelHash: "h",
  correlationId: "c",
  state: "running",
  startedAt: "2026-01-01T00:00:00.000Z",
  runtime: "{}",
  ...extra,
});

const task = (id: string, extra: Partial<UserTaskRow> = {}): UserTaskRow => ({
  id,
  instanceId: "i-1",
  key: "Review",
  modelKey: "M",
  modelHash: "h",
  correlationId: "c",
  lane: null,
  payload: { n: id },
  createdAt: "2026-01-01T00:00:00.000Z",
  ...extra,
});

describe.each(backends)("the Store contract on $name", (backend) => {
  const open = async () => {
    const store = await backend.open();
    opened.push(store);
    return store;
  };

  it("commits a transaction's writes, which its own reads already see; a throw leaves nothing", async () => {
    const store = await open();
    const seen = await store.transaction(async (tx) => {
      tx.insertInstance(instance("i-1"));
      tx.insertUserTask(task("t-1"));
      return (await tx.getUserTask("t-1"))?.payload;
    });
    expect(seen).toEqual({ n: "t-1" });
    expect(await store.getInstance("i-1")).toMatchObject({ id: "i-1", state: "running", runtime: "{}" });
    await expect(
      store.transaction(async (tx) => {
        tx.insertUserTask(task("t-2"));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(await store.getUserTask("t-2")).toBeUndefined();
    expect((await store.listUserTasks({})).map((row) => row.id)).toEqual(["t-1"]);
  });

  it("keeps every character it stores, written in a batch or alone: quotes, backslashes, dollars", async () => {
    const store = await open();
    const awkward = `it's \\ \\' '' $$ $1 E'x' \\x41 ü 😀 \n end`;
    await store.transaction(async (tx) => {
      tx.insertInstance(instance("i-awkward", { runtime: awkward, starterId: awkward }));
      tx.insertUserTask(task("t-awkward", { payload: { text: awkward, [awkward]: [awkward] } }));
    });
    const starter = await store.transaction(async (tx) => (await tx.getInstance("i-awkward"))?.starterId);
    expect(starter).toBe(awkward);
    expect((await store.getInstance("i-awkward"))?.runtime).toBe(awkward);
    expect((await store.getUserTask("t-awkward"))?.payload).toEqual({ text: awkward, [awkward]: [awkward] });
  });

  it("rolls a savepoint back alone, and a failed write fails the step that made it", async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      tx.insertUserTask(task("t-1"));
      await expect(
        tx.savepoint(async () => {
          tx.insertUserTask(task("t-2"));
          throw new Error("inner");
        }),
      ).rejects.toThrow("inner");
      // A duplicate id: the write is not awaited, yet the savepoint reports it and rolls it back.
      await expect(
        tx.savepoint(async () => {
          tx.insertUserTask(task("t-3"));
          tx.insertUserTask(task("t-1"));
        }),
      ).rejects.toThrow();
      tx.insertUserTask(task("t-4"));
    });
    expect((await store.listUserTasks({})).map((row) => row.id)).toEqual(["t-1", "t-4"]);
  });

  it("runs a batch in one commit: a step that throws rolls back alone, `after` sees every outcome", async () => {
    const store = await open();
    let afterSaw: boolean[] = [];
    const outcomes = await store.runBatch(
      [
        async (tx) => tx.insertUserTask(task("t-1")),
        async (tx) => {
          tx.insertUserTask(task("t-2"));
          throw new Error("refused");
        },
        async (tx) => tx.insertUserTask(task("t-3")),
      ],
      async (done, tx) => {
        afterSaw = done.map((outcome) => outcome.ok);
        tx.insertUserTask(task("t-after"));
      },
    );
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(afterSaw).toEqual([true, false, true]);
    expect((await store.listUserTasks({})).map((row) => row.id)).toEqual(["t-1", "t-3", "t-after"]);
  });

  it("gives a row to exactly one of twelve concurrent takes", async () => {
    const store = await open();
    await store.transaction(async (tx) => tx.insertUserTask(task("t-1")));
    const takes = await Promise.all(
      Array.from({ length: 12 }, () => store.transaction((tx) => tx.takeUserTask("t-1"))),
    );
    expect(takes.filter((row) => row !== undefined)).toHaveLength(1);
    expect(await store.getUserTask("t-1")).toBeUndefined();
  });

  it("shows a read outside a transaction only what is committed", async () => {
    const store = await open();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Set as the transaction's work ends: from then on only its commit remains.
    let committing = false;
    const writing = store.transaction(async (tx) => {
      tx.insertUserTask(task("t-1"));
      await tx.getUserTask("t-1");
      await gate;
      committing = true;
    });
    // Let the transaction reach its gate (PostgreSQL: the insert is on the server, uncommitted).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reading = store.getUserTask("t-1").then((row) => ({ row, committing }));
    release();
    await writing;
    const read = await reading;
    // Either it did not see the row, or it read only once the transaction was done.
    expect(read.row === undefined || read.committing).toBe(true);
    expect(await store.getUserTask("t-1")).toBeDefined();
  });

  it("pages waiting rows by (createdAt, id) per lane range, with counts of only what the query takes", async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      tx.insertUserTask(task("b", { lane: null, createdAt: "2026-01-01T00:00:02.000Z" }));
      tx.insertUserTask(task("a", { lane: "Sales", createdAt: "2026-01-01T00:00:02.000Z" }));
      tx.insertUserTask(task("c", { lane: "Sales", createdAt: "2026-01-01T00:00:01.000Z" }));
      tx.insertUserTask(task("d", { lane: "Finance", createdAt: "2026-01-01T00:00:00.000Z" }));
      tx.insertUserTask(task("E", { lane: null, createdAt: "2026-01-01T00:00:03.000Z", correlationId: "x" }));
    });
    const ids = (page: { items: UserTaskRow[] }) => page.items.map((row) => row.id);
    const sales = await store.pageUserTasks({ lanes: ["Sales"] }, { offset: 0 });
    expect(sales.totalCount).toBe(4);
    expect(ids(sales)).toEqual(["c", "a", "b", "E"]);
    expect(ids(await store.pageUserTasks({ lanes: ["Sales"] }, { offset: 1, limit: 2 }))).toEqual(["a", "b"]);
    const none = await store.pageUserTasks({ lanes: [] }, { offset: 0, limit: 1 });
    expect({ ids: ids(none), totalCount: none.totalCount }).toEqual({ ids: ["b"], totalCount: 2 });
    const every = await store.pageUserTasks({}, { offset: 0, limit: 0 });
    expect({ ids: ids(every), totalCount: every.totalCount }).toEqual({ ids: [], totalCount: 5 });
    const inX = await store.pageUserTasks({ correlationId: "x", lanes: ["Sales"] }, { offset: 0 });
    expect({ ids: ids(inX), totalCount: inX.totalCount }).toEqual({ ids: ["E"], totalCount: 1 });
    expect(await store.pageUserTasks({ lanes: ["Sales"] }, { offset: 9 })).toEqual({
      items: [],
      totalCount: 4,
    });
  });

  it("pages every model's tasks right after takes, deletes and rolled-back savepoints, inside a transaction too", async () => {
    const store = await open();
    // Tasks spread over two hours, minutes and seconds, in two lanes and none (the deep-page counts of
    // SQLite's migration 8 are kept per hour, minute and second).
    const times = [
      "2026-01-01T00:00:00.000Z",
      "2026-01-01T00:00:00.500Z",
      "2026-01-01T00:00:01.000Z",
      "2026-01-01T00:59:59.000Z",
      "2026-01-01T01:00:00.000Z",
      "2026-01-01T01:02:03.000Z",
    ];
    const lanes = [null, "Sales", "Finance"];
    const all = times.flatMap((createdAt, i) =>
      lanes.map((lane, j) => task(`t-${i}-${j}`, { createdAt, lane, correlationId: `c-${i}` })),
    );
    await store.transaction(async (tx) => {
      for (const row of all) tx.insertUserTask(row);
    });
    const gone = new Set<string>();
    await store.runBatch(
      [
        async (tx) => {
          gone.add((await tx.takeUserTask("t-0-1"))?.id as string);
          tx.deleteWait("task", "t-3-0");
          gone.add("t-3-0");
        },
        async (tx) => {
          // Refused: its take and its insert are rolled back with its savepoint.
          await tx.takeUserTask("t-5-1");
          tx.insertUserTask(task("never", { createdAt: "2026-01-01T00:00:00.250Z" }));
          throw new Error("refused");
        },
        async (tx) => {
          tx.insertUserTask(task("late", { createdAt: "2026-01-01T00:59:59.500Z", lane: "Sales" }));
          await tx.savepoint(async () => {
            gone.add((await tx.takeUserTask("t-4-0"))?.id as string);
          });
        },
      ],
      async () => {},
    );
    const expected = [
      ...all.filter((row) => !gone.has(row.id)),
      task("late", { lane: "Sales", createdAt: "2026-01-01T00:59:59.500Z" }),
    ]
      .filter((row) => row.lane !== "Finance")
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))
      .map((row) => row.id);
    const ids = (page: { items: UserTaskRow[] }) => page.items.map((row) => row.id);
    for (let offset = 0; offset <= expected.length; offset++) {
      const page = await store.pageUserTasks({ lanes: ["Sales"] }, { offset, limit: 2 });
      expect({ offset, ids: ids(page), totalCount: page.totalCount }).toEqual({
        offset,
        ids: expected.slice(offset, offset + 2),
        totalCount: expected.length,
      });
    }
    // Inside a transaction, a page sees that transaction's own takes.
    const inside = await store.transaction(async (tx) => {
      await tx.takeUserTask(expected[0] as string);
      return tx.pageUserTasks({ lanes: ["Sales"] }, { offset: 0, limit: 1 });
    });
    expect({ ids: ids(inside), totalCount: inside.totalCount }).toEqual({
      ids: [expected[1]],
      totalCount: expected.length - 1,
    });
  });

  it("keeps every value exactly, however its writes are sent (queued writes go to PostgreSQL as one query)", async () => {
    const store = await open();
    const awkward = "it's \\ \"x\" ünï 💥 $1 $$ E'' \u0000".replace("\u0000", "");
    const payload = {
      text: awkward,
      list: [1, "two", null, { deep: awkward }],
      n: -0.5,
      big: 2 ** 52,
      yes: true,
    };
    const seen = await store.transaction(async (tx) => {
      tx.insertInstance(instance("i-odd", { correlationId: awkward, runtime: JSON.stringify({ awkward }) }));
      tx.addCorrelation(awkward, "M");
      tx.insertUserTask(
        task("t-odd", { lane: awkward, payload, correlationId: awkward, instanceId: "i-odd" }),
      );
      tx.insertUserTask(
        task("t-plain", { lane: null, payload: null, correlationId: awkward, instanceId: "i-odd" }),
      );
      // A read after the writes: on PostgreSQL it goes with them.
      return tx.getUserTask("t-odd");
    });
    expect(seen).toMatchObject({ lane: awkward, payload, correlationId: awkward });
    expect(await store.getUserTask("t-odd")).toMatchObject({ lane: awkward, payload });
    expect(await store.getUserTask("t-plain")).toMatchObject({ lane: null, payload: null });
    expect(await store.getInstance("i-odd")).toMatchObject({
      correlationId: awkward,
      runtime: JSON.stringify({ awkward }),
    });
    expect(await store.correlationModels(awkward)).toEqual(["M"]);
    const page = await store.pageUserTasks({ correlationId: awkward, lanes: [awkward] }, { offset: 0 });
    expect(page.items.map((row) => row.id).sort()).toEqual(["t-odd", "t-plain"]);
  });

  it("locks an external task for one worker at a time, the holder extends and takes it", async () => {
    const store = await open();
    await store.transaction(async (tx) =>
      tx.insertExternalTask({ ...task("x-1"), topic: "charge", payload: { amount: 3 } }),
    );
    const lock = (workerId: string, now: number) =>
      store.transaction((tx) =>
        tx.lockExternalTasks({ workerId, topics: ["charge"], lanes: [], limit: 5, now, until: now + 1000 }),
      );
    const [a, b] = await Promise.all([lock("w-a", 1000), lock("w-b", 1000)]);
    expect([...(a ?? []), ...(b ?? [])].map((row) => row.id)).toEqual(["x-1"]);
    const holder = (a?.length ? "w-a" : "w-b") as string;
    const other = holder === "w-a" ? "w-b" : "w-a";
    expect(await store.transaction((tx) => tx.extendExternalTaskLock("x-1", other, 9000))).toBe(false);
    expect(await store.transaction((tx) => tx.extendExternalTaskLock("x-1", holder, 3000))).toBe(true);
    expect(await store.nextExternalTaskUnlock(["charge"], 1000)).toBe(3000);
    expect(await lock(other, 2999)).toEqual([]);
    expect((await lock(other, 3000)).map((row) => row.workerId)).toEqual([other]);
    expect(await store.transaction((tx) => tx.takeExternalTask("x-1", holder))).toBeUndefined();
    expect(await store.transaction((tx) => tx.takeExternalTask("x-1", other))).toMatchObject({
      payload: { amount: 3 },
    });
  });

  it("keeps the end order of finished instances, given once", async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      tx.insertInstance(
        instance("i-1", { state: "finished", endEventKey: "End", endEventLane: null, endSeq: 1 }),
      );
      tx.insertInstance(instance("i-2"));
    });
    await store.transaction(async (tx) => {
      tx.updateInstance({
        ...instance("i-2"),
        state: "finished",
        endEventKey: "End",
        endEventLane: null,
        result: { last: true },
        endSeq: 2,
        finishedAt: "2026-01-01T00:00:01.000Z",
      });
    });
    expect(await store.latestFinished("c", "M")).toMatchObject({ id: "i-2", result: { last: true } });
    // Written again (a later step loaded it): the order stays.
    const again = (await store.getInstance("i-1")) as InstanceData;
    await store.transaction(async (tx) => tx.updateInstance(again));
    expect((await store.latestFinished("c", "M"))?.id).toBe("i-2");
  });

  it("keeps timers and timer start events, and the earliest due time of both", async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      tx.insertTimer({ id: "tm-1", instanceId: "i-1", key: "Wait", dueAt: 5000 });
      tx.putStartTimer({ modelKey: "M", eventKey: "Tick", spec: "{}", dueAt: 4000, occurrence: 0 });
    });
    expect(await store.nextTimerDue()).toBe(4000);
    await store.transaction(async (tx) =>
      tx.putStartTimer({ modelKey: "M", eventKey: "Tick", spec: "{}", dueAt: 6000, occurrence: 1 }),
    );
    expect(await store.nextTimerDue()).toBe(5000);
    expect(await store.dueStartTimers(6000, 10)).toEqual([
      { modelKey: "M", eventKey: "Tick", spec: "{}", dueAt: 6000, occurrence: 1 },
    ]);
    expect((await store.dueTimers(4999, 10)).length).toBe(0);
    expect(await store.transaction((tx) => tx.takeTimer("tm-1"))).toMatchObject({ dueAt: 5000 });
    await store.transaction(async (tx) => tx.deleteStartTimer("M", "Tick"));
    expect(await store.nextTimerDue()).toBeUndefined();
  });

  it("withdraws a wait's row by kind", async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      tx.insertUserTask(task("t-1"));
      tx.insertEvent({ ...task("e-1"), eventType: "signal", eventName: "go" });
      tx.insertTimer({ id: "tm-1", instanceId: "i-1", key: "Wait", dueAt: 1 });
    });
    expect(await store.signalWaiters("go")).toEqual(["e-1"]);
    await store.transaction(async (tx) => {
      tx.deleteWait("task", "t-1");
      tx.deleteWait("event", "e-1");
      tx.deleteWait("timer", "tm-1");
    });
    expect(await store.getUserTask("t-1")).toBeUndefined();
    expect(await store.signalWaiters("go")).toEqual([]);
    expect(await store.nextTimerDue()).toBeUndefined();
  });
});

describe("the PostgreSQL store", () => {
  it("migrates once when several nodes start on one database at the same time", async () => {
    const url = await postgres.createDatabase(`store_${++databases}`);
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open({ url })));
    opened.push(...stores);
    await (stores[0] as Store).transaction(async (tx) => tx.insertUserTask(task("t-1")));
    expect(await (stores[2] as Store).getUserTask("t-1")).toBeDefined();
  });

  it("reports the step that lost a deadlock between two batches as one to run again; the other commits", async () => {
    const url = await postgres.createDatabase(`store_${++databases}`);
    const [first, second] = await Promise.all([PostgresStore.open({ url }), PostgresStore.open({ url })]);
    opened.push(first, second);
    await first.transaction(async (tx) => {
      tx.insertInstance(instance("i-a"));
      tx.insertInstance(instance("i-b"));
    });
    let arrived = 0;
    let bothHold = () => {};
    const holding = new Promise<void>((resolve) => {
      bothHold = resolve;
    });
    // Each batch locks one instance, waits until the other holds its own, then loads the other's.
    const batch = (store: Store, mine: string, theirs: string) =>
      store.runBatch(
        [
          async (tx) => {
            await tx.getInstance(mine);
            if (++arrived === 2) bothHold();
            await holding;
            return (await tx.getInstance(theirs))?.id;
          },
        ],
        async () => {},
      );
    const outcomes = (await Promise.all([batch(first, "i-a", "i-b"), batch(second, "i-b", "i-a")])).flat();
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.find((outcome) => !outcome.ok)).toMatchObject({ ok: false, retry: true });
  });

  it("commits durably: synchronous_commit is on for its connections, also where the database says off", async () => {
    const url = await postgres.createDatabase(`store_${++databases}`);
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = off`);
    await admin.end();
    const store = await PostgresStore.open({ url });
    opened.push(store);
    const outside = await store.transaction(async (tx) => tx.sql?.("SHOW synchronous_commit", []));
    expect(outside).toEqual([{ synchronous_commit: "on" }]);
  });

  it("sends a statement with the commit and answers it once committed; one rolled back never runs", async () => {
    const url = await postgres.createDatabase(`store_${++databases}`);
    const store = await PostgresStore.open({ url });
    opened.push(store);
    await store.transaction(async (tx) => tx.sql?.("CREATE TABLE marks (n int)", []));
    const count = async () =>
      (await store.transaction(async (tx) => tx.sql?.("SELECT count(*)::int AS n FROM marks", [])))?.[0];
    let answered: Record<string, unknown>[] | undefined;
    await store.transaction(async (tx) => {
      void tx.sqlAtCommit?.("INSERT INTO marks VALUES ($1) RETURNING n", [7], "mark").then((rows) => {
        answered = rows;
      });
      // Not sent yet: only with the commit.
      expect(await tx.sql?.("SELECT count(*)::int AS n FROM marks", [])).toEqual([{ n: 0 }]);
    });
    expect(answered).toEqual([{ n: 7 }]);
    // Rolled back with its transaction, and with a savepoint it was queued in.
    const refusals: unknown[] = [];
    await store
      .transaction(async (tx) => {
        tx.sqlAtCommit?.("INSERT INTO marks VALUES ($1) RETURNING n", [8], "mark").catch((error) => {
          refusals.push(error);
        });
        throw new Error("refused");
      })
      .catch(() => {});
    await store.transaction(async (tx) => {
      await tx
        .savepoint(async () => {
          tx.sqlAtCommit?.("INSERT INTO marks VALUES ($1) RETURNING n", [9], "mark").catch((error) => {
            refusals.push(error);
          });
          throw new Error("refused");
        })
        .catch(() => {});
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(refusals).toHaveLength(2);
    expect(await count()).toEqual({ n: 1 });
  });

  it("refuses a database it cannot reach, naming it and not the password", async () => {
    await expect(
      PostgresStore.open({ url: "postgres://u:secret@127.0.0.1:1/nowhere" }),
    ).rejects.toMatchObject({
      code: "data_unavailable",
      message: expect.stringMatching(/^cannot open the PostgreSQL database 127\.0\.0\.1:1\/nowhere: /),
    });
    await expect(PostgresStore.open({ url: "postgres://u:secret@127.0.0.1:1/nowhere" })).rejects.not.toThrow(
      /secret/,
    );
  });
});
