import type { ModelSource } from "./model-loader.js";
import type {
  EventType,
  InstanceFailure,
  InstanceState,
  LaneName,
  Page,
  PageRequest,
  WaitQuery,
} from "./types.js";

// The engine's only view of persistence, asynchronous so that a backend may sit across a network
// (PostgreSQL). Reads outside a step see only committed state. A step works in a `StoreTx`: its reads are
// awaited, its writes are void and ordered — they apply before any later read of the same transaction and
// before its commit, and a failed write fails the step — so the synchronous node behaviours can write
// without awaiting. See the README, "The Store contract".

export interface InstanceData {
  id: string;
  modelKey: string;
  modelHash: string;
  correlationId: string;
  callerId?: string;
  /** The userId of the identity that started it (SPEC §10); absent for instances from before it was kept. */
  starterId?: string;
  state: InstanceState;
  endEventKey?: string;
  endEventLane?: LaneName;
  result?: unknown;
  failure?: InstanceFailure;
  startedAt: string;
  finishedAt?: string;
  /**
   * Monotonic order of instances that ended through an end event; only the order counts. The engine numbers
   * them in process; a backend shared by several processes numbers them itself (PostgreSQL: a sequence).
   */
  endSeq?: number;
  /** The interpreter's serialized state; only while running. */
  runtime?: string;
}

export interface UserTaskRow {
  id: string;
  instanceId: string;
  key: string;
  modelKey: string;
  modelHash: string;
  correlationId: string;
  lane: LaneName;
  payload: unknown;
  createdAt: string;
}

export interface EventRow {
  id: string;
  instanceId: string;
  key: string;
  modelKey: string;
  modelHash: string;
  correlationId: string;
  lane: LaneName;
  eventType: EventType;
  eventName: string;
  /** For a boundary event: the key of the activity it is attached to. */
  attachedToKey?: string;
  createdAt: string;
}

export interface TimerRow {
  id: string;
  instanceId: string;
  key: string;
  dueAt: number;
}

/** A script still running after the step that reached it; `input` is the token JSON it runs on. */
export interface ScriptJobRow {
  id: string;
  instanceId: string;
  key: string;
  modelKey: string;
  modelHash: string;
  input: string;
  createdAt: string;
}

/** The next occurrence of a timer start event. */
export interface StartTimerRow {
  modelKey: string;
  eventKey: string;
  /** The timer definition it was computed from (JSON): a changed model recomputes it. */
  spec: string;
  dueAt: number;
  /** Which occurrence of a cycle (0-based). */
  occurrence: number;
}

/** A waiting external task (SPEC §13); `workerId` is its holder, the worker that locked it last. */
export interface ExternalTaskRow {
  id: string;
  instanceId: string;
  key: string;
  modelKey: string;
  modelHash: string;
  correlationId: string;
  lane: LaneName;
  topic: string;
  payload: unknown;
  createdAt: string;
  workerId?: string;
  /** Epoch ms; the lock is held while now < lockExpiresAt. */
  lockExpiresAt?: number;
}

export interface ExternalTaskLockRequest {
  workerId: string;
  topics: readonly string[];
  /** Tasks in no lane are always candidates; tasks in a lane only when it is listed here. */
  lanes: readonly string[];
  limit: number;
  now: number;
  until: number;
}

export interface ListFilter {
  correlationId?: string;
  processModelKey?: string;
}

/** Where a wait's row lives (runtime.ts WaitRef.kind). */
export type WaitKind = "task" | "event" | "timer" | "script" | "external";

/**
 * The outcome of one step of a batch: what it returned, or why it was rolled back. `retry`: it lost a race
 * the store cannot avoid (PostgreSQL: a deadlock between two batches' row locks); run afresh, it succeeds.
 */
export type StepOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown; retry?: true };

/** Reads of committed state: outside a step, and (seeing the step's own writes) inside one. */
export interface StoreReads {
  getModelSource(hash: string): Promise<ModelSource | undefined>;
  /** Hashes of the model versions that running instances are pinned to. */
  runningModelHashes(): Promise<string[]>;

  getInstance(id: string): Promise<InstanceData | undefined>;
  /** The instances a user started, any state, ordered by (startedAt, id) (SPEC §9, §10). */
  pageInstancesByStarter(starterId: string, page: PageRequest): Promise<Page<InstanceData>>;
  latestFinished(correlationId: string, modelKey: string): Promise<InstanceData | undefined>;

  hasCorrelation(correlationId: string): Promise<boolean>;
  correlationModels(correlationId: string): Promise<string[]>;

  getUserTask(id: string): Promise<UserTaskRow | undefined>;
  listUserTasks(filter: ListFilter): Promise<UserTaskRow[]>;
  /** Ordered by (createdAt, id); totalCount counts what the query takes, without a scan of other rows. */
  pageUserTasks(query: WaitQuery, page: PageRequest): Promise<Page<UserTaskRow>>;

