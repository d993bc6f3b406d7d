import pg from "pg";
import type { ModelSource } from "./model-loader.js";
import { type CheckedOut, checkOut, markUnusable } from "./pg-connections.js";
import { migratePostgres } from "./postgres-migrations.js";
import type {
  EventRow,
  ExternalTaskLockRequest,
  ExternalTaskRow,
  InstanceData,
  ListFilter,
  ScriptJobRow,
  StartTimerRow,
  StepOutcome,
  Store,
  StoreReads,
  StoreTx,
  TimerRow,
  UserTaskRow,
  WaitKind,
} from "./store.js";
import {
  eventOf,
  externalTaskOf,
  instanceOf,
  type Row,
  scriptJobOf,
  startTimerOf,
  timerOf,
  toJson,
  userTaskOf,
} from "./store-rows.js";
import {
  EngineError,
  type EventType,
  type LaneName,
  type Page,
  type PageRequest,
  type WaitQuery,
} from "./types.js";

// Every SQL statement of the PostgreSQL store lives in this file (the schema in postgres-migrations.ts).
// Several engines, in several processes on several machines, may share one database: a step locks each
// instance it loads (SELECT … FOR UPDATE) until its batch commits, so an instance's steps never interleave;
// takes are DELETE … RETURNING (one winner); external tasks are locked with FOR UPDATE SKIP LOCKED; a timer
// start event's row is locked before it moves on (one instance per due time). See the engine README.

/** bigint (int8) columns — epoch ms, sequence numbers — as numbers: every value stored fits in 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Connections per engine: concurrent batches, and reads beside them. */
const POOL_SIZE = 10;
/**
 * Every step reads in snapshots of its statements (READ COMMITTED), whatever the database's default: the
 * cluster's checks rely on it (a statement sees what committed before it began, see pg-coordination.ts).
 */
const BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED";
/** SQLSTATEs of a lost race that a rerun of the step resolves: deadlock, serialization failure. */
const RETRYABLE = new Set(["40P01", "40001"]);

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
}

/** Whether a data string names a PostgreSQL database rather than a SQLite data directory. */
export const isPostgresUrl = (data: string): boolean => /^postgres(ql)?:\/\//i.test(data);

export interface Query {
  text: string;
  values: unknown[];
  name?: string;
  /**
   * Sent on its own even when other reads arrive with it (see `coalescedReads`): it may read far (a page
   * over every waiting task, an unfiltered list), and reads sent with it would wait for it.
   */
  alone?: boolean;
}

/** Runs one query; the same SQL for a pool (committed state) and for a transaction's client. */
export type Run = (query: Query) => Promise<Row[]>;

export class PostgresStore implements Store {
  readonly name = "postgres";
  readonly commitsBatchTogether = false;
  private readonly reads: PgReads;

  private constructor(private readonly pool: pg.Pool) {
    this.reads = new PgReads(coalescedReads(pool));
  }

