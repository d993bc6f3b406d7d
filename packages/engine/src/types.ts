// The engine's public vocabulary. The engine knows nothing of HTTP, tokens or the wire DTOs: it exposes
// keys, lanes and forms, and client-internal decides who may see what. Every runtime record carries the
// lane of its element as it was in the model version the instance runs on, so callers never need to look
// a pinned (older) model version up.

/** Innermost lane name of a flow node, or null when the node lies in no lane. */
export type LaneName = string | null;

export type FormFieldType = "string" | "long" | "number" | "boolean" | "date" | "enum";

export interface FormFieldDefinition {
  id: string;
  label?: string;
  type: FormFieldType;
  /** Already converted to the field's type (long/number → number, boolean → boolean, others → string). */
  defaultValue?: unknown;
  /** Only for enum fields, from camunda:value. */
  enumValues?: { id: string; name: string }[];
  /** From a camunda:constraint name="required". */
  required?: boolean;
}

export interface FlowNodeInfo {
  /** The element's id. */
  key: string;
  name?: string;
  /** The bpmn-moddle type without prefix: "StartEvent", "UserTask", "IntermediateCatchEvent", … */
  type: string;
  lane: LaneName;
}

export interface ProcessModelInfo {
  /** The bpmn:process id. */
  key: string;
  name?: string;
  executable: boolean;
  /** The .bpmn file it came from (absolute path). */
  file: string;
  /** sha256 of the file's source; the version an instance is pinned to. */
  hash: string;
  /** None start events of the process (top level, not inside sub-processes). */
  startEvents: FlowNodeInfo[];
  /** End events of the process (top level, not inside sub-processes). */
  endEvents: FlowNodeInfo[];
  /** Every flow node of the process, sub-process contents included, by key. */
  flowNodes: ReadonlyMap<string, FlowNodeInfo>;
}

export type EventType = "message" | "signal";

export interface WaitingUserTask {
  /** UUID of this waiting occurrence (a task reached twice, in a loop, gets a new id each time). */
  id: string;
  /** The bpmn:userTask id. */
  key: string;
  name?: string;
  processInstanceId: string;
  processModelKey: string;
  correlationId: string;
  lane: LaneName;
  formFields: FormFieldDefinition[];
  /** The token payload as it reached the task. */
  tokenPayload: unknown;
  createdAt: string;
}

export interface WaitingEvent {
  /** UUID of this waiting occurrence. */
  id: string;
  /** The catch event's (or receive task's) id. */
  key: string;
  name?: string;
  processInstanceId: string;
  processModelKey: string;
  correlationId: string;
  lane: LaneName;
  eventType: EventType;
  /** The message's or signal's name (its id if it has no name). */
  eventName: string;
  /** For a boundary event: the key of the activity it is attached to. */
  attachedToKey?: string;
  createdAt: string;
}

/** An external task (SPEC §13): a service, send or business-rule task waiting for a worker. */
export interface ExternalTaskRecord {
  id: string;
  /** The task's flow node id. */
  key: string;
  topic: string;
  processInstanceId: string;
  processModelKey: string;
  correlationId: string;
  lane: LaneName;
  /** The token payload as it reached the task. */
  payload: unknown;
  createdAt: string;
  /** The holder: the worker that locked it last (its lock may have expired). */
  workerId?: string;
  /** ISO time; present once locked. */
  lockExpirationTime?: string;
}

export interface FetchAndLockRequest {
  workerId: string;
  topics: readonly string[];
  /** The lanes whose tasks the caller may have; tasks in no lane are open to every caller. */
  lanes: readonly string[];
  maxTasks: number;
  lockDurationMs: number;
  /** With no task available, wait this long for one. */
  longPollingTimeoutMs: number;
  /** An abort ends the wait: the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

export type InstanceState = "running" | "finished" | "terminated" | "failed";

export interface InstanceFailure {
  /**
   * "terminate": a terminate end event; "error": an error end event or an uncaught BPMN error of a worker;
   * "failure": a script or gateway failure, or a worker's service error.
   */
  kind: "terminate" | "error" | "failure";
  /** The element where it happened. */
  flowNodeKey: string;
  lane: LaneName;
  message: string;
  /** A worker's error code (SPEC §13): the BPMN error's code, or a service error's optional code. */
  errorCode?: string;
  /** A service error's optional details. */
  errorDetails?: unknown;
}

