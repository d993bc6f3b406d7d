// The PostgreSQL coordination between nodes on one database (a real PostgreSQL): news by NOTIFY in commit
// order, an outbox for what NOTIFY cannot carry, and leases that one node wins and a survivor takes over.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BatchNews, NewsReceiver } from "../src/coordination.js";
import { PgCoordination } from "../src/pg-coordination.js";
import type { EngineEvent } from "../src/types.js";

let postgres: TestPostgres;
let url: string;
const nodes: PgCoordination[] = [];
const clients: pg.Client[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
  url = await postgres.createDatabase("coordination");
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const node of nodes) await node.close();
  for (const client of clients) await client.end();
  await postgres?.stop();
});

/** Collects the news into `got`; something waits for all of it while `attends` says so. */
function receiving(got: BatchNews[], more: Partial<NewsReceiver> = {}): NewsReceiver {
  return {
    news: (news) => got.push(news),
    attends: () => true,
    watched: () => [],
    touched: () => {},
    ...more,
  };
}

/** A node on `database` (a test's own), started with `receiver`, closed with the others. */
async function nodeOn(
  database: string,
  receiver: NewsReceiver,
  options: { leaseMs?: number; sweepMs?: number } = {},
): Promise<PgCoordination> {
  const coordination = new PgCoordination({ connectionString: database, ...options });
  await coordination.start(receiver);
  nodes.push(coordination);
  return coordination;
}

/** Routes a node's pooled queries through `route` (which gets the query's arguments and the real query). */
function routeQueries(
  on: PgCoordination,
  route: (args: unknown[], query: (...args: unknown[]) => Promise<unknown>) => Promise<unknown>,
): void {
  const pool = (on as unknown as { pool: { query: (...args: unknown[]) => Promise<unknown> } }).pool;
  const query = pool.query.bind(pool);
  pool.query = (...args: unknown[]) => route(args, query);
}

/** A node whose received news is collected, as its engine would publish it; something on it waits for news. */
async function node(options: { leaseMs?: number } = {}): Promise<{ node: PgCoordination; got: BatchNews[] }> {
  const got: BatchNews[] = [];
  const coordination = new PgCoordination({ connectionString: url, ...options });
  await coordination.start(receiving(got));
  await coordination.attend();
  nodes.push(coordination);
  return { node: coordination, got };
}

async function connection(): Promise<pg.Client> {
  return connectionTo(url);
}

async function connectionTo(database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  clients.push(client);
  return client;
}

const step = (n: number, payload: unknown = n, instanceId = "i-1"): BatchNews => ({
  events: [
    {
      type: "activity.finished",
      processModelKey: "M",
      correlationId: "c",
      processInstanceId: instanceId,
      flowNodeKey: `Task${n}`,
      flowNodeType: "UserTask",
      lane: null,
      payload,
    } satisfies EngineEvent,
  ],
  ended: [],
  tasks: [],
});

/** What a step's check fails with when another node joined while it believed it was alone: run it again. */
const RUN_AGAIN = "40001";

/**
 * A local step: announced in a transaction of its own connection, as the store's step does, then published
 * by its node (`publish`), or rolled back. Run again, as the store does, when its check found that another
 * node had joined (RUN_AGAIN).
 */
async function commit(
  on: PgCoordination,
  client: pg.Client,
  news: BatchNews,
  options: { rollback?: boolean; publish?: () => void; beforeCommit?: () => Promise<void> } = {},
): Promise<{ publishedAtOnce: boolean; runs: number }> {
  for (let runs = 1; ; runs++) {
    const reservation = on.reserve();
    try {
      await client.query("BEGIN");
      let answered: Promise<unknown> = Promise.resolve();
      await reservation.announce(news, [], (text, values) => {
        const answer = client.query(text, values).then((result) => result.rows);
        answered = answer;
        return answer;
      });
      // Its number known here, as the store's step knows it once its commit is answered (here: before it).
      await answered;
    } catch (error) {
      await client.query("ROLLBACK");
      reservation.abandon();
      if ((error as { code?: string }).code === RUN_AGAIN && runs < 3) continue;
      throw error;
    }
    await new Promise((resolve) => setImmediate(resolve));
    await options.beforeCommit?.();
    await client.query(options.rollback ? "ROLLBACK" : "COMMIT");
    if (options.rollback) {
      reservation.abandon();
      return { publishedAtOnce: false, runs };
    }
    let published = false;
    const delivered = reservation.deliver(() => {
      published = true;
      options.publish?.();
    });
    // Published within deliver itself: no read of the outbox came first.
    const publishedAtOnce = published;
    await delivered;
    return { publishedAtOnce, runs };
  }
}