  /** Connects, checks the database answers, and migrates its schema (safe when several nodes start at once). */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    let config: pg.PoolConfig;
    try {
      const url = new URL(options.url);
      if (!url.pathname || url.pathname === "/") throw new Error("no database name");
      config = { connectionString: options.url };
    } catch (error) {
      throw new EngineError(
        "data_unavailable",
        `the data string is not a PostgreSQL URL (postgres://user:password@host:port/database): ${(error as Error).message}`,
      );
    }
    const pool = new pg.Pool({
      ...config,
      max: POOL_SIZE,
      types,
      // Every acknowledged write is durable: a commit waits for its WAL flush, whatever the server's default.
      options: "-c synchronous_commit=on",
      connectionTimeoutMillis: 10_000,
    });
    // An idle connection the server dropped must not crash the process: the next query reconnects.
    pool.on("error", () => {});
    try {
      const connection = await checkOut(pool);
      try {
        await migratePostgres(connection.client);
      } finally {
        connection.release();
      }
    } catch (error) {
      await pool.end().catch(() => {});
      const where = new URL(options.url);
      throw new EngineError(
        "data_unavailable",
        `cannot open the PostgreSQL database ${where.host}${where.pathname}: ${(error as Error).message}`,
      );
    }
    return new PostgresStore(pool);
  }

  // The connection is taken when the transaction first sends something: one that sends nothing (a batch's
  // `after` with nothing to hand over) neither waits for a free connection nor holds one.
  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    let connection: CheckedOut | undefined;
    let broken: Error | undefined;
    try {
      const tx = new PgTx(async () => {
        connection = await checkOut(this.pool);
        return connection.client;
      });
      try {
        const value = await fn(tx);
        await tx.commit();
        return value;
      } catch (error) {
        await tx.rollback().catch((rollback: Error) => {
          broken = rollback;
        });
        throw error;
      }
    } finally {
      // A connection whose rollback failed is in an unknown state: dropped, not reused.
      connection?.release(broken);
    }
  }

  /**
   * Each step in a transaction of its own, all at once on the pool's connections; `after` in one more once
   * they are done. A PostgreSQL step is bound by its round trips, not by its commit's WAL flush (the server
   * flushes concurrent commits together), so one transaction for the batch would run its steps' round trips
   * one after the other: measured, 7 steps per batch and 160 start-to-ends per second, where concurrent
   * transactions share the flushes just as well. Steps of one instance still take turns on its row lock.
   */
  async runBatch<T>(
    steps: readonly ((tx: StoreTx) => Promise<T>)[],
    after: (outcomes: readonly StepOutcome<T>[], tx: StoreTx) => Promise<void>,
  ): Promise<StepOutcome<T>[]> {
    const outcomes = await Promise.all(
      steps.map(async (step): Promise<StepOutcome<T>> => {
        try {
          return { ok: true, value: await this.transaction(step) };
        } catch (error) {
          // A deadlock with another step (on this node or another): the other goes on once this one rolled
          // back and freed its locks; this one runs again in a later batch.
          const retry = RETRYABLE.has((error as { code?: string }).code ?? "");
          return retry ? { ok: false, error, retry: true } : { ok: false, error };
        }
      }),
    );
    try {
      await this.transaction((tx) => after(outcomes, tx));
    } catch {
      // What `after` does (hand new external tasks to waiting pollers) is done otherwise when it fails
      // (the pollers are woken); the steps are committed whatever it does.
    }
    return outcomes;
  }

  async maxEndSeq(): Promise<number> {
    const [row] = await this.reads.run({
      text: "SELECT COALESCE(MAX(end_seq), 0) AS seq FROM instances",
      values: [],
    });
    return (row?.seq as number) ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  getModelSource = (hash: string) => this.reads.getModelSource(hash);
  runningModelHashes = () => this.reads.runningModelHashes();
  getInstance = (id: string) => this.reads.getInstance(id);
  pageInstancesByStarter = (starterId: string, page: PageRequest) =>
    this.reads.pageInstancesByStarter(starterId, page);
  latestFinished = (correlationId: string, modelKey: string) =>
    this.reads.latestFinished(correlationId, modelKey);
  hasCorrelation = (correlationId: string) => this.reads.hasCorrelation(correlationId);
  correlationModels = (correlationId: string) => this.reads.correlationModels(correlationId);
  getUserTask = (id: string) => this.reads.getUserTask(id);
  listUserTasks = (filter: ListFilter) => this.reads.listUserTasks(filter);
  pageUserTasks = (query: WaitQuery, page: PageRequest) => this.reads.pageUserTasks(query, page);
  getEvent = (id: string) => this.reads.getEvent(id);
  listEvents = (filter: ListFilter) => this.reads.listEvents(filter);
  pageEvents = (query: WaitQuery, page: PageRequest) => this.reads.pageEvents(query, page);
  eventsByName = (eventType: EventType, eventName: string, correlationId?: string) =>
    this.reads.eventsByName(eventType, eventName, correlationId);
  signalWaiters = (signalName: string) => this.reads.signalWaiters(signalName);
  dueTimers = (now: number, limit: number) => this.reads.dueTimers(now, limit);
  nextTimerDue = () => this.reads.nextTimerDue();
  listStartTimers = () => this.reads.listStartTimers();
  getStartTimer = (modelKey: string, eventKey: string) => this.reads.getStartTimer(modelKey, eventKey);
  dueStartTimers = (now: number, limit: number) => this.reads.dueStartTimers(now, limit);
  pendingScriptJobs = () => this.reads.pendingScriptJobs();
  getExternalTask = (id: string) => this.reads.getExternalTask(id);
  nextExternalTaskUnlock = (topics: readonly string[], now: number) =>
    this.reads.nextExternalTaskUnlock(topics, now);
}

/** The queries, over a pool (committed state) or a transaction's client (its own writes included). */
class PgReads implements StoreReads {
  constructor(readonly run: Run) {}

  async getModelSource(hash: string): Promise<ModelSource | undefined> {
    const [row] = await this.run(
      named("getModelSource", "SELECT hash, file, source FROM model_sources WHERE hash = $1", [hash]),
    );
    return row as ModelSource | undefined;
  }

  async runningModelHashes(): Promise<string[]> {
    const rows = await this.run(
      named("runningModelHashes", "SELECT DISTINCT model_hash FROM instances WHERE state = 'running'", []),
    );
    return rows.map((row) => row.model_hash as string);
  }

  async getInstance(id: string): Promise<InstanceData | undefined> {
    const [row] = await this.run(named("getInstance", "SELECT * FROM instances WHERE id = $1", [id]));
    return instanceOf(row);
  }

  async pageInstancesByStarter(starterId: string, page: PageRequest): Promise<Page<InstanceData>> {
    // A starter's instances are as many as it started: read far, sent alone (see Query.alone).
    const [counted] = await this.run({
      ...named("countInstancesByStarter", "SELECT COUNT(*)::int AS n FROM instances WHERE starter_id = $1", [
        starterId,
      ]),
      alone: true,
    });
    const totalCount = (counted?.n as number) ?? 0;
    if (page.limit === 0 || page.offset >= totalCount) return { items: [], totalCount };
    const rows = await this.run({
      ...named(
        "instancesByStarter",
        "SELECT * FROM instances WHERE starter_id = $1 ORDER BY started_at, id LIMIT $2 OFFSET $3",
        [starterId, page.limit ?? null, page.offset],
      ),
      alone: true,
    });
    return { items: rows.map((row) => instanceOf(row) as InstanceData), totalCount };
  }

  async latestFinished(correlationId: string, modelKey: string): Promise<InstanceData | undefined> {
    const [row] = await this.run(
      named(
        "latestFinished",
        `SELECT * FROM instances WHERE correlation_id = $1 AND model_key = $2 AND end_seq IS NOT NULL
         ORDER BY end_seq DESC LIMIT 1`,
        [correlationId, modelKey],
      ),
    );
    return instanceOf(row);
  }

  async hasCorrelation(correlationId: string): Promise<boolean> {
    const rows = await this.run(
      named("hasCorrelation", "SELECT 1 FROM correlations WHERE correlation_id = $1 LIMIT 1", [
        correlationId,
      ]),
    );
    return rows.length > 0;
  }

  async correlationModels(correlationId: string): Promise<string[]> {
    const rows = await this.run(
      named(
        "correlationModels",
        "SELECT model_key FROM correlations WHERE correlation_id = $1 ORDER BY model_key",
        [correlationId],
      ),
    );
    return rows.map((row) => row.model_key as string);
  }