export interface InstanceRecord {
  processInstanceId: string;
  processModelKey: string;
  /** Hash of the model version the instance runs on. */
  modelHash: string;
  correlationId: string;
  callerId?: string;
  /** The userId of whoever started it (StartInput.starterId); absent: nobody (or from before it was kept). */
  starterId?: string;
  state: InstanceState;
  /** For "finished", and "terminated" through a terminate end event: the end event reached. */
  endEventKey?: string;
  endEventLane?: LaneName;
  /** Wherever endEventKey is set: the token payload as it reached the end event. */
  result?: unknown;
  /** For "terminated" and "failed". */
  failure?: InstanceFailure;
  startedAt: string;
  finishedAt?: string;
}

interface EngineEventBase {
  processModelKey: string;
  correlationId: string;
  processInstanceId: string;
}

/**
 * Published strictly after the transaction that caused them committed, in the order they happened within
 * that step. Listeners are called synchronously; a listener that throws does not affect the engine or the
 * other listeners.
 */
export type EngineEvent =
  | (EngineEventBase & {
      type: "instance.started";
      startEventKey: string;
      startEventLane: LaneName;
      payload: unknown;
    })
  | (EngineEventBase & {
      type: "instance.finished";
      endEventKey: string;
      endEventLane: LaneName;
      payload: unknown;
    })
  | (EngineEventBase & {
      type: "instance.terminated";
      failure: InstanceFailure;
      /** Ended at a terminate end event: the token payload there. */
      payload?: unknown;
    })
  | (EngineEventBase & {
      type: "activity.started" | "activity.finished";
      /** The task's / sub-process's key. */
      flowNodeKey: string;
      flowNodeType: string;
      lane: LaneName;
      payload: unknown;
      /** A user task's or receive task's wait that this begins or ends: its §4.6 / §4.4 id. */
      waitId?: string;
    })
  | (EngineEventBase & {
      /** A modelled event (start, end, intermediate catch or throw, boundary) was reached, or a waiting one triggered. */
      type: "event.reached" | "event.triggered";
      flowNodeKey: string;
      /** "BoundaryEvent" for a boundary event. */
      flowNodeType: string;
      lane: LaneName;
      payload: unknown;
      /** For a boundary event: the key of the activity it is attached to. */
      attachedToKey?: string;
      /** A catch event's wait that this begins or ends (a §4.4 event id; none for a timer). */
      waitId?: string;
    })
  | (EngineEventBase & {
      type: "signal.thrown";
      signalName: string;
      flowNodeKey: string;
      lane: LaneName;
      payload: unknown;
    });

export interface StartInput {
  processModelKey: string;
  startEventKey: string;
  /** Given by the caller or generated (UUID v4). */
  correlationId?: string;
  callerId?: string;
  /** Who starts it: the userId of the caller's identity (SPEC §10). */
  starterId?: string;
  inputValues?: unknown;
}

/** The instance's state once the step is durable: it has reached its first/next wait state or its end. */
export interface StepResult {
  instance: InstanceRecord;
}

/**
 * Which waiting user tasks or events a list query takes. `lanes` is the caller's lane access as data (the
 * engine knows no identities): only rows in no lane or in one of these lanes are listed and counted.
 * Undefined: every lane.
 */
export interface WaitQuery {
  correlationId?: string;
  processModelKey?: string;
  processInstanceId?: string;
  lanes?: readonly string[];
}

/** SPEC §9: skip `offset` rows, then at most `limit` (undefined: no limit), in the order the rows began waiting. */
export interface PageRequest {
  offset: number;
  limit?: number;
}

