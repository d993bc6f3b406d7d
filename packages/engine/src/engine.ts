import { randomUUID } from "node:crypto";
import os from "node:os";
import {
  type BatchNews,
  type Coordination,
  InProcessCoordination,
  type NewsReceiver,
  type Reservation,
} from "./coordination.js";
import { type ExternalTaskPoller, ExternalTaskPollers } from "./external-task-pollers.js";
import { timeOrderedId } from "./ids.js";
import { type ScriptJob, Step, type StepEnv } from "./interpreter.js";
import { isLoopInput } from "./loop-script.js";
import type { CompiledProcess, NodeDef } from "./model.js";
import { compileSource, loadModelDirectory } from "./model-loader.js";
import { PgCoordination } from "./pg-coordination.js";
import { isPostgresUrl, PostgresStore } from "./postgres-store.js";
import { recordOf } from "./records.js";
import { awaitsScript, parseRuntime } from "./runtime.js";
import { type ScriptOutcome, ScriptPool } from "./script-pool.js";
import { SqliteStore } from "./sqlite-store.js";
import type {
  EventRow,
  ExternalTaskRow,
  InstanceData,
  StepOutcome,
  Store,
  StoreTx,
  UserTaskRow,
} from "./store.js";
import { firstOccurrence, NEVER, type TimerDef } from "./timer-definitions.js";
import { TimerScheduler } from "./timers.js";
import {
  type Engine,
  EngineError,
  type EngineEvent,
  type EngineOptions,
  type ExternalTaskRecord,
  type FetchAndLockRequest,
  type InstanceRecord,
  ModelLoadError,
  type Page,
  type PageRequest,
  type ProcessModelInfo,
  type StartInput,
  type StepResult,
  type TriggerByNameInput,
  type WaitingEvent,
  type WaitingUserTask,
  type WaitQuery,
} from "./types.js";

/** Due timers fired per wake-up; the scheduler wakes again at once when more are due. */
const TIMER_BATCH = 500;
const TIMER_RETRY_MS = 1000;
/** Event-loop turns a group commit may wait for more steps while they keep arriving (see flushWhenSettled). */
const MAX_GATHER_TURNS = 4;
/** How long one batch of steps may wait in place, in total, for scripts before the rest run as jobs. */
const DEFAULT_SCRIPT_INLINE_MS = 5;
/** How many correlations known to exist an engine remembers (the oldest is forgotten first). */
const KNOWN_CORRELATIONS = 10_000;
/** Reruns of a step that lost a deadlock (Store.runBatch, PostgreSQL) before its caller gets the error. */
const MAX_STEP_RETRIES = 20;

/**
 * Loads the models, opens (or creates) the data directory and schedules the pending timers. Throws
 * ModelLoadError when a model does not load.
 */
export async function openEngine(options: EngineOptions): Promise<Engine> {
  const loaded = await loadModelDirectory(options.models);
  const store: Store = isPostgresUrl(options.data)
    ? await PostgresStore.open({ url: options.data })
    : new SqliteStore({ data: options.data, synchronous: options.synchronous ?? "FULL" });
  // Several engines may share a PostgreSQL database (SPEC §7.1); a SQLite file is locked to one.
  const coordination: Coordination = isPostgresUrl(options.data)
    ? new PgCoordination({ connectionString: options.data, ...options.cluster })
    : new InProcessCoordination();
  try {
    await store.transaction(async (tx) => {
      for (const source of loaded.sources) tx.saveModelSource(source);
    });
    const versions = new Map<string, Map<string, CompiledProcess>>();
    const addVersion = (compiled: CompiledProcess) => {
      const byKey = versions.get(compiled.info.hash) ?? new Map<string, CompiledProcess>();
      byKey.set(compiled.info.key, compiled);
      versions.set(compiled.info.hash, byKey);
    };
    loaded.processes.forEach(addVersion);
    // Running instances stay on the version they started with, even when its file changed since.
    for (const hash of await store.runningModelHashes()) {
      const source = versions.has(hash) ? undefined : await store.getModelSource(hash);
      if (!source) continue;
      try {
        (await compileSource(source.file, source.source, hash)).forEach(addVersion);
      } catch (error) {
        // An old version that no longer loads must not keep the engine from opening: its instances stay as
        // they are, and resuming them is refused with EngineError("invalid_model").
        if (!(error instanceof ModelLoadError)) throw error;
      }
    }
    const scripts = new ScriptPool(
      options.scriptWorkers ?? Math.max(2, os.availableParallelism()),
      options.scriptTimeoutMs ?? 5000,
    );
    const engine = new EmbeddedEngine(
      store,
      loaded.processes,
      versions,
      scripts,
      options.scriptInlineMs ?? DEFAULT_SCRIPT_INLINE_MS,
      await store.maxEndSeq(),
      coordination,
    );
    await engine.joinCluster();
    await engine.syncStartTimers();
    await engine.scheduleStoredTimers();
    await engine.rerunScriptJobs();
    return engine;
  } catch (error) {
    await coordination.close().catch(() => {});
    await store.close();
    throw error;
  }
}

interface Handoff {
  poller: ExternalTaskPoller;
  tasks: ExternalTaskRow[];
}