/**
 * A local step that commits, but whose node learns its number only when `answer` is called: as the store's
 * step learns it from its commit's answer.
 */
async function commitAnsweredLater(on: PgCoordination, client: pg.Client, news: BatchNews) {
  const reservation = on.reserve();
  let answer = () => {};
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  await client.query("BEGIN");
  await reservation.announce(news, [], async (text, values) => {
    const { rows } = await client.query(text, values);
    await answered;
    return rows;
  });
  await client.query("COMMIT");
  return { reservation, answer };
}

/** A node in a process of its own that claims a script job and says whether it holds it (pg-lease-child.mjs). */
async function leaseChild(database: string, key: string, leaseMs: number) {
  const child = spawn(process.execPath, [
    fileURLToPath(new URL("./pg-lease-child.mjs", import.meta.url)),
    database,
    key,
    String(leaseMs),
  ]);
  children.push(child);
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  return { child, line: line.toString().trim() };
}

/** How many outbox rows (news) the nodes of a database wrote. */
const outboxRows = async (client: pg.Client) =>
  Number((await client.query("SELECT count(*) AS n FROM consumer_api_outbox")).rows[0].n);

const keys = (got: BatchNews[]) => got.map((news) => (news.events[0] as { flowNodeKey: string }).flowNodeKey);

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("news between nodes", () => {
  it("reaches every other node in step order, never its sender, never from a rolled-back step", async () => {
    const a = await node();
    const b = await node();
    const watcher = await node();
    const [onA, onB] = [await connection(), await connection()];
    // One instance's steps alternate between the nodes, each committed before the next begins.
    for (let n = 0; n < 20; n++) {
      await commit(n % 2 === 0 ? a.node : b.node, n % 2 === 0 ? onA : onB, step(n));
      if (n === 10) await commit(a.node, onA, step(99), { rollback: true });
    }
    await until(() => watcher.got.length === 20);
    expect(keys(watcher.got)).toEqual(Array.from({ length: 20 }, (_, n) => `Task${n}`));
    await until(() => a.got.length === 10 && b.got.length === 10);
    expect(keys(a.got)).toEqual(Array.from({ length: 10 }, (_, n) => `Task${2 * n + 1}`));
    expect(keys(b.got)).toEqual(Array.from({ length: 10 }, (_, n) => `Task${2 * n}`));
  });

  it("carries news far over NOTIFY's 8000 bytes", async () => {
    const a = await node();
    const watcher = await node();
    const onA = await connection();
    const big = "x".repeat(100_000);
    await commit(a.node, onA, step(0));
    await commit(a.node, onA, step(1, { big }));
    await commit(a.node, onA, step(2));
    await until(() => watcher.got.length === 3);
    expect(keys(watcher.got)).toEqual(["Task0", "Task1", "Task2"]);
    expect(watcher.got[1]?.events[0]).toMatchObject({ payload: { big } });
  });

  it("publishes its own step after another node's earlier step of the instance, however late it read it", async () => {
    const a = await node();
    const w = await node();
    const [onA, onW] = [await connection(), await connection()];
    const order: string[] = [];
    const seen = w.got.length;
    // A's step commits; W's next step of the instance commits right after, before W had a reason to read.
    await commit(a.node, onA, step(1));
    await commit(w.node, onW, step(2), { publish: () => order.push(...keys(w.got.slice(seen)), "own") });
    expect(order).toEqual(["Task1", "own"]);
  });

  it("publishes its own step at once when what came before it in the instance is delivered here already", async () => {
    const a = await node();
    const w = await node();
    const [onA, onW] = [await connection(), await connection()];
    // A new instance, then its next step on the same node: nothing of another node can come before them.
    expect(await commit(w.node, onW, step(1, 1, "i-fast"))).toMatchObject({ publishedAtOnce: true });
    expect(await commit(w.node, onW, step(2, 2, "i-fast"))).toMatchObject({ publishedAtOnce: true });
    // Another node's step of it: W publishes its next step only after it has A's (at once if it read A's
    // already, after a read otherwise), and the one after that at once again.
    await commit(a.node, onA, step(3, 3, "i-fast"));
    let lastBefore: string | undefined;
    await commit(w.node, onW, step(4, 4, "i-fast"), { publish: () => (lastBefore = keys(w.got).at(-1)) });
    expect(lastBefore).toBe("Task3");
    expect(await commit(w.node, onW, step(5, 5, "i-fast"))).toMatchObject({ publishedAtOnce: true });
    // Once W has read A's step, a step after it is published at once as well.
    await commit(a.node, onA, step(6, 6, "i-fast"));
    await until(() => keys(w.got).at(-1) === "Task6");
    expect(await commit(w.node, onW, step(7, 7, "i-fast"))).toMatchObject({ publishedAtOnce: true });
  });

  it("holds another node's later news while its own step that came first has not committed", async () => {
    const a = await node();
    const w = await node();
    const witness = await node();
    const [onA, onW] = [await connection(), await connection()];
    const order: string[] = [];
    await commit(w.node, onW, step(1, 1, "i-held"), {
      publish: () => order.push("own", ...keys(w.got)),
      // Another node's step (of another instance: this one's row would be locked by W's step) commits
      // while W's is still open: it has the higher id, and waits.
      beforeCommit: async () => {
        await commit(a.node, onA, step(2, 2, "i-other"));
        await until(() => witness.got.length === 1);
        expect(w.got).toEqual([]);
      },
    });
    await until(() => w.got.length === 1);
    expect(order).toEqual(["own"]);
    expect(keys(w.got)).toEqual(["Task2"]);
  });

  it("holds another node's news of an instance while its own earlier step of it awaits its commit's answer", async () => {
    const a = await node();
    const w = await node();
    const [onA, onW] = [await connection(), await connection()];
    const order: string[] = [];
    // W's step commits, but W learns its number only later: it comes with the commit's answer.
    const { reservation, answer } = await commitAnsweredLater(w.node, onW, step(1, 1, "i-late"));
    // A's next step of the instance (it waited for W's) commits and W reads it: W holds it back.
    await commit(a.node, onA, step(2, 2, "i-late"));
    const buffered = () => (w.node as unknown as { buffer: unknown[] }).buffer.length;
    await until(() => buffered() === 1 || w.got.length > 0);
    expect(w.got).toEqual([]);
    answer();
    await reservation.deliver(() => order.push("own", ...keys(w.got)));
    await until(() => w.got.length === 1);
    expect(order).toEqual(["own"]);
    expect(keys(w.got)).toEqual(["Task2"]);
  });

  it("publishes its own later step of an instance after its earlier one whose commit was answered last", async () => {
    const w = await node();
    const [first, second] = [await connection(), await connection()];
    const order: string[] = [];
    const { reservation: earlier, answer } = await commitAnsweredLater(w.node, first, step(1, 1, "i-own"));
    // The next step of the instance, on the same node, is answered first.
    const later = w.node.reserve();
    await second.query("BEGIN");
    await later.announce(
      step(2, 2, "i-own"),
      [],
      async (text, values) => (await second.query(text, values)).rows,
    );
    await second.query("COMMIT");
    const laterDelivered = later.deliver(() => order.push("2"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    answer();
    await earlier.deliver(() => order.push("1"));
    await laterDelivered;
    expect(order).toEqual(["1", "2"]);
  });

  it("pokes nobody while alone on its database, from its start, and pokes again once another node listens", async () => {
    const lonely = await postgres.createDatabase("alone");
    const a = new PgCoordination({ connectionString: lonely, leaseMs: 300 });
    await a.start(receiving([], { attends: () => false }));
    nodes.push(a);
    const pool = (a as unknown as { pool: { query: (...args: unknown[]) => unknown } }).pool;
    const query = pool.query.bind(pool);
    let pokes = 0;
    pool.query = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].includes("NOTIFY")) pokes++;
      return query(...args);
    };
    const alone = () => !(a as unknown as { othersListen: boolean }).othersListen;
    // Known when start returns (with a lease of 300 ms the first beat would be 100 ms later).
    expect(alone()).toBe(true);
    const onA = new pg.Client({ connectionString: lonely });
    await onA.connect();
    clients.push(onA);
    await commit(a, onA, step(1, 1, "i-alone"));
    expect(pokes).toBe(0);
    // B reads on its sweep only once a minute: A's next news reaches it at once only by a poke.
    const got: BatchNews[] = [];
    const b = new PgCoordination({ connectionString: lonely, sweepMs: 60_000 });
    await b.start(receiving(got));
    await b.attend();
    nodes.push(b);
    await until(() => !alone());
    await commit(a, onA, step(2, 2, "i-alone"));
    await until(() => got.length === 1);
    expect(keys(got)).toEqual(["Task2"]);
    expect(pokes).toBeGreaterThan(0);
  }, 30_000);
});

