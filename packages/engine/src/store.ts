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

// The engine's only view of persistence. Everything it needs is here, so another backend (PostgreSQL) can
// implement the same interface. All calls are synchronous and run inside `transaction` when they write.

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
  /** Monotonic order of instances that ended through an end event. */
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

export interface Store {
  /** Runs fn in a transaction; a nested call is a savepoint that rolls back alone when fn throws. */
  transaction<T>(fn: () => T): T;

  saveModelSource(source: ModelSource): void;
  getModelSource(hash: string): ModelSource | undefined;
  /** Hashes of the model versions that running instances are pinned to. */
  runningModelHashes(): string[];

  insertInstance(instance: InstanceData): void;
  updateInstance(instance: InstanceData): void;
  getInstance(id: string): InstanceData | undefined;
  /** Records who started an instance; set once, in the step that started it. */
  setInstanceStarter(id: string, starterId: string): void;
  /** The instances a user started, any state, ordered by (startedAt, id) (SPEC §9, §10). */
  pageInstancesByStarter(starterId: string, page: PageRequest): Page<InstanceData>;
  latestFinished(correlationId: string, modelKey: string): InstanceData | undefined;
  maxEndSeq(): number;

  addCorrelation(correlationId: string, modelKey: string): void;
  hasCorrelation(correlationId: string): boolean;
  correlationModels(correlationId: string): string[];

  insertUserTask(task: UserTaskRow): void;
  /** Deletes and returns the task; undefined when it does not wait (any more). */
  takeUserTask(id: string): UserTaskRow | undefined;
  getUserTask(id: string): UserTaskRow | undefined;
  listUserTasks(filter: ListFilter): UserTaskRow[];
  /** Ordered by (createdAt, id); totalCount counts what the query takes, without a scan of other rows. */
  pageUserTasks(query: WaitQuery, page: PageRequest): Page<UserTaskRow>;

  insertEvent(event: EventRow): void;
  takeEvent(id: string): EventRow | undefined;
  getEvent(id: string): EventRow | undefined;
  listEvents(filter: ListFilter): EventRow[];
  pageEvents(query: WaitQuery, page: PageRequest): Page<EventRow>;
  /** The message or signal catch events waiting for that name (in one correlation when given), in wait order. */
  eventsByName(eventType: EventType, eventName: string, correlationId?: string): EventRow[];
  /** Ids of the signal catch events waiting for that signal name, in the order they started waiting. */
  signalWaiters(signalName: string): string[];

  insertTimer(timer: TimerRow): void;
  takeTimer(id: string): TimerRow | undefined;
  dueTimers(now: number, limit: number): TimerRow[];
  /** The earliest due time of a timer or a timer start event. */
  nextTimerDue(): number | undefined;

  listStartTimers(): StartTimerRow[];
  getStartTimer(modelKey: string, eventKey: string): StartTimerRow | undefined;
  putStartTimer(timer: StartTimerRow): void;
  deleteStartTimer(modelKey: string, eventKey: string): void;
  dueStartTimers(now: number, limit: number): StartTimerRow[];

  insertScriptJob(job: ScriptJobRow): void;
  /** Deletes and returns the job; undefined when it does not wait (any more). */
  takeScriptJob(id: string): ScriptJobRow | undefined;
  /** Every job that waits, oldest first: after a restart they run again. */
  pendingScriptJobs(): ScriptJobRow[];

  insertExternalTask(task: ExternalTaskRow): void;
  getExternalTask(id: string): ExternalTaskRow | undefined;
  /** Locks up to `limit` unlocked (or expired) candidates, oldest first, for the worker; returns them locked. */
  lockExternalTasks(request: ExternalTaskLockRequest): ExternalTaskRow[];
  /** Sets a new expiry when the worker is the task's holder; false otherwise (or when it does not wait). */
  extendExternalTaskLock(id: string, workerId: string, until: number): boolean;
  /** Deletes and returns the task; with a workerId only when that worker holds it. */
  takeExternalTask(id: string, workerId?: string): ExternalTaskRow | undefined;
  /** The earliest expiry after `now` of a lock on a task of these topics: when one becomes fetchable again. */
  nextExternalTaskUnlock(topics: readonly string[], now: number): number | undefined;

  close(): void;
}