  async getUserTask(id: string): Promise<UserTaskRow | undefined> {
    const [row] = await this.run(named("getUserTask", "SELECT * FROM user_tasks WHERE id = $1", [id]));
    return userTaskOf(row);
  }

  async listUserTasks(filter: ListFilter): Promise<UserTaskRow[]> {
    return (await this.list("user_tasks", filter)).map((row) => userTaskOf(row) as UserTaskRow);
  }

  async pageUserTasks(query: WaitQuery, page: PageRequest): Promise<Page<UserTaskRow>> {
    const { rows, totalCount } = await this.page("user_tasks", query, page);
    return { items: rows.map((row) => userTaskOf(row) as UserTaskRow), totalCount };
  }

  async getEvent(id: string): Promise<EventRow | undefined> {
    const [row] = await this.run(named("getEvent", "SELECT * FROM events WHERE id = $1", [id]));
    return eventOf(row);
  }

  async listEvents(filter: ListFilter): Promise<EventRow[]> {
    return (await this.list("events", filter)).map((row) => eventOf(row) as EventRow);
  }

  async pageEvents(query: WaitQuery, page: PageRequest): Promise<Page<EventRow>> {
    const { rows, totalCount } = await this.page("events", query, page);
    return { items: rows.map((row) => eventOf(row) as EventRow), totalCount };
  }

  async eventsByName(eventType: EventType, eventName: string, correlationId?: string): Promise<EventRow[]> {
    const rows = await this.run(
      correlationId === undefined
        ? named(
            "eventsByName",
            "SELECT * FROM events WHERE event_type = $1 AND event_name = $2 ORDER BY seq",
            [eventType, eventName],
          )
        : named(
            "eventsByNameInCorrelation",
            "SELECT * FROM events WHERE event_type = $1 AND event_name = $2 AND correlation_id = $3 ORDER BY seq",
            [eventType, eventName, correlationId],
          ),
    );
    return rows.map((row) => eventOf(row) as EventRow);
  }

  async signalWaiters(signalName: string): Promise<string[]> {
    const rows = await this.run(
      named(
        "signalWaiters",
        "SELECT id FROM events WHERE event_type = 'signal' AND event_name = $1 ORDER BY seq",
        [signalName],
      ),
    );
    return rows.map((row) => row.id as string);
  }

  async dueTimers(now: number, limit: number): Promise<TimerRow[]> {
    const rows = await this.run(
      named("dueTimers", "SELECT * FROM timers WHERE due_at <= $1 ORDER BY due_at LIMIT $2", [now, limit]),
    );
    return rows.map((row) => timerOf(row) as TimerRow);
  }

  async nextTimerDue(): Promise<number | undefined> {
    const [row] = await this.run(
      named(
        "nextTimerDue",
        "SELECT LEAST((SELECT MIN(due_at) FROM timers), (SELECT MIN(due_at) FROM start_timers)) AS due",
        [],
      ),
    );
    return (row?.due as number | null) ?? undefined;
  }

  async listStartTimers(): Promise<StartTimerRow[]> {
    return (await this.run(named("listStartTimers", "SELECT * FROM start_timers", []))).map(startTimerOf);
  }

  async getStartTimer(modelKey: string, eventKey: string): Promise<StartTimerRow | undefined> {
    const [row] = await this.run(
      named("getStartTimer", "SELECT * FROM start_timers WHERE model_key = $1 AND event_key = $2", [
        modelKey,
        eventKey,
      ]),
    );
    return row && startTimerOf(row);
  }

  async dueStartTimers(now: number, limit: number): Promise<StartTimerRow[]> {
    const rows = await this.run(
      named("dueStartTimers", "SELECT * FROM start_timers WHERE due_at <= $1 ORDER BY due_at LIMIT $2", [
        now,
        limit,
      ]),
    );
    return rows.map(startTimerOf);
  }

  async pendingScriptJobs(): Promise<ScriptJobRow[]> {
    const rows = await this.run(named("pendingScriptJobs", "SELECT * FROM script_jobs ORDER BY seq", []));
    return rows.map((row) => scriptJobOf(row) as ScriptJobRow);
  }

  async getExternalTask(id: string): Promise<ExternalTaskRow | undefined> {
    const [row] = await this.run(
      named("getExternalTask", "SELECT * FROM external_tasks WHERE id = $1", [id]),
    );
    return externalTaskOf(row);
  }

  async nextExternalTaskUnlock(topics: readonly string[], now: number): Promise<number | undefined> {
    const [row] = await this.run(
      named(
        "nextExternalTaskUnlock",
        "SELECT MIN(lock_expires_at) AS due FROM external_tasks WHERE topic = ANY($1) AND lock_expires_at > $2",
        [[...topics], now],
      ),
    );
    return (row?.due as number | null) ?? undefined;
  }

  private list(table: "user_tasks" | "events", filter: ListFilter): Promise<Row[]> {
    const { correlationId, processModelKey } = filter;
    const where: string[] = [];
    const values: unknown[] = [];
    if (correlationId !== undefined) {
      values.push(correlationId);
      where.push(`correlation_id = $${values.length}`);
    }
    if (processModelKey !== undefined) {
      values.push(processModelKey);
      where.push(`model_key = $${values.length}`);
    }
    const text = `SELECT * FROM ${table}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY seq`;
    return this.run({ text, values, alone: correlationId === undefined });
  }