describe("who receives news", () => {
  /** A node that can count the NOTIFYs of one channel it sends. */
  function countNotifies(on: PgCoordination, channel: string): () => number {
    let sent = 0;
    routeQueries(on, (args, query) => {
      if (typeof args[0] === "string" && args[0].includes(`NOTIFY ${channel},`)) sent++;
      return query(...args);
    });
    return () => sent;
  }
  const attending = (on: PgCoordination) => (on as unknown as { attending: boolean }).attending;
  // Each test here has a database of its own; its nodes and connections go when it ends (the server's
  // connection slots are few).
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    for (const client of clients.splice(0)) await client.end();
  });
  const alone = (on: PgCoordination) => !(on as unknown as { othersListen: boolean }).othersListen;

  it("is neither read for nor poked while nothing on it waits; from its first wait on, gets every later step and no events of earlier ones", async () => {
    const database = await postgres.createDatabase("attending");
    const a = await nodeOn(database, receiving([], { attends: () => false }), { leaseMs: 300 });
    const pokes = countNotifies(a, "consumer_api_news");
    // B reads on its sweep only once a minute, so what it gets came by a poke or by its first read.
    const got: BatchNews[] = [];
    let bWaits = true;
    const b = await nodeOn(database, receiving(got, { attends: () => bWaits }), {
      leaseMs: 300,
      sweepMs: 60_000,
    });
    const onA = await connectionTo(database);
    await until(() => alone(a));
    await commit(a, onA, step(1, 1, "i-att"));
    expect(pokes()).toBe(0);
    expect(attending(b)).toBe(false);

    await b.attend();
    // Step 1 committed before B attended: what it brings reaches B's waiters, no events for its subscribers.
    expect(got.flatMap((news) => news.events)).toEqual([]);
    await until(() => !alone(a));
    await commit(a, onA, step(2, 2, "i-att"));
    await until(() => got.some((news) => news.events.length > 0));
    expect(keys(got.filter((news) => news.events.length > 0))).toEqual(["Task2"]);
    expect(pokes()).toBeGreaterThan(0);

    // Nothing on B waits any more: it stops receiving at a beat, and A stops poking at one of its own.
    bWaits = false;
    await until(() => !attending(b));
    await until(() => alone(a));
    const before = pokes();
    await commit(a, onA, step(3, 3, "i-att"));
    expect(pokes()).toBe(before);
  }, 30_000);

  it("wakes a node that watches an instance when another node's step touches it, and for nothing else", async () => {
    const database = await postgres.createDatabase("watching");
    const a = await nodeOn(database, receiving([], { attends: () => false }), {});
    const touched: string[] = [];
    const got: BatchNews[] = [];
    // W's sweep is once a minute: a touch reported came with a wake.
    const w = await nodeOn(
      database,
      receiving(got, { attends: () => false, touched: (id) => touched.push(id) }),
      { sweepMs: 60_000 },
    );
    const onA = await connectionTo(database);
    const onW = await connectionTo(database);
    await w.watch("i-watched");
    await commit(a, onA, step(1, 1, "i-other"));
    await commit(a, onA, step(2, 2, "i-watched"));
    await until(() => touched.length > 0);
    expect(touched).toEqual(["i-watched"]);
    // Its own steps of the instance wake nobody, itself included.
    await commit(w, onW, step(3, 3, "i-watched"));
    await commit(a, onA, step(4, 4, "i-watched"));
    await until(() => touched.length > 1);
    expect(touched).toEqual(["i-watched", "i-watched"]);
    expect(got).toEqual([]);
  }, 30_000);

  it("gives a long poll the news of a step that a read begun before the poll brought in after it", async () => {
    const database = await postgres.createDatabase("late_read");
    const a = await nodeOn(database, receiving([], { attends: () => false }), {});
    const got: BatchNews[] = [];
    const b = await nodeOn(database, receiving(got), { sweepMs: 60_000 });
    const onA = await connectionTo(database);
    // B's next outbox read waits for a connection until released: its snapshot comes after A's commit.
    let release = () => {};
    let hold: Promise<void> | undefined = new Promise<void>((resolve) => {
      release = resolve;
    });
    routeQueries(b, (args, query) => {
      const held = hold;
      if (held && (args[0] as { name?: string }).name === "readOutbox")
        return held.then(() => query(...args));
      return query(...args);
    });
    (b as unknown as { read: () => void }).read(); // begun while nothing on B waits: ids only
    const attended = b.attend(); // a long poll begins to wait, and looks: no task yet
    hold = undefined;
    await commit(a, onA, { events: [], ended: [], tasks: [{ topic: "charge", lane: null }] });
    release();
    await attended;
    await until(() => got.some((news) => news.tasks.length > 0));
  }, 30_000);

  it("leaves no subscriber waiting to listen once closed", async () => {
    const database = await postgres.createDatabase("closing");
    const b = new PgCoordination({ connectionString: database, sweepMs: 60_000 });
    await b.start(receiving([]));
    // Its reads fail (the database went away): the wait for one never ends by itself.
    routeQueries(b, (args, query) =>
      (args[0] as { name?: string }).name === "readOutbox"
        ? Promise.reject(new Error("gone"))
        : query(...args),
    );
    const attended = b.attend();
    await b.close();
    await attended;
  }, 30_000);

  it("wakes nobody for an instance no longer watched", async () => {
    const database = await postgres.createDatabase("unwatched");
    const a = await nodeOn(database, receiving([], { attends: () => false }), {});
    const wakes = countNotifies(a, "consumer_api_wake");
    const w = await nodeOn(database, receiving([], { attends: () => false }), { sweepMs: 60_000 });
    const onA = await connectionTo(database);
    const marks = async () => {
      const { rows } = await onA.query(
        "SELECT waiters FROM consumer_api_instance_news WHERE instance_id = 'i-u'",
      );
      return (rows[0]?.waiters ?? []) as string[];
    };
    await w.watch("i-u");
    await commit(a, onA, step(1, 1, "i-u"));
    expect(wakes()).toBe(1);
    w.unwatch("i-u");
    while ((await marks()).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await commit(a, onA, step(2, 2, "i-u"));
    expect(wakes()).toBe(1);
  }, 30_000);

  it("reports a watched instance at its sweep when the wake was lost", async () => {
    const database = await postgres.createDatabase("lost_wake");
    const a = await nodeOn(database, receiving([], { attends: () => false }), {});
    // A dies before it wakes anyone: its wakes never leave.
    (a as unknown as { wake: () => void }).wake = () => {};
    const touched: string[] = [];
    const w = new PgCoordination({ connectionString: database, sweepMs: 100 });
    await w.start(
      receiving([], { attends: () => false, watched: () => ["i-lost"], touched: (id) => touched.push(id) }),
    );
    nodes.push(w);
    const onA = await connectionTo(database);
    await w.watch("i-lost");
    await commit(a, onA, step(1, 1, "i-lost"));
    await until(() => touched.includes("i-lost"));
  }, 30_000);
});