interface PendingOp {
  run(step: Step, tx: StoreTx): unknown;
  /** A caller's operation: answered only once its instance waits for no script job. */
  visible: boolean;
  /** How often the store asked to run it again (a lost deadlock). */
  retries?: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

class EmbeddedEngine implements Engine {
  readonly models: ReadonlyMap<string, ProcessModelInfo>;
  private readonly current: Map<string, CompiledProcess>;
  /** Message and signal start events of the current models by `${type}:${name}`. */
  private readonly nameStarts = new Map<string, { model: CompiledProcess; node: NodeDef }[]>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  /** Correlations known to exist (see hasCorrelation), oldest first. */
  private readonly knownCorrelations = new Set<string>();
  private readonly endWaiters = new Map<
    string,
    Set<{ resolve(record: InstanceRecord): void; reject(error: unknown): void }>
  >();
  /** Callers whose instance still waits for a script job, by instance id. */
  private readonly scriptWaiters = new Map<
    string,
    { resolve(record: InstanceRecord): void; reject(error: unknown): void }[]
  >();
  /** Instances that await a script job, and per caller the called instances below it that do. */
  private readonly awaitingSelf = new Set<string>();
  private readonly awaitingBelow = new Map<string, Set<string>>();
  private readonly timers: TimerScheduler;
  private readonly pollers = new ExternalTaskPollers();
  private readonly env: StepEnv;
  private queue: PendingOp[] = [];
  private flushScheduled = false;
  /** Batches whose commit is under way: close() waits for them. */
  private readonly flushing = new Set<Promise<void>>();
  private closed = false;
  readonly storeName: string;
  readonly clustered: boolean;
  private sweep: NodeJS.Timeout | undefined;
  /** Script jobs running in this process (its own, or taken over from a dead node). */
  private readonly runningJobs = new Set<string>();

  constructor(
    private readonly store: Store,
    processes: CompiledProcess[],
    private readonly versions: Map<string, Map<string, CompiledProcess>>,
    private readonly scripts: ScriptPool,
    private readonly scriptInlineMs: number,
    private endSeq: number,
    private readonly coordination: Coordination,
  ) {
    this.storeName = store.name;
    this.clustered = coordination.clustered;
    this.current = new Map(processes.map((compiled) => [compiled.info.key, compiled]));
    this.models = new Map(processes.map((compiled) => [compiled.info.key, compiled.info]));
    for (const model of processes) {
      for (const node of model.nameStarts) {
        const key = `${node.eventType}:${node.eventName}`;
        this.nameStarts.set(key, [...(this.nameStarts.get(key) ?? []), { model, node }]);
      }
    }
    this.timers = new TimerScheduler(() => this.fireDueTimers());
    const runsScripts = (compiled: CompiledProcess) =>
      [...compiled.nodes.values()].some(
        (node) => node.script !== undefined || node.chooser !== undefined || node.loopScript !== undefined,
      );
    if ([...versions.values()].some((byKey) => [...byKey.values()].some(runsScripts))) this.scripts.warmUp();
    this.env = {
      scripts: this.scripts,
      resolveModel: (hash, key) => {
        const compiled = this.versions.get(hash)?.get(key);
        if (!compiled)
          throw new EngineError("invalid_model", `model ${key} version ${hash} is not available`);
        return compiled;
      },
      latestModel: (key) => this.current.get(key),
      newId: timeOrderedId,
      newCorrelationId: randomUUID,
      nextEndSeq: () => ++this.endSeq,
      upSinceMs: Date.now(),
      nameStarts: (eventType, name) => this.nameStarts.get(`${eventType}:${name}`) ?? [],
    };
  }

  async start(input: StartInput): Promise<StepResult> {
    this.assertOpen();
    const model = this.current.get(input.processModelKey);
    if (!model) throw new EngineError("unknown_model", `no process model ${input.processModelKey}`);
    if (!model.info.executable) {
      throw new EngineError("not_executable", `process model ${input.processModelKey} is not executable`);
    }
    if (!model.info.startEvents.some((event) => event.key === input.startEventKey)) {
      throw new EngineError(
        "unknown_start_event",
        `process model ${input.processModelKey} has no none start event ${input.startEventKey}`,
      );
    }
    const correlationId = input.correlationId ?? randomUUID();
    const instance = await this.startStep(
      model,
      input.startEventKey,
      correlationId,
      input.callerId,
      input.inputValues,
      input.starterId,
    );
    // Committed: the caller's next call about its correlation needs no query for it.
    this.rememberCorrelation(correlationId);
    return { instance };
  }

  private startStep(
    model: CompiledProcess,
    startEventKey: string,
    correlationId: string,
    callerId: string | undefined,
    inputValues: unknown,
    starterId: string | undefined,
  ): Promise<InstanceRecord> {
    return this.submit(
      (step) => step.start(model, startEventKey, correlationId, callerId, inputValues, starterId),
      true,
    );
  }

  async finishUserTask(
    userTaskId: string,
    result: unknown,
    admit?: (task: WaitingUserTask | undefined) => void,
  ): Promise<StepResult> {
    this.assertOpen();
    const admitRow = admit && ((row: UserTaskRow | undefined) => admit(row && this.userTaskOf(row)));
    return { instance: await this.submit((step) => step.finishUserTask(userTaskId, result, admitRow), true) };
  }

  async triggerEvent(eventId: string, payload?: unknown): Promise<StepResult> {
    this.assertOpen();
    return { instance: await this.submit((step) => step.triggerEvent(eventId, payload), true) };
  }