  /**
   * A page of waiting rows in (created_at, id) order, as in the SQLite store: each lane the caller may see
   * (and "no lane") is one range of an index ending in (lane, created_at, id). The counts are one COUNT per
   * range, all in one statement; the page is the ranges' first offset + limit rows merged (a MergeAppend of
   * index scans), in a second. Rows of other lanes are never read.
   */
  /**
   * One correlation's or one instance's rows are few: one statement pages them in every lane the caller may
   * see and counts them (`COUNT(*) OVER ()`), one round trip where a count per lane range and the page took
   * two. Only a page past the end needs a second statement, to count.
   */
  private async pageOfFew(
    table: "user_tasks" | "events",
    query: WaitQuery,
    page: PageRequest,
  ): Promise<{ rows: Row[]; totalCount: number }> {
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const where: string[] = [];
    // The statements are prepared, named for their shape: which filters they have (their text follows).
    let shape = table;
    if (query.correlationId !== undefined) {
      where.push(`correlation_id = ${param(query.correlationId)}`);
      shape += ":correlation";
    }
    if (query.processModelKey !== undefined) {
      where.push(`model_key = ${param(query.processModelKey)}`);
      shape += ":model";
    }
    if (query.processInstanceId !== undefined) {
      where.push(`instance_id = ${param(query.processInstanceId)}`);
      shape += ":instance";
    }
    if (query.lanes !== undefined) {
      where.push(`(lane IS NULL OR lane = ANY(${param([...query.lanes])}::text[]))`);
      shape += ":lanes";
    }
    const from = `${table} WHERE ${where.join(" AND ")}`;
    const filters = [...values];
    const count = async () => {
      const [row] = await this.run(
        named(`count ${shape}`, `SELECT COUNT(*)::int AS n FROM ${from}`, filters),
      );
      return (row?.n as number) ?? 0;
    };
    if (page.limit === 0) return { rows: [], totalCount: await count() };
    // LIMIT NULL is no limit.
    const limit = param(page.limit ?? null);
    const offset = param(page.offset);
    const rows = await this.run(
      named(
        `page ${shape}`,
        `SELECT *, COUNT(*) OVER () AS total_count FROM ${from} ORDER BY created_at, id LIMIT ${limit}::bigint OFFSET ${offset}::bigint`,
        values,
      ),
    );
    if (rows.length > 0) return { rows, totalCount: Number((rows[0] as Row).total_count) };
    return { rows, totalCount: page.offset === 0 ? 0 : await count() };
  }

  private async page(
    table: "user_tasks" | "events",
    query: WaitQuery,
    page: PageRequest,
  ): Promise<{ rows: Row[]; totalCount: number }> {
    if (query.correlationId !== undefined || query.processInstanceId !== undefined) {
      return this.pageOfFew(table, query, page);
    }
    // Each statement numbers its own parameters: the page's leaves out the empty ranges.
    const lanes: (LaneName | typeof ANY_LANE)[] =
      query.lanes === undefined ? [ANY_LANE] : [null, ...new Set(query.lanes)];
    const build = (ranges: typeof lanes, sql: (where: string) => string) => {
      const values: unknown[] = [];
      const param = (value: unknown) => {
        values.push(value);
        return `$${values.length}`;
      };
      const parts = ranges.map((lane) => {
        const where: string[] = [];
        if (query.correlationId !== undefined) where.push(`correlation_id = ${param(query.correlationId)}`);
        if (query.processModelKey !== undefined) where.push(`model_key = ${param(query.processModelKey)}`);
        if (query.processInstanceId !== undefined)
          where.push(`instance_id = ${param(query.processInstanceId)}`);
        if (lane !== ANY_LANE) where.push(lane === null ? "lane IS NULL" : `lane = ${param(lane)}`);
        return sql(where.join(" AND ") || "TRUE");
      });
      return { parts, values };
    };
    const counting = build(lanes, (where) => `(SELECT COUNT(*)::int FROM ${table} WHERE ${where})`);
    // Counts and pages over every waiting row of a table read far: sent alone (see Query.alone).
    const [counted] = await this.run({
      text: `SELECT ${counting.parts.map((part, i) => `${part} AS c${i}`).join(", ")}`,
      values: counting.values,
      alone: true,
    });
    const counts = lanes.map((_, i) => (counted?.[`c${i}`] as number) ?? 0);
    const totalCount = counts.reduce((sum, count) => sum + count, 0);
    if (page.limit === 0 || page.offset >= totalCount) return { rows: [], totalCount };
    const live = lanes.filter((_, i) => (counts[i] as number) > 0);
    const limit = page.limit === undefined ? "ALL" : String(page.limit);
    const wanted = page.limit === undefined ? "ALL" : String(page.offset + page.limit);
    const paging = build(live, (where) =>
      live.length === 1
        ? `SELECT * FROM ${table} WHERE ${where} ORDER BY created_at, id LIMIT ${limit} OFFSET ${page.offset}`
        : `(SELECT * FROM ${table} WHERE ${where} ORDER BY created_at, id LIMIT ${wanted})`,
    );
    const text =
      live.length === 1
        ? (paging.parts[0] as string)
        : `SELECT * FROM (${paging.parts.join(" UNION ALL ")}) AS ranges ORDER BY created_at, id LIMIT ${limit} OFFSET ${page.offset}`;
    const values = paging.values;
    return { rows: await this.run({ text, values, alone: true }), totalCount };
  }
}

/**
 * A step's view inside its transaction. Writes are queued, not awaited, and go to the server with the next
 * statement that needs an answer — a read, the end of a savepoint, the commit — in one simple query:
 * `BEGIN; INSERT …; INSERT …; UPDATE …; WITH … RETURNING id` is one round trip where each statement was
 * one (node-postgres sends a client's queries one at a time, waiting for each answer). A PostgreSQL step is
 * bound by its round trips: a start then costs two (that query and `COMMIT`) instead of six. Statements
 * sent together carry their parameters as literals (`pg.escapeLiteral` of node-postgres's own rendering of
 * each value, which the server types exactly as it types a parameter: both are of unknown type until their
 * context gives them one); a statement sent alone stays a prepared one with parameters.
 *
 * A failed statement aborts the transaction: the first failure is kept and rethrown by every later read,
 * the savepoint or the commit. The transaction's control statements (BEGIN, SAVEPOINT, RELEASE) wait in the
 * same queue; a savepoint in which nothing was sent costs nothing, and one whose statements failed before
 * they were sent just drops them.
 */