/** A page and how many rows the query matches in all, before offset and limit. */
export interface Page<T> {
  items: T[];
  totalCount: number;
}

/** SPEC §11: what a trigger by name reaches. */
export interface TriggerByNameInput {
  eventType: EventType;
  /** The bpmn:message's / bpmn:signal's name (its id when it has none). */
  name: string;
  /** Only what waits in this correlation. */
  correlationId?: string;
  /** Becomes the token payload of what is reached, when given. */
  payload?: unknown;
  /** The caller's lane rule as a predicate (the engine knows no identities); what it refuses is skipped. */
  mayAccess(lane: LaneName): boolean;
  /** Who triggers: the starter of any instance the trigger starts (SPEC §10). */
  starterId?: string;
}

export interface EngineOptions {
  /** Directory of .bpmn files. */
  models: string;
  /**
   * Where the state lives: a directory for the SQLite file, ":memory:", or a PostgreSQL database
   * (`postgres://user:password@host:port/database`), which several engines may share.
   */
  data: string;
  /** A script or condition running longer fails the instance. Default 5000. */
  scriptTimeoutMs?: number;
  /** Worker threads that run scripts and conditions at the same time. Default: the CPUs, at least 2. */
  scriptWorkers?: number;
  /**
   * How long one batch of steps waits in place, in total, for its scripts; a script still running then
   * continues as a script job while the engine serves everything else. Default 5.
   */
  scriptInlineMs?: number;
  /** SQLite synchronous mode. Default "FULL". */
  synchronous?: "FULL" | "NORMAL";
  /**
   * Several engines on one PostgreSQL database (SPEC §7.1): a dead node's timers and script jobs are taken
   * over within leaseMs + sweepMs. Defaults 5000 and 1000.
   */
  cluster?: { leaseMs?: number; sweepMs?: number };
}

export interface Engine {
  /** Every loaded model (executable or not), by process key, current version. */
  readonly models: ReadonlyMap<string, ProcessModelInfo>;
  /** Whether other engines may share the store (PostgreSQL), SPEC §14 `clustered`. */
  readonly clustered: boolean;
  /** The store's name for SPEC §14: "sqlite", "memory" for data ":memory:", or "postgres". */
  readonly storeName: string;

  /**
   * Starts an instance and runs it up to its first wait state or its end, in one transaction.
   * Throws EngineError "unknown_model" | "not_executable" | "unknown_start_event".
   */
  start(input: StartInput): Promise<StepResult>;
  /**
   * Throws EngineError "not_waiting" when the task does not (or no longer) wait. `admit`, if given, is
   * called inside the step with the task as the step took it (undefined: it does not wait), before anything
   * else: whatever it throws refuses the step, which then changes nothing — the caller's checks of the task
   * cost no read of their own.
   */
  finishUserTask(
    userTaskId: string,
    result: unknown,
    admit?: (task: WaitingUserTask | undefined) => void,
  ): Promise<StepResult>;
  /** Throws EngineError "not_waiting" when the event does not (or no longer) wait. */
  triggerEvent(eventId: string, payload?: unknown): Promise<StepResult>;