  /**
   * The one place a trigger by name (SPEC §11) reaches the interpreter: every matching waiting row the caller
   * may access (catch events, receive tasks, boundary events, event sub-processes' start events) is resumed
   * as its own step, and every matching message or signal start event the caller may access starts an
   * instance as its own step (in the given correlation, else a new one each; the caller its starter),
   * queued together so that they share one commit (group commit: each in its savepoint, none answered
   * before the commit). `reached` counts both.
   */
  async triggerByName(input: TriggerByNameInput): Promise<{ reached: number }> {
    this.assertOpen();
    const rows = (await this.store.eventsByName(input.eventType, input.name, input.correlationId)).filter(
      (row) => input.mayAccess(row.lane),
    );
    const starts = (this.nameStarts.get(`${input.eventType}:${input.name}`) ?? []).filter(({ node }) =>
      input.mayAccess(node.lane),
    );
    const outcomes = await Promise.allSettled([
      ...rows.map((row) => this.submit((step) => step.triggerEvent(row.id, input.payload), true)),
      ...starts.map(({ model, node }) =>
        this.startStep(
          model,
          node.key,
          input.correlationId ?? randomUUID(),
          undefined,
          input.payload,
          input.starterId,
        ),
      ),
    ]);
    let reached = 0;
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") reached++;
      // Taken by a concurrent trigger, or its pinned model is gone: skipped, as a signal delivery skips it.
      else if (!(outcome.reason instanceof EngineError)) throw outcome.reason;
    }
    return { reached };
  }

  async fetchAndLockExternalTasks(request: FetchAndLockRequest): Promise<ExternalTaskRecord[]> {
    this.assertOpen();
    const { workerId, topics, lanes, maxTasks, lockDurationMs, signal } = request;
    const deadline = Date.now() + request.longPollingTimeoutMs;
    const poller = this.pollers.register({ workerId, topics, lanes, maxTasks, lockDurationMs });
    // A task another node creates from now on wakes it (one created before, its first look finds).
    if (request.longPollingTimeoutMs > 0) void this.coordination.attend();
    try {
      for (;;) {
        this.pollers.retry(poller);
        const locked = await this.submit((_step, tx) => {
          const now = Date.now();
          return tx.lockExternalTasks({
            workerId,
            topics,
            lanes,
            limit: maxTasks,
            now,
            until: now + lockDurationMs,
          });
        });
        const now = Date.now();
        if (locked.length > 0 || now >= deadline) return locked.map(externalTaskOf);
        // A lock that expires meanwhile makes a task fetchable without any step: look again then.
        const unlockAt = (await this.store.nextExternalTaskUnlock(topics, now)) ?? Number.POSITIVE_INFINITY;
        await poller.sleep(Math.max(0, Math.min(deadline, unlockAt) - now), signal);
        if (poller.delivered) return poller.delivered.map(externalTaskOf);
      }
    } finally {
      this.pollers.release(poller);
    }
  }

  async extendExternalTaskLock(
    workerId: string,
    externalTaskId: string,
    additionalDurationMs: number,
  ): Promise<void> {
    this.assertOpen();
    await this.submit(async (_step, tx) => {
      if (await tx.extendExternalTaskLock(externalTaskId, workerId, Date.now() + additionalDurationMs))
        return;
      if (await tx.getExternalTask(externalTaskId)) {
        throw new EngineError("locked", `external task ${externalTaskId} is held by another worker`);
      }
      throw new EngineError("not_waiting", `external task ${externalTaskId} does not wait`);
    });
  }

  async finishExternalTask(workerId: string, externalTaskId: string, result: unknown): Promise<StepResult> {
    this.assertOpen();
    return {
      instance: await this.submit((step) => step.finishExternalTask(workerId, externalTaskId, result), true),
    };
  }

  async handleExternalTaskBpmnError(
    workerId: string,
    externalTaskId: string,
    errorCode: string,
    errorMessage?: string,
  ): Promise<StepResult> {
    this.assertOpen();
    return {
      instance: await this.submit(
        (step) => step.externalTaskBpmnError(workerId, externalTaskId, errorCode, errorMessage),
        true,
      ),
    };
  }

  async handleExternalTaskServiceError(
    workerId: string,
    externalTaskId: string,
    errorMessage: string,
    errorDetails?: unknown,
    errorCode?: string,
  ): Promise<StepResult> {
    this.assertOpen();
    return {
      instance: await this.submit(
        (step) =>
          step.externalTaskServiceError(workerId, externalTaskId, errorMessage, errorDetails, errorCode),
        true,
      ),
    };
  }

  async getExternalTask(externalTaskId: string): Promise<ExternalTaskRecord | undefined> {
    this.assertOpen();
    const row = await this.store.getExternalTask(externalTaskId);
    return row && externalTaskOf(row);
  }

  async getUserTask(userTaskId: string): Promise<WaitingUserTask | undefined> {
    this.assertOpen();
    const row = await this.store.getUserTask(userTaskId);
    return row && this.userTaskOf(row);
  }

  async listUserTasks(filter: {
    correlationId?: string;
    processModelKey?: string;
  }): Promise<WaitingUserTask[]> {
    this.assertOpen();
    return (await this.store.listUserTasks(filter)).map((row) => this.userTaskOf(row));
  }

  async getEvent(eventId: string): Promise<WaitingEvent | undefined> {
    this.assertOpen();
    const row = await this.store.getEvent(eventId);
    return row && this.eventOf(row);
  }