class PgTx extends PgReads implements StoreTx {
  private failure: { error: unknown } | undefined;
  /** Everything sent so far, settled (its outcome is in `failure` or its caller's hands). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Statements not sent yet, in order: control statements (text) and writes. */
  private queued: (string | Query)[] = [BEGIN];
  private begun = false;
  private depth = 0;
  /** Statements sent with the commit, just before it, answered with its answer (`sqlAtCommit`). */
  private atCommit: {
    query: Query;
    depth: number;
    resolve(rows: Row[]): void;
    reject(error: unknown): void;
  }[] = [];
  /** Instances locked by a take in this transaction, as read then, until the step loads them (or writes them). */
  private readonly lockedByTake = new Map<string, Row>();

  private connection: Promise<pg.PoolClient> | undefined;

  constructor(private readonly connect: () => Promise<pg.PoolClient>) {
    super(async (query) => {
      try {
        const rows = await this.send(query);
        if (this.failure) throw this.failure.error;
        return rows;
      } catch (error) {
        throw this.failure ? this.failure.error : error;
      }
    });
  }

  /**
   * Raw SQL in this transaction, for what commits with the batch beside the store (cluster news); a name
   * makes it a prepared statement.
   */
  readonly sql = (text: string, values: unknown[], name?: string): Promise<Row[]> =>
    this.run(queryOf(text, values, name));

  /** Its connection, taken from the pool at the first statement sent. */
  private client(): Promise<pg.PoolClient> {
    this.connection ??= this.connect();
    return this.connection;
  }

  /**
   * A statement that goes with the commit, as the transaction's last before it, in the commit's round trip:
   * its rows once the transaction committed; rejected when it did not.
   */
  readonly sqlAtCommit = (text: string, values: unknown[], name?: string): Promise<Row[]> =>
    new Promise((resolve, reject) => {
      this.atCommit.push({ query: queryOf(text, values, name), depth: this.depth, resolve, reject });
    });

  /** Sends what is queued and waits for everything sent; throws the first failure. */
  async settle(): Promise<void> {
    if (this.queued.some((item) => typeof item !== "string")) this.send(undefined).catch(() => {});
    await this.tail;
    if (this.failure) throw this.failure.error;
  }

  /** Commits, with what is still queued, in one round trip (none at all when nothing was ever queued). */
  async commit(): Promise<void> {
    const deferred = this.atCommit.splice(0);
    const writes = deferred.length > 0 || this.queued.some((item) => typeof item !== "string");
    if (!this.begun && !writes) return;
    const rest = this.queued.splice(0);
    try {
      await this.tail;
      if (this.failure) throw this.failure.error;
      this.begun = true;
      const client = await this.client();
      const answer = (await client.query(
        await this.batchText([...rest, ...deferred.map((entry) => entry.query), "COMMIT"]),
      )) as unknown as pg.QueryResult | pg.QueryResult[];
      const results = Array.isArray(answer) ? answer : [answer];
      const first = results.length - 1 - deferred.length;
      for (const [index, entry] of deferred.entries()) {
        entry.resolve((results[first + index]?.rows ?? []) as Row[]);
      }
    } catch (error) {
      for (const entry of deferred) entry.reject(error);
      throw error;
    }
  }

  /** Rolls back what was sent; throws when the connection could not, which is then not to be reused. */
  async rollback(): Promise<void> {
    this.queued = [];
    this.dropAtCommit(0);
    await this.tail;
    if (this.begun) await (await this.client()).query("ROLLBACK");
  }

  /** Statements for the commit queued at this depth or deeper, rolled back: they never run. */
  private dropAtCommit(depth: number): void {
    const dropped = this.atCommit.filter((entry) => entry.depth >= depth);
    this.atCommit = this.atCommit.filter((entry) => entry.depth < depth);
    for (const entry of dropped) entry.reject(new Error("rolled back before the commit"));
  }

  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    // Named by depth: a released name is free again.
    const name = `s${++this.depth}`;
    const open = `SAVEPOINT ${name}`;
    this.queued.push(open);
    try {
      const value = await fn();
      await this.settle();
      if (this.queued.at(-1) === open) this.queued.pop();
      else this.queued.push(`RELEASE SAVEPOINT ${name}`);
      return value;
    } catch (error) {
      await this.tail;
      this.failure = undefined;
      this.dropAtCommit(this.depth);
      // A lock taken inside the savepoint is released with it.
      this.lockedByTake.clear();
      const unsent = this.queued.lastIndexOf(open);
      if (unsent >= 0) {
        // Never sent: what it holds is dropped with it.
        this.queued.length = unsent;
      } else {
        // What is queued came after the last statement sent, inside this savepoint: dropped.
        this.queued = [];
        await this.send(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
      }
      throw error;
    } finally {
      this.depth--;
    }
  }

  /**
   * Sends what is queued, and `query` after it (if any), once everything sent before is answered: alone as
   * it is, or together as one simple query; answers `query`'s rows.
   */
  private async send(query: Query | string | undefined): Promise<Row[]> {
    const [rows] = await this.sendMany(query === undefined ? [] : [query]);
    return rows ?? [];
  }