  getEvent(id: string): Promise<EventRow | undefined>;
  listEvents(filter: ListFilter): Promise<EventRow[]>;
  pageEvents(query: WaitQuery, page: PageRequest): Promise<Page<EventRow>>;
  /** The message or signal catch events waiting for that name (in one correlation when given), in wait order. */
  eventsByName(eventType: EventType, eventName: string, correlationId?: string): Promise<EventRow[]>;
  /** Ids of the signal catch events waiting for that signal name, in the order they started waiting. */
  signalWaiters(signalName: string): Promise<string[]>;

  dueTimers(now: number, limit: number): Promise<TimerRow[]>;
  /** The earliest due time of a timer or a timer start event. */
  nextTimerDue(): Promise<number | undefined>;

  listStartTimers(): Promise<StartTimerRow[]>;
  getStartTimer(modelKey: string, eventKey: string): Promise<StartTimerRow | undefined>;
  dueStartTimers(now: number, limit: number): Promise<StartTimerRow[]>;

  /** Every job that waits, oldest first: after a restart they run again. */
  pendingScriptJobs(): Promise<ScriptJobRow[]>;

  getExternalTask(id: string): Promise<ExternalTaskRow | undefined>;
  /** The earliest expiry after `now` of a lock on a task of these topics: when one becomes fetchable again. */
  nextExternalTaskUnlock(topics: readonly string[], now: number): Promise<number | undefined>;
}

/**
 * One step's view of the store, inside its transaction. `getInstance` also serializes the step with every
 * other step of that instance, on any node (PostgreSQL: the row is locked until commit). Takes delete and
 * return a row in one statement: of concurrent takes of one row, one gets it (exactly once).
 */
export interface StoreTx extends StoreReads {
  /** A savepoint: when fn throws, what it wrote is rolled back alone and the error passes on. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /** PostgreSQL only: raw SQL in this transaction, for what must commit with it beside the store (cluster news). */
  readonly sql?: (text: string, values: unknown[], name?: string) => Promise<Record<string, unknown>[]>;
  /** As `sql`, but sent with the commit as the transaction's last statement; answered once it committed. */
  readonly sqlAtCommit?: (
    text: string,
    values: unknown[],
    name?: string,
  ) => Promise<Record<string, unknown>[]>;

  saveModelSource(source: ModelSource): void;
  /** Writes a new instance, its starter with it (`updateInstance` leaves the starter as it is). */
  insertInstance(instance: InstanceData): void;
  updateInstance(instance: InstanceData): void;
  addCorrelation(correlationId: string, modelKey: string): void;

  insertUserTask(task: UserTaskRow): void;
  insertEvent(event: EventRow): void;
  insertTimer(timer: TimerRow): void;
  insertScriptJob(job: ScriptJobRow): void;
  insertExternalTask(task: ExternalTaskRow): void;
  /** Deletes the row of a wait (withdrawn: its token moved on otherwise, or its instance ended). */
  deleteWait(kind: WaitKind, id: string): void;

  /** Deletes and returns the task; undefined when it does not wait (any more). */
  takeUserTask(id: string): Promise<UserTaskRow | undefined>;
  takeEvent(id: string): Promise<EventRow | undefined>;
  takeTimer(id: string): Promise<TimerRow | undefined>;
  /** Deletes and returns the job; undefined when it does not wait (any more). */
  takeScriptJob(id: string): Promise<ScriptJobRow | undefined>;
  /** Deletes and returns the task; with a workerId only when that worker holds it. */
  takeExternalTask(id: string, workerId?: string): Promise<ExternalTaskRow | undefined>;

  putStartTimer(timer: StartTimerRow): void;
  deleteStartTimer(modelKey: string, eventKey: string): void;

  /** Locks up to `limit` unlocked (or expired) candidates, oldest first, for the worker; returns them locked. */
  lockExternalTasks(request: ExternalTaskLockRequest): Promise<ExternalTaskRow[]>;
  /** Sets a new expiry when the worker is the task's holder; false otherwise (or when it does not wait). */
  extendExternalTaskLock(id: string, workerId: string, until: number): Promise<boolean>;
}

export interface Store extends StoreReads {
  /** "sqlite", "memory" or "postgres" (SPEC §14). */
  readonly name: string;
  /** Whether runBatch commits its steps together (one fsync for all), so that gathering more pays. */
  readonly commitsBatchTogether: boolean;
  /** Runs fn in one transaction and commits it; rolls back when fn throws. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Runs a batch of steps, each atomic (one that throws rolls back alone), then `after` with their
   * outcomes; resolves once every committed step is durable. SQLite runs them in one transaction, each in a
   * savepoint, `after` in it too, with one commit (a failed commit turns every outcome into a failure);
   * PostgreSQL runs each step in a transaction of its own, concurrently, and `after` in another (its
   * failure affects no step).
   */
  runBatch<T>(
    steps: readonly ((tx: StoreTx) => Promise<T>)[],
    after: (outcomes: readonly StepOutcome<T>[], tx: StoreTx) => Promise<void>,
  ): Promise<StepOutcome<T>[]>;
  /** The greatest end order number given so far (0 when none). */
  maxEndSeq(): Promise<number>;
  close(): Promise<void>;
}