describe("leases", () => {
  it("gives a key to exactly one of twelve racers on two nodes", async () => {
    const [a, b] = [await node(), await node()];
    const racers = Array.from({ length: 12 }, (_, i) =>
      (i % 2 === 0 ? a : b).node.claim("timer", ["t-race"]),
    );
    const won = (await Promise.all(racers)).filter((set) => set.has("t-race"));
    expect(won).toHaveLength(1);
  });

  it("lets another node take a lease once it expired, and a released one at once", async () => {
    const long = await node({ leaseMs: 60_000 });
    const short = await node({ leaseMs: 3000 });
    const other = await node();
    expect([...(await long.node.claim("timer", ["t-1", "t-2"]))].sort()).toEqual(["t-1", "t-2"]);
    expect(await short.node.claim("timer", ["t-3"])).toEqual(new Set(["t-3"]));
    expect(await other.node.claim("timer", ["t-1", "t-2", "t-3"])).toEqual(new Set());
    await long.node.release("timer", ["t-2"]);
    expect(await other.node.claim("timer", ["t-1", "t-2"])).toEqual(new Set(["t-2"]));
    // A timer lease is not renewed: it expires by itself and the other node gets it.
    let won = new Set<string>();
    while (!won.has("t-3")) {
      won = await other.node.claim("timer", ["t-1", "t-3"]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(won).toEqual(new Set(["t-3"]));
  });

  it("keeps a script job with its live holder, and gives it to a survivor once the holder was killed", async () => {
    // A lease of seconds: a renewal is a commit, and a commit on a loaded machine can take hundreds of ms.
    const { child, line } = await leaseChild(url, "job-1", 2000);
    expect(line).toBe("holding");
    const survivor = await node({ leaseMs: 2000 });
    // Three lease periods: its heartbeat renewed it all along.
    const renewedUntil = Date.now() + 6000;
    while (Date.now() < renewedUntil) {
      expect(await survivor.node.claim("script-job", ["job-1"])).toEqual(new Set());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGKILL");
    await once(child, "exit");
    let won = new Set<string>();
    while (!won.has("job-1")) {
      won = await survivor.node.claim("script-job", ["job-1"]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});

describe("a node alone on its database", () => {
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const node of nodes.splice(0)) await node.close();
    for (const client of clients.splice(0)) await client.end();
  });
  const isAlone = (on: PgCoordination) => (on as unknown as { alone: boolean }).alone;
  /** Sessions of `database` waiting for a lock whose last statement contains `text`; `client` in no transaction. */
  const waitingOn = async (client: pg.Client, text: string) =>
    Number(
      (
        await client.query(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND strpos(query, $1) > 0`,
          [text],
        )
      ).rows[0].n,
    );

  it("writes no news; a node that joins gets every step that commits after its start, a check begun before it included", async () => {
    const database = await postgres.createDatabase("alone_join");
    const a = await nodeOn(database, receiving([], { attends: () => false }), { leaseMs: 300 });
    const [onA, onA2, look] = [
      await connectionTo(database),
      await connectionTo(database),
      await connectionTo(database),
    ];
    expect(isAlone(a)).toBe(true);
    expect(await commit(a, onA, step(1, 1, "i-1"))).toEqual({ publishedAtOnce: true, runs: 1 });
    expect(await outboxRows(look)).toBe(0);
    // A step of A that passed its check and has not committed: B's start waits for it.
    const reservation = a.reserve();
    await onA2.query("BEGIN");
    let checked: Promise<unknown> = Promise.resolve();
    await reservation.announce(step(2, 2, "i-2"), [], (text, values) => {
      const sent = onA2.query(text, values).then((result) => result.rows);
      checked = sent;
      return sent;
    });
    // Passed: the check holds the lock (shared) until the commit. Sent is not enough — B could take it first.
    await checked;
    const got: BatchNews[] = [];
    const b = new PgCoordination({ connectionString: database, sweepMs: 60_000 });
    nodes.push(b);
    let started = false;
    const starting = b.start(receiving(got)).then(() => {
      started = true;
    });
    while ((await waitingOn(look, "pg_advisory_xact_lock")) === 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toBe(false);
    await onA2.query("COMMIT");
    reservation.abandon();
    await starting;
    await b.attend();
    // A still believes it is alone (its beat has not looked yet, or looked before B's row): its check, not
    // its belief, finds B — the step runs again, and B gets its news. Its beats are held off from here (none
    // in flight: `beating` is false, and none begins between two statements), else one could find B first.
    const beats = a as unknown as { alone: boolean; beating: boolean };
    await until(() => !beats.beating);
    beats.beating = true;
    beats.alone = true;
    expect(await commit(a, onA, step(3, 3, "i-1"))).toEqual({ publishedAtOnce: true, runs: 2 });
    await until(() => got.length === 1);
    expect(keys(got)).toEqual(["Task3"]);
    expect(isAlone(a)).toBe(false);
    expect(await outboxRows(look)).toBe(1);
  }, 60_000);

  it("checks against a node that joined while the check waited for the lock", async () => {
    const database = await postgres.createDatabase("alone_check");
    const a = await nodeOn(database, receiving([]), {});
    const [joining, checking, look] = [
      await connectionTo(database),
      await connectionTo(database),
      await connectionTo(database),
    ];
    // A join, by hand, holding the lock exclusively with its row not committed yet.
    await joining.query("BEGIN");
    await joining.query("SELECT pg_advisory_xact_lock(7355002)");
    await joining.query("INSERT INTO consumer_api_nodes (node, seen_at) VALUES ('joiner', now())");
    await checking.query("BEGIN");
    // Its statement's snapshot is older than the join's commit: only a snapshot of its own sees the row.
    const check = checking.query("SELECT consumer_api_alone_v1($1)", [a.nodeId]).then(
      () => "passed",
      (error: { code?: string }) => error.code,
    );
    // Looked at from outside any transaction: within one, pg_stat_activity is read once and kept.
    while ((await waitingOn(look, "consumer_api_alone_v1")) === 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await joining.query("COMMIT");
    expect(await check).toBe(RUN_AGAIN);
    await checking.query("ROLLBACK");
    // Alone once more, the check passes.
    await joining.query("DELETE FROM consumer_api_nodes WHERE node = 'joiner'");
    expect((await checking.query("SELECT consumer_api_alone_v1($1) AS ok", [a.nodeId])).rows).toHaveLength(1);
  }, 60_000);

  it("is alone again once the other node left, or died; not while a silent node's session lives", async () => {
    const database = await postgres.createDatabase("alone_again");
    const a = await nodeOn(database, receiving([]), { leaseMs: 300 });
    const b = await nodeOn(database, receiving([]), { leaseMs: 300 });
    await until(() => !isAlone(a));
    await b.close();
    nodes.splice(nodes.indexOf(b), 1);
    await until(() => isAlone(a));
    // A node killed: its row stays, its session lock goes with its process; once not renewed for a lease
    // its row is deleted.
    const { child } = await leaseChild(database, "job-1", 300);
    await until(() => !isAlone(a));
    child.kill("SIGKILL");
    await once(child, "exit");
    await until(() => isAlone(a));
    // A node whose row is not renewed but whose session still holds its lock (paused, say) stays a node.
    const silent = await connectionTo(database);
    await silent.query("SELECT pg_advisory_lock(7355003, hashtext('silent'))");
    await silent.query(
      "INSERT INTO consumer_api_nodes (node, seen_at) VALUES ('silent', now() - interval '1 hour')",
    );
    await until(() => !isAlone(a));
    const look = await connectionTo(database);
    // Ten beats of A (lease 300 ms: one each 100 ms) later it is still there.
    for (let beat = 0; beat < 10; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(isAlone(a)).toBe(false);
    }
    expect((await look.query("SELECT node FROM consumer_api_nodes WHERE node = 'silent'")).rows).toHaveLength(
      1,
    );
    await silent.query("SELECT pg_advisory_unlock(7355003, hashtext('silent'))");
    await until(() => isAlone(a));
  }, 60_000);

  it("joins again when its row was taken for dead's, and looks at its watched instances again", async () => {
    const database = await postgres.createDatabase("alone_rejoin");
    const touched: string[] = [];
    const a = await nodeOn(
      database,
      receiving([], { watched: () => ["i-watched"], touched: (id) => touched.push(id) }),
      { leaseMs: 300 },
    );
    const look = await connectionTo(database);
    await look.query("DELETE FROM consumer_api_nodes WHERE node = $1", [a.nodeId]);
    await until(() => touched.length > 0);
    expect(touched).toEqual(["i-watched"]);
    expect((await look.query("SELECT node FROM consumer_api_nodes")).rows).toEqual([{ node: a.nodeId }]);
  }, 60_000);
});

describe("a node alone, in order", () => {
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    for (const client of clients.splice(0)) await client.end();
  });

  /** A local step announced and committed; delivered later, by the caller. */
  async function committed(on: PgCoordination, client: pg.Client, news: BatchNews) {
    const reservation = on.reserve();
    await client.query("BEGIN");
    await reservation.announce(news, [], (text, values) => client.query(text, values).then((r) => r.rows));
    await client.query("COMMIT");
    return reservation;
  }

  it("publishes an instance's steps in commit order once something observes it, alone steps included", async () => {
    const database = await postgres.createDatabase("alone_order");
    const a = await nodeOn(database, receiving([]), { leaseMs: 300 });
    const look = await connectionTo(database);
    const onA = await connectionTo(database);
    expect((a as unknown as { alone: boolean }).alone).toBe(true);
    // Two steps of one instance while nothing waits here: no news written.
    const first = await committed(a, onA, step(1, 1, "i-x"));
    const second = await committed(a, onA, step(2, 2, "i-x"));
    expect(await outboxRows(look)).toBe(0);
    // A subscriber comes; then a third step, which writes its news (something waits now).
    await a.attend();
    const third = await committed(a, onA, step(3, 3, "i-x"));
    expect(await outboxRows(look)).toBe(1);
    // Their batches end in the other order (a slower step beside the first, say).
    const order: number[] = [];
    const delivered = [
      third.deliver(() => order.push(3)),
      second.deliver(() => order.push(2)),
      first.deliver(() => order.push(1)),
    ];
    await Promise.all(delivered);
    expect(order).toEqual([1, 2, 3]);
  }, 60_000);

  it("writes the news of a step while an earlier local step of its instance that wrote news is unpublished", async () => {
    const database = await postgres.createDatabase("alone_after_news");
    const a = await nodeOn(database, receiving([]), { leaseMs: 60_000 });
    const look = await connectionTo(database);
    const onA = await connectionTo(database);
    await a.attend();
    const first = await committed(a, onA, step(1, 1, "i-y"));
    expect(await outboxRows(look)).toBe(1);
    // Nothing waits any more (the beat's unattend), the first step still undelivered: the next step of the
    // instance writes its news all the same, and so comes after it once a subscriber came meanwhile.
    (a as unknown as { unattend(): void }).unattend();
    const second = await committed(a, onA, step(2, 2, "i-y"));
    expect(await outboxRows(look)).toBe(2);
    await a.attend();
    const order: number[] = [];
    await Promise.all([second.deliver(() => order.push(2)), first.deliver(() => order.push(1))]);
    expect(order).toEqual([1, 2]);
  }, 60_000);

  it("takes its session lock at a beat once an earlier session of its name let it go", async () => {
    const database = await postgres.createDatabase("alone_lock");
    const holder = await connectionTo(database);
    await holder.query("SELECT pg_advisory_lock(7355003, hashtext('n-lock'))");
    const a = new PgCoordination({ connectionString: database, nodeId: "n-lock", leaseMs: 300 });
    await a.start(receiving([]));
    nodes.push(a);
    const locked = () => (a as unknown as { nodeLocked: boolean }).nodeLocked;
    expect(locked()).toBe(false);
    await holder.query("SELECT pg_advisory_unlock(7355003, hashtext('n-lock'))");
    await until(locked);
    // Held by the node's session now: nobody else gets it.
    const { rows } = await holder.query("SELECT pg_try_advisory_lock(7355003, hashtext('n-lock')) AS got");
    expect(rows[0].got).toBe(false);
  }, 60_000);

  it("after a beat that failed, takes nobody for dead until it has reached the database for a lease", async () => {
    const database = await postgres.createDatabase("alone_gate");
    const a = await nodeOn(database, receiving([]), { leaseMs: 300 });
    const look = await connectionTo(database);
    let failing = true;
    let failures = 0;
    const looked: boolean[] = [];
    routeQueries(a, async (args, query) => {
      const name = (args[0] as { name?: string }).name;
      if (failing && name === "lookAtMembers") {
        failures++;
        throw new Error("database unreachable");
      }
      const answer = await query(...args);
      if (name === "lookAtMembers")
        looked.push(
          (await look.query("SELECT 1 FROM consumer_api_nodes WHERE node = 'ghost'")).rows.length === 1,
        );
      return answer;
    });
    // Two failed beats, then a node that looks dead (no session lock, not renewed for an hour).
    await until(() => failures >= 2);
    await look.query(
      "INSERT INTO consumer_api_nodes (node, seen_at) VALUES ('ghost', now() - interval '1 hour')",
    );
    failing = false;
    await until(() => looked.length > 0);
    // The first beat that reached the database again kept it; one a lease later deletes it.
    expect(looked[0]).toBe(true);
    await until(() => looked.at(-1) === false);
  }, 60_000);
});