  /** As `send`, for several statements at the end of the round trip: the rows of each. */
  private sendMany(queries: readonly (Query | string)[]): Promise<Row[][]> {
    const batch = [...this.queued.splice(0), ...queries];
    if (batch.length === 0) return Promise.resolve([]);
    this.begun ||= batch.includes(BEGIN);
    const writes = batch.length > queries.length && batch.some((item) => typeof item !== "string");
    const result = this.tail.then(async (): Promise<Row[][]> => {
      if (batch.length === 1 && typeof batch[0] !== "string") {
        return [((await (await this.client()).query(batch[0] as Query)) as pg.QueryResult).rows as Row[]];
      }
      const text = await this.batchText(batch);
      const answer = (await (await this.client()).query(text)) as unknown as
        | pg.QueryResult
        | pg.QueryResult[];
      const results = Array.isArray(answer) ? answer : [answer];
      return results.slice(results.length - queries.length).map((each) => (each?.rows ?? []) as Row[]);
    });
    // A failure of a batch with queued writes in it may be theirs: every later statement reports it.
    if (writes || queries.length === 0) {
      result.catch((error: unknown) => {
        this.failure ??= { error };
      });
    }
    this.tail = result.catch(() => {});
    return result;
  }

  /**
   * The batch as one simple query. A named statement goes as `EXECUTE` of a statement prepared (SQL
   * `PREPARE`) once per connection, so that PostgreSQL neither parses nor plans it again: planning was half
   * of the server's time in a step's statements (pg_stat_statements, the user-task round trip). What is not
   * prepared yet on this connection is prepared first, in a round trip of its own while the connection is
   * idle between this transaction's statements; should that fail, the transaction fails as with any failed
   * statement. The rest, and statements without a name (their text varies), go inline.
   */
  private async batchText(batch: readonly (string | Query)[]): Promise<string> {
    return batchTextOn(await this.client(), batch);
  }

  // The instance row stays locked until the batch commits: the step serializes with every other step of
  // the instance, on any node. Under READ COMMITTED a step that waited for the lock reads the row as the
  // other step committed it.
  override async getInstance(id: string): Promise<InstanceData | undefined> {
    const locked = this.lockedByTake.get(id);
    if (locked !== undefined) {
      this.lockedByTake.delete(id);
      return instanceOf(locked);
    }
    const [row] = await this.run(
      named("lockInstance", "SELECT * FROM instances WHERE id = $1 FOR UPDATE", [id]),
    );
    return instanceOf(row);
  }

  // Locked as well: of two nodes firing one due timer start event, the second reads it moved on.
  override async getStartTimer(modelKey: string, eventKey: string): Promise<StartTimerRow | undefined> {
    const [row] = await this.run(
      named(
        "lockStartTimer",
        "SELECT * FROM start_timers WHERE model_key = $1 AND event_key = $2 FOR UPDATE",
        [modelKey, eventKey],
      ),
    );
    return row && startTimerOf(row);
  }

  saveModelSource(source: ModelSource): void {
    this.write(
      named(
        "saveModelSource",
        "INSERT INTO model_sources (hash, file, source) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [source.hash, source.file, source.source],
      ),
    );
  }

  insertInstance(instance: InstanceData): void {
    this.write(
      named(
        "insertInstance",
        `INSERT INTO instances (id, model_key, model_hash, correlation_id, caller_id, state, end_event_key,
           end_event_lane, result, failure, runtime, started_at, finished_at, end_seq, starter_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
           CASE WHEN $14::bigint IS NULL THEN NULL ELSE nextval('instance_end_seq') END, $15)`,
        [...instanceParams(instance), instance.starterId ?? null],
      ),
    );
  }

  // The end order comes from a sequence shared by every node, given once (the engine's own count is only
  // its process's).
  updateInstance(instance: InstanceData): void {
    this.lockedByTake.delete(instance.id);
    const params = instanceParams(instance);
    this.write(
      named(
        "updateInstance",
        `UPDATE instances SET state = $2, end_event_key = $3, end_event_lane = $4, result = $5, failure = $6,
           runtime = $7, finished_at = $8,
           end_seq = COALESCE(end_seq, CASE WHEN $9::bigint IS NULL THEN NULL ELSE nextval('instance_end_seq') END)
         WHERE id = $1`,
        [params[0], ...params.slice(5, 11), ...params.slice(12)],
      ),
    );
  }

  addCorrelation(correlationId: string, modelKey: string): void {
    this.write(
      named(
        "addCorrelation",
        "INSERT INTO correlations (correlation_id, model_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [correlationId, modelKey],
      ),
    );
  }

  insertUserTask(task: UserTaskRow): void {
    this.write(
      named(
        "insertUserTask",
        `INSERT INTO user_tasks (id, instance_id, key, model_key, model_hash, correlation_id, lane, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          task.id,
          task.instanceId,
          task.key,
          task.modelKey,
          task.modelHash,
          task.correlationId,
          task.lane,
          toJson(task.payload),
          task.createdAt,
        ],
      ),
    );
  }

  insertEvent(event: EventRow): void {
    this.write(
      named(
        "insertEvent",
        `INSERT INTO events (id, instance_id, key, model_key, model_hash, correlation_id, lane, event_type,
           event_name, attached_to_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          event.id,
          event.instanceId,
          event.key,
          event.modelKey,
          event.modelHash,
          event.correlationId,
          event.lane,
          event.eventType,
          event.eventName,
          event.attachedToKey ?? null,
          event.createdAt,
        ],
      ),
    );
  }

  insertTimer(timer: TimerRow): void {
    this.write(
      named("insertTimer", "INSERT INTO timers (id, instance_id, key, due_at) VALUES ($1, $2, $3, $4)", [
        timer.id,
        timer.instanceId,
        timer.key,
        timer.dueAt,
      ]),
    );
  }