  async listEvents(filter: { correlationId?: string; processModelKey?: string }): Promise<WaitingEvent[]> {
    this.assertOpen();
    return (await this.store.listEvents(filter)).map((row) => this.eventOf(row));
  }

  async pageUserTasks(query: WaitQuery, page: PageRequest): Promise<Page<WaitingUserTask>> {
    this.assertOpen();
    const { items, totalCount } = await this.store.pageUserTasks(query, page);
    return { items: items.map((row) => this.userTaskOf(row)), totalCount };
  }

  async pageEvents(query: WaitQuery, page: PageRequest): Promise<Page<WaitingEvent>> {
    this.assertOpen();
    const { items, totalCount } = await this.store.pageEvents(query, page);
    return { items: items.map((row) => this.eventOf(row)), totalCount };
  }

  async hasCorrelation(correlationId: string): Promise<boolean> {
    this.assertOpen();
    // A correlation, once it exists, exists for good (its rows are never deleted), on every node: a yes is
    // remembered, which spares a query of most calls about a correlation (a round trip on PostgreSQL).
    if (this.knownCorrelations.has(correlationId)) return true;
    const known = await this.store.hasCorrelation(correlationId);
    if (known) this.rememberCorrelation(correlationId);
    return known;
  }

  private rememberCorrelation(correlationId: string): void {
    if (this.knownCorrelations.has(correlationId)) return;
    if (this.knownCorrelations.size >= KNOWN_CORRELATIONS) {
      this.knownCorrelations.delete(this.knownCorrelations.values().next().value as string);
    }
    this.knownCorrelations.add(correlationId);
  }

  async correlationModels(correlationId: string): Promise<string[]> {
    this.assertOpen();
    return this.store.correlationModels(correlationId);
  }

  async getInstance(processInstanceId: string): Promise<InstanceRecord | undefined> {
    this.assertOpen();
    const data = await this.store.getInstance(processInstanceId);
    return data && recordOf(data);
  }

  async pageInstancesByStarter(starterId: string, page: PageRequest): Promise<Page<InstanceRecord>> {
    this.assertOpen();
    const { items, totalCount } = await this.store.pageInstancesByStarter(starterId, page);
    return { items: items.map(recordOf), totalCount };
  }

  async modelOfInstance(processInstanceId: string): Promise<ProcessModelInfo | undefined> {
    this.assertOpen();
    const data = await this.store.getInstance(processInstanceId);
    return data && this.versions.get(data.modelHash)?.get(data.modelKey)?.info;
  }

  async latestFinished(correlationId: string, processModelKey: string): Promise<InstanceRecord | undefined> {
    this.assertOpen();
    const data = await this.store.latestFinished(correlationId, processModelKey);
    return data && recordOf(data);
  }