  /**
   * SPEC §11: takes every waiting message (or signal) catch event of that name the caller may access and
   * resumes each with the payload, each in its own savepoint, all in one commit; resolves once all are
   * durable and visible. One taken concurrently elsewhere is skipped. Answers how many it reached.
   */
  triggerByName(input: TriggerByNameInput): Promise<{ reached: number }>;
  /**
   * Locks up to maxTasks available external tasks of the topics and lanes, oldest first; with none it waits
   * up to longPollingTimeoutMs for one (woken when a step creates one, or a lock expires).
   */
  fetchAndLockExternalTasks(request: FetchAndLockRequest): Promise<ExternalTaskRecord[]>;
  /**
   * The holder sets the lock's expiry to now + additionalDurationMs. Throws EngineError "not_waiting" when the
   * task does not wait, "locked" when another worker (or none) holds it.
   */
  extendExternalTaskLock(
    workerId: string,
    externalTaskId: string,
    additionalDurationMs: number,
  ): Promise<void>;
  /** The holder's result becomes the token payload; throws like extendExternalTaskLock. */
  finishExternalTask(workerId: string, externalTaskId: string, result: unknown): Promise<StepResult>;
  /** A BPMN error of the holder; uncaught (no boundary events yet) it fails the instance. */
  handleExternalTaskBpmnError(
    workerId: string,
    externalTaskId: string,
    errorCode: string,
    errorMessage?: string,
  ): Promise<StepResult>;
  /** A service error of the holder fails the instance. */
  handleExternalTaskServiceError(
    workerId: string,
    externalTaskId: string,
    errorMessage: string,
    errorDetails?: unknown,
    errorCode?: string,
  ): Promise<StepResult>;
  getExternalTask(externalTaskId: string): Promise<ExternalTaskRecord | undefined>;

  getUserTask(userTaskId: string): Promise<WaitingUserTask | undefined>;
  listUserTasks(filter: { correlationId?: string; processModelKey?: string }): Promise<WaitingUserTask[]>;
  getEvent(eventId: string): Promise<WaitingEvent | undefined>;
  listEvents(filter: { correlationId?: string; processModelKey?: string }): Promise<WaitingEvent[]>;
  /** A page of the waiting user tasks a query takes, ordered by when they began waiting, then id (SPEC §9). */
  pageUserTasks(query: WaitQuery, page: PageRequest): Promise<Page<WaitingUserTask>>;
  /** A page of the waiting events a query takes, ordered by when they began waiting, then id (SPEC §9). */
  pageEvents(query: WaitQuery, page: PageRequest): Promise<Page<WaitingEvent>>;
  /** Whether any instance ever belonged to the correlation. */
  hasCorrelation(correlationId: string): Promise<boolean>;
  /** Keys of the models that have (had) an instance in the correlation. */
  correlationModels(correlationId: string): Promise<string[]>;
  getInstance(processInstanceId: string): Promise<InstanceRecord | undefined>;
  /** The instances a user started (StartInput.starterId), any state, by (startedAt, id) (SPEC §10). */
  pageInstancesByStarter(starterId: string, page: PageRequest): Promise<Page<InstanceRecord>>;
  /** The model version an instance runs on (its pinned version), or undefined when that is not loaded. */
  modelOfInstance(processInstanceId: string): Promise<ProcessModelInfo | undefined>;
  /**
   * The instance of a model in a correlation that most recently ended through an end event (state "finished",
   * or "terminated" through a terminate end event), or undefined when none has.
   */
  latestFinished(correlationId: string, processModelKey: string): Promise<InstanceRecord | undefined>;
  /**
   * Resolves once the instance is no longer running (immediately if it already ended). An abort of `signal`
   * rejects with `signal.reason` and forgets the waiter (the instance runs on).
   */
  whenEnded(processInstanceId: string, signal?: AbortSignal): Promise<InstanceRecord>;

  /** Subscribe to engine events; returns the unsubscribe function. */
  on(listener: (event: EngineEvent) => void): () => void;
  /**
   * Resolves once the listeners (`on`) receive the steps of other engines on the same store (at once alone
   * on it): a step that begins after it resolves reaches them, wherever it runs.
   */
  listening(): Promise<void>;
  /** Stops timers, closes the database. Idempotent. */
  close(): Promise<void>;
}

export type EngineErrorCode =
  | "unknown_model"
  | "not_executable"
  | "unknown_start_event"
  | "not_waiting"
  | "unknown_instance"
  | "invalid_model"
  | "locked"
  | "data_locked"
  | "data_unavailable"
  | "closed";

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

/** Load-time model validation failure: names the file and, where it applies, the element. */
export class ModelLoadError extends Error {
  constructor(
    readonly file: string,
    readonly elementId: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}${elementId ? ` (element "${elementId}")` : ""}: ${reason}`);
    this.name = "ModelLoadError";
  }
}