  insertScriptJob(job: ScriptJobRow): void {
    this.write(
      named(
        "insertScriptJob",
        `INSERT INTO script_jobs (id, instance_id, key, model_key, model_hash, input, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [job.id, job.instanceId, job.key, job.modelKey, job.modelHash, job.input, job.createdAt],
      ),
    );
  }

  insertExternalTask(task: ExternalTaskRow): void {
    this.write(
      named(
        "insertExternalTask",
        `INSERT INTO external_tasks (id, instance_id, key, model_key, model_hash, correlation_id, lane, topic,
           payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          task.id,
          task.instanceId,
          task.key,
          task.modelKey,
          task.modelHash,
          task.correlationId,
          task.lane,
          task.topic,
          toJson(task.payload),
          task.createdAt,
        ],
      ),
    );
  }

  deleteWait(kind: WaitKind, id: string): void {
    const table = WAIT_TABLES[kind];
    this.write(named(`delete_${table}`, `DELETE FROM ${table} WHERE id = $1`, [id]));
  }

  async takeUserTask(id: string): Promise<UserTaskRow | undefined> {
    return userTaskOf(await this.take("user_tasks", id));
  }

  async takeEvent(id: string): Promise<EventRow | undefined> {
    return eventOf(await this.take("events", id));
  }

  async takeTimer(id: string): Promise<TimerRow | undefined> {
    return timerOf(await this.take("timers", id));
  }

  async takeScriptJob(id: string): Promise<ScriptJobRow | undefined> {
    return scriptJobOf(await this.take("script_jobs", id));
  }

  async takeExternalTask(id: string, workerId?: string): Promise<ExternalTaskRow | undefined> {
    if (workerId === undefined) return externalTaskOf(await this.take("external_tasks", id));
    const [row] = await this.run(
      named(
        "takeHeldExternalTask",
        "DELETE FROM external_tasks WHERE id = $1 AND worker_id = $2 RETURNING *",
        [id, workerId],
      ),
    );
    return externalTaskOf(row);
  }

  putStartTimer(timer: StartTimerRow): void {
    this.write(
      named(
        "putStartTimer",
        `INSERT INTO start_timers (model_key, event_key, spec, due_at, occurrence) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (model_key, event_key) DO UPDATE SET spec = excluded.spec, due_at = excluded.due_at,
           occurrence = excluded.occurrence`,
        [timer.modelKey, timer.eventKey, timer.spec, timer.dueAt, timer.occurrence],
      ),
    );
  }

  deleteStartTimer(modelKey: string, eventKey: string): void {
    this.write(
      named("deleteStartTimer", "DELETE FROM start_timers WHERE model_key = $1 AND event_key = $2", [
        modelKey,
        eventKey,
      ]),
    );
  }