  whenEnded(processInstanceId: string, signal?: AbortSignal): Promise<InstanceRecord> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new EngineError("closed", "the engine is closed"));
        return;
      }
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      // Subscribe before looking, so an end committed in between cannot be missed.
      const waiters = this.endWaiters.get(processInstanceId) ?? new Set();
      const forget = () => {
        waiters.delete(waiter);
        if (waiters.size === 0 && this.endWaiters.get(processInstanceId) === waiters) {
          this.endWaiters.delete(processInstanceId);
          this.unwatchIfIdle(processInstanceId);
        }
        signal?.removeEventListener("abort", onAbort);
      };
      // A caller that gives up releases its waiter: a wait for an instance that never ends holds nothing.
      const onAbort = () => {
        forget();
        reject(signal?.reason);
      };
      const waiter = {
        resolve: (record: InstanceRecord) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(record);
        },
        reject: (error: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      waiters.add(waiter);
      this.endWaiters.set(processInstanceId, waiters);
      signal?.addEventListener("abort", onAbort, { once: true });
      // Watched before the look: an end another node commits after it is reported (touched).
      this.coordination
        .watch(processInstanceId)
        .then(() => this.getInstance(processInstanceId))
        .then(
          (record) => {
            if (record?.state === "running" || !waiters.has(waiter)) return;
            forget();
            if (record) resolve(record);
            else reject(new EngineError("unknown_instance", `no process instance ${processInstanceId}`));
          },
          (error: unknown) => {
            if (!waiters.has(waiter)) return;
            forget();
            reject(error);
          },
        );
    });
  }

  on(listener: (event: EngineEvent) => void): () => void {
    // A wrapper per subscription, so subscribing the same function twice gives two independent subscriptions.
    const subscription = (event: EngineEvent) => listener(event);
    this.listeners.add(subscription);
    void this.coordination.attend();
    return () => {
      this.listeners.delete(subscription);
    };
  }

  listening(): Promise<void> {
    return this.coordination.attend();
  }

  /** What this engine is told of the other nodes' steps (see NewsReceiver). */
  private readonly receiver: NewsReceiver = {
    news: (news) => this.receive(news),
    // Subscribers and long polls wait for any step; end and script waiters watch their instances.
    attends: () => this.listeners.size > 0 || this.pollers.size > 0,
    watched: () => [...this.endWaiters.keys(), ...this.scriptWaiters.keys()],
    touched: (instanceId) => this.lookAgain(instanceId),
  };

  /** Another node's step touched an instance waited on here: its end waiters and script waiters look again. */
  private lookAgain(instanceId: string): void {
    if (this.closed) return;
    if (this.endWaiters.has(instanceId)) {
      this.store.getInstance(instanceId).then(
        (data) => {
          if (data && data.state !== "running") this.resolveEnded(recordOf(data));
        },
        () => {
          // The next step of it, or the sweep, reports it again.
        },
      );
    }
    if (this.scriptWaiters.has(instanceId)) void this.recheckScriptWaiters([instanceId]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.close();
    if (this.sweep) clearInterval(this.sweep);
    await this.flush(true);
    while (this.flushing.size > 0) await Promise.all(this.flushing);
    this.pollers.close(new EngineError("closed", "the engine was closed"));
    this.scripts.close();
    // Gives its leases up: the other nodes take its timers and script jobs over at once.
    await this.coordination.close();
    await this.store.close();
    const error = new EngineError("closed", "the engine was closed");
    for (const waiters of this.endWaiters.values()) for (const waiter of waiters) waiter.reject(error);
    this.endWaiters.clear();
    for (const waiters of this.scriptWaiters.values()) for (const waiter of waiters) waiter.reject(error);
    this.scriptWaiters.clear();
  }

  /**
   * Each timer start event of the current models has one row: its next occurrence. Kept across restarts
   * while its definition stays the same (so a due time is not moved by a restart); a new or changed one
   * starts from now; rows of timer start events no longer in the models are dropped.
   */
  async syncStartTimers(): Promise<void> {
    const now = Date.now();
    const wanted = new Map<string, { modelKey: string; eventKey: string; spec: string; timer: TimerDef }>();
    for (const compiled of this.current.values()) {
      for (const node of compiled.timerStarts) {
        const timer = node.timer as TimerDef;
        const entry = { modelKey: compiled.info.key, eventKey: node.key, spec: JSON.stringify(timer), timer };
        wanted.set(JSON.stringify([entry.modelKey, entry.eventKey]), entry);
      }
    }
    await this.store.transaction(async (tx) => {
      for (const row of await tx.listStartTimers()) {
        const key = JSON.stringify([row.modelKey, row.eventKey]);
        const entry = wanted.get(key);
        if (entry?.spec === row.spec) wanted.delete(key);
        else if (!entry) tx.deleteStartTimer(row.modelKey, row.eventKey);
      }
      for (const entry of wanted.values()) {
        const first = firstOccurrence(entry.timer, now);
        // One whose every occurrence lies in the past never comes due; its row says so across restarts.
        const row = first ? { dueAt: first.dueAt, occurrence: first.index } : { dueAt: NEVER, occurrence: 0 };
        tx.putStartTimer({ modelKey: entry.modelKey, eventKey: entry.eventKey, spec: entry.spec, ...row });
      }
    });
  }

  async scheduleStoredTimers(): Promise<void> {
    const next = await this.store.nextTimerDue();
    if (next !== undefined) this.timers.arm(next);
  }

  /**
   * Jobs left by a crash or a close run again — on several nodes, those no live node holds (a dead node's,
   * once its lease expired); a job's outcome counts once, as its row is taken with it.
   */
  async rerunScriptJobs(): Promise<void> {
    const pending = (await this.store.pendingScriptJobs()).filter((job) => !this.runningJobs.has(job.id));
    const mine = await this.coordination.claim(
      "script-job",
      pending.map((job) => job.id),
    );
    for (const job of pending) {
      if (!mine.has(job.id) || this.closed) continue;
      const node = this.versions.get(job.modelHash)?.get(job.modelKey)?.nodes.get(job.key);
      const script = isLoopInput(job.input) ? node?.loopScript : (node?.script ?? node?.chooser);
      // Its pinned model version no longer loads: the job waits, like the instance's other waits.
      if (!script) {
        void this.coordination.release("script-job", [job.id]);
        continue;
      }
      const outcome = Promise.resolve(this.scripts.run(script, job.input));
      this.followScriptJob({ id: job.id, instanceId: job.instanceId, outcome });
    }
  }

  /** A script job's outcome becomes a step of its own, committed with whatever else is queued. */
  private followScriptJob(job: ScriptJob): void {
    this.runningJobs.add(job.id);
    void job.outcome
      .then((outcome: ScriptOutcome) => {
        if (this.closed) return;
        return this.submit((step) => step.finishScriptJob(job.id, outcome));
      })
      .catch((error: unknown) => this.settleScriptWaiters(job.instanceId, (waiter) => waiter.reject(error)))
      .finally(() => {
        this.runningJobs.delete(job.id);
        void this.coordination.release("script-job", [job.id]);
      });
  }

  private settleScriptWaiters(
    instanceId: string,
    settle: (waiter: { resolve(record: InstanceRecord): void; reject(error: unknown): void }) => void,
  ): void {
    const waiters = this.scriptWaiters.get(instanceId);
    if (!waiters) return;
    this.scriptWaiters.delete(instanceId);
    this.unwatchIfIdle(instanceId);
    for (const waiter of waiters) settle(waiter);
  }

  /** Nothing here waits for the instance any more: the other nodes' steps of it need not wake this one. */
  private unwatchIfIdle(instanceId: string): void {
    if (this.clustered && !this.endWaiters.has(instanceId) && !this.scriptWaiters.has(instanceId))
      this.coordination.unwatch(instanceId);
  }

  private fireDueTimers(): void {
    void this.fireDueTimersNow().catch(() => {
      // The store failed (a lost connection): look again later rather than never.
      if (!this.closed) this.timers.arm(Date.now() + TIMER_RETRY_MS);
    });
  }

  private async fireDueTimersNow(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    const due = await this.store.dueTimers(now, TIMER_BATCH);
    const dueStarts = await this.store.dueStartTimers(now, TIMER_BATCH);
    // On several nodes each due timer is fired by the one that claims it; the others look again later.
    const startKey = (row: { modelKey: string; eventKey: string; dueAt: number }) =>
      JSON.stringify([row.modelKey, row.eventKey, row.dueAt]);
    const [timers, starts] = await Promise.all([
      this.coordination.claim(
        "timer",
        due.map((timer) => timer.id),
      ),
      this.coordination.claim("start-timer", dueStarts.map(startKey)),
    ]);
    const claimedAll = timers.size === due.length && starts.size === dueStarts.length;
    // Timers of one instance fire one after the other, in due order (`due` is): the earlier occurred first,
    // and its step may end the later one's wait (two racing timers, both overdue after a downtime). A batch's
    // steps run as concurrent transactions on PostgreSQL, which would take the instance's lock in any order.
    const lastOfInstance = new Map<string, Promise<boolean>>();
    const fired = due
      .filter((timer) => timers.has(timer.id))
      .map((timer) => {
        const fire = () =>
          this.submit((step) => step.fireTimer(timer.id)).then(
            () => true,
            () => false,
          );
        const before = lastOfInstance.get(timer.instanceId);
        const firing = before ? before.then(fire) : fire();
        lastOfInstance.set(timer.instanceId, firing);
        return firing;
      });
    for (const row of dueStarts) {
      const model = this.current.get(row.modelKey);
      if (!model || !starts.has(startKey(row))) continue;
      fired.push(
        this.submit((step) => step.fireStartTimer(model, row.eventKey)).then(
          () => true,
          () => false,
        ),
      );
    }
    const outcomes = await Promise.all(fired);
    if (this.closed) return;
    const next = await this.store.nextTimerDue();
    if (next === undefined || this.closed) return;
    // A timer that cannot fire (its pinned model version is gone) stays due, and one another node claimed
    // may still be due when this node looks: retry later, not in a hot loop.
    this.timers.arm(
      outcomes.every(Boolean) && claimedAll ? next : Math.max(next, Date.now() + TIMER_RETRY_MS),
    );
  }

  /**
   * Starts receiving the other nodes' news, and — on several nodes — sweeps every `sweepMs` for what a dead
   * node left: due timers it had claimed or never got to, script jobs whose lease expired.
   */
  async joinCluster(): Promise<void> {
    await this.coordination.start(this.receiver);
    if (!this.coordination.clustered) return;
    this.sweep = setInterval(() => {
      if (this.closed) return;
      this.fireDueTimers();
      void this.rerunScriptJobs().catch(() => {
        // The store failed (a lost connection): the next sweep looks again.
      });
    }, this.coordination.sweepMs);
    this.sweep.unref();
  }

  /** Another node's step: its subscribers here, its ended instances' waiters here, its tasks' long polls here. */
  private receive(news: BatchNews): void {
    if (this.closed) return;
    for (const event of news.events) this.publish(event);
    for (const record of news.ended) this.resolveEnded(record);
    if (this.scriptWaiters.size > 0) {
      void this.recheckScriptWaiters([
        ...news.events.map((event) => event.processInstanceId),
        ...news.ended.map((record) => record.processInstanceId),
      ]);
    }
    for (const task of news.tasks) this.pollers.wake(task.topic, task.lane);
    if (news.timerDue !== undefined) this.timers.arm(news.timerDue);
  }

  /**
   * Callers here wait for an instance to stop awaiting a script job (read-your-writes), and another node's
   * step touched it: that step may have settled it — a boundary event that cancelled the script task, a job
   * this node's lease lost — which no local step will ever report. Each such instance is read again, and its
   * callers answered once no token of it awaits a script.
   */
  private async recheckScriptWaiters(instanceIds: readonly string[]): Promise<void> {
    for (const id of new Set(instanceIds)) {
      if (!this.scriptWaiters.has(id) || this.awaitingBelow.has(id)) continue;
      let data: InstanceData | undefined;
      try {
        data = await this.store.getInstance(id);
      } catch {
        continue; // The next news of it, or its own job's step, answers them.
      }
      if (!data || !this.scriptWaiters.has(id)) continue;
      const awaiting =
        data.state === "running" && data.runtime !== undefined && awaitsScript(parseRuntime(data.runtime));
      if (awaiting) continue;
      this.awaitingSelf.delete(id);
      const record = recordOf(data);
      this.settleScriptWaiters(id, (waiter) => waiter.resolve(record));
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError("closed", "the engine is closed");
  }

  /**
   * Queues a step. Steps queued while a batch gathers share one commit (group commit): each
   * runs in its own savepoint, so a refused step rolls back alone, and all are durable once the outer
   * transaction commits. Only then are results returned and events published.
   */
  private submit<T>(run: (step: Step, tx: StoreTx) => T | Promise<T>, visible = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue({ run, visible, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private enqueue(op: PendingOp): void {
    this.queue.push(op);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.flushWhenSettled(this.queue.length, 0);
    }
  }

  /**
   * Commits once a turn of the event loop added no step to the batch, or after MAX_GATHER_TURNS turns. Over
   * HTTP, concurrent clients' requests arrive microseconds apart, so while steps keep coming the next poll
   * phase often brings more, and one commit (one fsync) then serves them all. A lone step commits after one
   * turn, as before. Measured (BENCHMARKS.md): 2.9 → 4.0 steps per commit, +17% user-task round trips over HTTP.
   */
  private flushWhenSettled(seen: number, turns: number): void {
    setImmediate(() => {
      const grew = this.queue.length > seen;
      // Only a store that commits a batch at once gains by waiting (PostgreSQL runs each step on its own).
      if (grew && turns + 1 < MAX_GATHER_TURNS && this.store.commitsBatchTogether) {
        this.flushWhenSettled(this.queue.length, turns + 1);
      } else void this.flush();
    });
  }

  /**
   * Runs the queued steps as one batch (Store.runBatch: SQLite commits them together, PostgreSQL each on
   * its own), then answers them, hands created external tasks to sleeping pollers and publishes the events,
   * in step order. A step is re-run from scratch when the store retries it (a fresh Step each time).
   */
  private flush(closing = false): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return Promise.resolve();
    if (this.closed && !closing) {
      for (const op of batch) op.reject(new EngineError("closed", "the engine is closed"));
      return Promise.resolve();
    }
    const done = this.runBatch(batch).finally(() => this.flushing.delete(done));
    this.flushing.add(done);
    return done;
  }

  private async runBatch(batch: PendingOp[]): Promise<void> {
    let handoffs: Handoff[] = [];
    let createdTasks: Step["externalTasksCreated"] = [];
    this.scripts.setInlineBudget(this.scriptInlineMs);
    let outcomes: StepOutcome<{ step: Step; value: unknown }>[];
    // Each step's news goes to the other nodes with its commit (nothing on one node alone).
    const reservations = batch.map(() => this.coordination.reserve());
    try {
      outcomes = await this.store.runBatch(
        batch.map((op, index) => async (tx: StoreTx) => {
          const step = new Step(this.env, tx);
          const value = await op.run(step, tx);
          await (reservations[index] as Reservation).announce(
            newsOf(step),
            step.jobs.map((job) => job.id),
            tx.sqlAtCommit,
          );
          return { step, value };
        }),
        async (done, tx) => {
          createdTasks = done.flatMap((outcome) =>
            outcome.ok ? outcome.value.step.externalTasksCreated : [],
          );
          handoffs = await this.handOver(tx, createdTasks);
        },
      );
    } catch (error) {
      for (const reservation of reservations) reservation.abandon();
      throw error;
    } finally {
      this.scripts.setInlineBudget(0);
    }
    let earliestTimer = Number.POSITIVE_INFINITY;
    for (const { poller, tasks } of handoffs) poller.deliver(tasks);
    // Each step's events and ends in its place among the other nodes' steps of the same instances.
    await Promise.all(
      outcomes.map((outcome, index) => {
        const reservation = reservations[index] as Reservation;
        if (!outcome.ok) {
          reservation.abandon();
          return undefined;
        }
        const { step } = outcome.value;
        return reservation.deliver(() => {
          for (const event of step.events) this.publish(event);
          for (const record of step.ended) this.resolveEnded(record);
        });
      }),
    );
    const handed = new Set(handoffs.flatMap(({ tasks }) => tasks.map((task) => task.id)));
    for (const task of createdTasks) if (!handed.has(task.id)) this.pollers.wake(task.topic, task.lane);
    outcomes.forEach((outcome, index) => {
      const op = batch[index] as PendingOp;
      if (outcome.ok) {
        this.answer(op, outcome.value.step, outcome.value.value);
        return;
      }
      op.retries = (op.retries ?? 0) + 1;
      if (outcome.retry && op.retries <= MAX_STEP_RETRIES && !this.closed) this.enqueue(op);
      else op.reject(outcome.error);
    });
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      // A failed commit drops the batch's script jobs' outcomes with it: only committed jobs are followed.
      for (const job of outcome.value.step.jobs) this.followScriptJob(job);
      earliestTimer = Math.min(earliestTimer, outcome.value.step.earliestTimer);
    }
    this.timers.arm(earliestTimer);
  }

  /**
   * Read-your-writes: a caller's operation is answered once its instance reached a wait state the caller can
   * see, or its end — not while it waits for a script job. Steps are answered in batch order, so a step that
   * settles an instance answers the callers that an earlier step left waiting for it.
   */
  private answer(op: PendingOp, step: Step, value: unknown): void {
    const emptied = this.trackCalls(step);
    if (this.scriptWaiters.size > 0) {
      for (const data of step.settled) {
        if (this.awaitingBelow.has(data.id)) continue;
        this.settleScriptWaiters(data.id, (waiter) => waiter.resolve(recordOf(data)));
      }
      // A caller's record is read after the commit: it may not be among the step's instances.
      for (const id of emptied) {
        if (!this.scriptWaiters.has(id) || this.awaitingSelf.has(id) || this.awaitingBelow.has(id)) continue;
        const record = this.store.getInstance(id).then((data) => {
          if (!data) throw new EngineError("unknown_instance", `no process instance ${id}`);
          return recordOf(data);
        });
        this.settleScriptWaiters(id, (waiter) => record.then(waiter.resolve, waiter.reject));
      }
    }
    const instanceId = (value as InstanceRecord | undefined)?.processInstanceId;
    const awaiting =
      instanceId !== undefined &&
      (step.awaitingScripts.has(instanceId) || this.awaitingBelow.has(instanceId));
    if (!op.visible || !awaiting) {
      op.resolve(value);
      return;
    }
    const waiters = this.scriptWaiters.get(instanceId) ?? [];
    waiters.push({ resolve: op.resolve, reject: op.reject });
    this.scriptWaiters.set(instanceId, waiters);
    // Another node's step may settle it (a boundary event, a job taken over): watched, then looked at again
    // for what such a step committed before the watch.
    if (this.clustered && waiters.length === 1) {
      void this.coordination.watch(instanceId).then(() => this.recheckScriptWaiters([instanceId]));
    }
  }

  /**
   * Follows which instances await a script job, and for each caller which instances below it do: a caller
   * (SPEC §4.3 read-your-writes) is answered once neither it nor any instance it called awaits one. Returns
   * the callers nothing below awaits any more after this step.
   */
  private trackCalls(step: Step): string[] {
    for (const id of step.awaitingScripts) this.awaitingSelf.add(id);
    for (const data of step.settled) this.awaitingSelf.delete(data.id);
    const emptied: string[] = [];
    for (const { id, chain, awaiting } of step.calls) {
      for (const callerId of chain) {
        const below = this.awaitingBelow.get(callerId);
        if (awaiting) {
          if (below) below.add(id);
          else this.awaitingBelow.set(callerId, new Set([id]));
        } else if (below?.delete(id) && below.size === 0) {
          this.awaitingBelow.delete(callerId);
          emptied.push(callerId);
        }
      }
    }
    return emptied;
  }

  /**
   * Locks tasks created in the batch for sleeping long pollers, inside the batch's transaction: they answer
   * right after its commit. Each lock in a savepoint of its own, so a failing one costs only that hand-over.
   */
  private async handOver(tx: StoreTx, created: Step["externalTasksCreated"]): Promise<Handoff[]> {
    const handoffs: Handoff[] = [];
    if (created.length === 0) return handoffs;
    for (const poller of this.pollers.sleepingFor(created)) {
      const { workerId, topics, lanes, maxTasks, lockDurationMs } = poller.request;
      const now = Date.now();
      try {
        const tasks = await tx.savepoint(() =>
          tx.lockExternalTasks({
            workerId,
            topics,
            lanes,
            limit: maxTasks,
            now,
            until: now + lockDurationMs,
          }),
        );
        if (tasks.length > 0) handoffs.push({ poller, tasks });
      } catch {
        // It stays asleep and is woken below like any other poller.
      }
    }
    return handoffs;
  }

  private publish(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not affect the engine or the other listeners.
      }
    }
  }

  private resolveEnded(record: InstanceRecord): void {
    const waiters = this.endWaiters.get(record.processInstanceId);
    if (!waiters) return;
    this.endWaiters.delete(record.processInstanceId);
    this.unwatchIfIdle(record.processInstanceId);
    for (const waiter of waiters) waiter.resolve(record);
  }

  private userTaskOf(row: UserTaskRow): WaitingUserTask {
    const node = this.versions.get(row.modelHash)?.get(row.modelKey)?.nodes.get(row.key);
    const task: WaitingUserTask = {
      id: row.id,
      key: row.key,
      processInstanceId: row.instanceId,
      processModelKey: row.modelKey,
      correlationId: row.correlationId,
      lane: row.lane,
      formFields: node?.formFields ?? [],
      tokenPayload: row.payload,
      createdAt: row.createdAt,
    };
    if (node?.name !== undefined) task.name = node.name;
    return task;
  }

  private eventOf(row: EventRow): WaitingEvent {
    const node = this.versions.get(row.modelHash)?.get(row.modelKey)?.nodes.get(row.key);
    const event: WaitingEvent = {
      id: row.id,
      key: row.key,
      processInstanceId: row.instanceId,
      processModelKey: row.modelKey,
      correlationId: row.correlationId,
      lane: row.lane,
      eventType: row.eventType,
      eventName: row.eventName,
      createdAt: row.createdAt,
      ...(row.attachedToKey === undefined ? {} : { attachedToKey: row.attachedToKey }),
    };
    if (node?.name !== undefined) event.name = node.name;
    return event;
  }
}

function externalTaskOf(row: ExternalTaskRow): ExternalTaskRecord {
  const task: ExternalTaskRecord = {
    id: row.id,
    key: row.key,
    topic: row.topic,
    processInstanceId: row.instanceId,
    processModelKey: row.modelKey,
    correlationId: row.correlationId,
    lane: row.lane,
    payload: row.payload,
    createdAt: row.createdAt,
  };
  if (row.workerId !== undefined) task.workerId = row.workerId;
  if (row.lockExpiresAt !== undefined) task.lockExpirationTime = new Date(row.lockExpiresAt).toISOString();
  return task;
}

/** What a committed step tells the other nodes. */
function newsOf(step: Step): BatchNews {
  const news: BatchNews = {
    events: step.events,
    ended: step.ended,
    tasks: step.externalTasksCreated.map(({ topic, lane }) => ({ topic, lane })),
  };
  if (Number.isFinite(step.earliestTimer)) news.timerDue = step.earliestTimer;
  return news;
}