  // SKIP LOCKED: candidates another transaction is locking right now are passed over, not waited for, so
  // concurrent fetches on several nodes lock disjoint tasks without queueing on each other.
  async lockExternalTasks(request: ExternalTaskLockRequest): Promise<ExternalTaskRow[]> {
    const rows = await this.run(
      named(
        "lockExternalTasks",
        `UPDATE external_tasks SET worker_id = $1, lock_expires_at = $2
         WHERE seq IN (
           SELECT seq FROM external_tasks
           WHERE topic = ANY($3) AND (lock_expires_at IS NULL OR lock_expires_at <= $4)
             AND (lane IS NULL OR lane = ANY($5))
           ORDER BY seq LIMIT $6
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [
          request.workerId,
          request.until,
          [...request.topics],
          request.now,
          [...request.lanes],
          request.limit,
        ],
      ),
    );
    rows.sort((a, b) => (a.seq as number) - (b.seq as number));
    return rows.map((row) => externalTaskOf(row) as ExternalTaskRow);
  }

  async extendExternalTaskLock(id: string, workerId: string, until: number): Promise<boolean> {
    const rows = await this.run(
      named(
        "extendExternalTaskLock",
        "UPDATE external_tasks SET lock_expires_at = $1 WHERE id = $2 AND worker_id = $3 RETURNING id",
        [until, id, workerId],
      ),
    );
    return rows.length === 1;
  }

  /**
   * Takes a waiting row and, in the same round trip, locks its instance, which the step loads next: the
   * locked row is kept for that getInstance (one round trip less per finish, trigger or timer). The instance
   * is locked first, as every other step that touches the row does (a step holding the instance deletes its
   * waits), so the two never wait for each other in opposite orders.
   */
  private async take(table: string, id: string): Promise<Row | undefined> {
    let answers: Row[][];
    try {
      answers = await this.sendMany([
        named(
          `lock_for_${table}`,
          `SELECT * FROM instances WHERE id = (SELECT instance_id FROM ${table} WHERE id = $1) FOR UPDATE`,
          [id],
        ),
        named(`take_${table}`, `DELETE FROM ${table} WHERE id = $1 RETURNING *`, [id]),
      ]);
    } catch (error) {
      throw this.failure ? this.failure.error : error;
    }
    if (this.failure) throw this.failure.error;
    const [[instance], [row]] = answers as [Row[], Row[]];
    if (row && instance && instance.id === row.instance_id)
      this.lockedByTake.set(row.instance_id as string, instance);
    return row;
  }

  private write(query: Query): void {
    this.queued.push(query);
  }
}

/**
 * A statement as text with its parameters as literals, to go with others in one simple query. Each value
 * is rendered by node-postgres as it would send it as a parameter, then quoted: an unknown-typed literal
 * that its context types, as it types a parameter.
 */
// node-postgres's own rendering of a parameter value (exported, not in its type declarations).
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

function inline(item: string | Query): string {
  if (typeof item === "string") return item;
  return item.text.replace(/\$(\d+)/g, (_, n: string) => literal(item.values[Number(n) - 1]));
}

function literal(raw: unknown): string {
  const value = prepareValue(raw);
  if (value === null || value === undefined) return "NULL";
  if (Buffer.isBuffer(value)) return `'\\x${value.toString("hex")}'::bytea`;
  return quote(String(value));
}

/**
 * As `pg.escapeLiteral` (quotes doubled; with a backslash, an E'' string with backslashes doubled), but
 * with the engine's native string search and replace instead of a loop over every character: a step's
 * serialized state is kilobytes long.
 */
function quote(text: string): string {
  const quoted = text.includes("'") ? text.replaceAll("'", "''") : text;
  return text.includes("\\") ? ` E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`;
}

/** Statements as one simple query on `client` (see `PgTx.batchText`), what is not prepared there yet prepared first. */
async function batchTextOn(client: pg.PoolClient, batch: readonly (string | Query)[]): Promise<string> {
  let prepared = preparedOn.get(client);
  if (prepared === undefined) {
    prepared = new Set();
    preparedOn.set(client, prepared);
  }
  const missing = new Map<string, string>();
  for (const item of batch) {
    if (typeof item !== "string" && item.name !== undefined && !prepared.has(item.name)) {
      missing.set(item.name, item.text);
    }
  }
  if (missing.size > 0) {
    try {
      await client.query(
        [...missing].map(([name, text]) => `PREPARE ${preparedName(name)} AS ${text}`).join(";\n"),
      );
    } catch (error) {
      // Those before the failed one exist now, unrecorded: preparing them again would fail for good.
      markUnusable(client);
      throw error;
    }
    for (const name of missing.keys()) prepared.add(name);
  }
  return batch.map(executeOrInline).join(";\n");
}

/** At most this many reads in one query: a turn with more goes on several connections, as it would alone. */
const READS_PER_QUERY = 16;

/**
 * Reads of committed state for the pool: those that arrive in one turn of the event loop (the requests that
 * came in together) go to PostgreSQL as one simple query on one connection — one wake-up of one backend and
 * one answer to read, where each alone costs a round trip of its own; on two shared cores the wake-ups, not
 * the statements, were the cost (BENCHMARKS.md). A read alone in its turn goes as it is. Each statement
 * takes its own snapshot (READ COMMITTED), so a read sees everything committed before it was sent, as alone.
 * A failed statement ends the query there: each of its reads then runs again alone, for its own answer or
 * its own error.
 */
export function coalescedReads(pool: pg.Pool): Run {
  type Waiting = { query: Query; resolve(rows: Row[]): void; reject(error: unknown): void };
  let waiting: Waiting[] = [];
  const alone = (read: Waiting) =>
    pool.query(read.query).then((result) => read.resolve(result.rows as Row[]), read.reject);
  const together = async (reads: Waiting[]) => {
    let answer: pg.QueryResult | pg.QueryResult[];
    try {
      const connection = await checkOut(pool);
      try {
        const text = await batchTextOn(
          connection.client,
          reads.map((read) => read.query),
        );
        answer = (await connection.client.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      } catch (error) {
        // Dropped, whatever failed: a statement's error leaves it usable, but the error of a server that
        // ends the session (a restart) comes before the connection's end, and the next caller would get
        // that. A new connection is cheap beside a failed round trip.
        connection.release(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
      connection.release();
    } catch {
      for (const read of reads) void alone(read);
      return;
    }
    const results = Array.isArray(answer) ? answer : [answer];
    for (const [index, read] of reads.entries()) read.resolve((results[index]?.rows ?? []) as Row[]);
  };
  const send = () => {
    const turn = waiting;
    waiting = [];
    for (let from = 0; from < turn.length; from += READS_PER_QUERY) {
      const reads = turn.slice(from, from + READS_PER_QUERY);
      if (reads.length === 1) void alone(reads[0] as Waiting);
      else void together(reads);
    }
  };
  return (query) => {
    if (query.alone) return pool.query(query).then((result) => result.rows as Row[]);
    return new Promise<Row[]>((resolve, reject) => {
      waiting.push({ query, resolve, reject });
      // After this turn's I/O callbacks: the reads they start join this one.
      if (waiting.length === 1) setImmediate(send);
    });
  };
}

/** A named statement as `EXECUTE` of its prepared self (see `PgTx.batchText`), any other inline. */
function executeOrInline(item: string | Query): string {
  if (typeof item === "string" || item.name === undefined) return inline(item);
  const name = preparedName(item.name);
  return item.values.length === 0
    ? `EXECUTE ${name}`
    : `EXECUTE ${name}(${item.values.map(literal).join(", ")})`;
}

/**
 * Per connection, the statements prepared on it for batches. Their SQL names are apart from the names
 * node-postgres gives the same statements when it sends them alone (protocol-level, in the same namespace).
 */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();
const preparedName = (name: string) => `"batch ${name}"`;

/** No lane filter at all (a query without `lanes`), as opposed to null, "in no lane". */
const ANY_LANE: unique symbol = Symbol("any lane");

const WAIT_TABLES: Record<WaitKind, string> = {
  task: "user_tasks",
  event: "events",
  timer: "timers",
  script: "script_jobs",
  external: "external_tasks",
};

/** A prepared statement, parsed once per connection. */
const named = (name: string, text: string, values: unknown[]): Query => ({ name, text, values });

/** Raw SQL of the coordination's: prepared when named. */
const queryOf = (text: string, values: unknown[], name: string | undefined): Query =>
  name === undefined ? { text, values } : named(name, text, values);

function instanceParams(instance: InstanceData): unknown[] {
  return [
    instance.id,
    instance.modelKey,
    instance.modelHash,
    instance.correlationId,
    instance.callerId ?? null,
    instance.state,
    instance.endEventKey ?? null,
    instance.endEventLane ?? null,
    instance.endEventKey === undefined ? null : toJson(instance.result),
    toJson(instance.failure),
    instance.runtime ?? null,
    instance.startedAt,
    instance.finishedAt ?? null,
    instance.endSeq ?? null,
  ];
}
