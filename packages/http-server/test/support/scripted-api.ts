import {
  type ConsumerApi,
  type ConsumerContext,
  ForbiddenError,
  InternalServerError,
  NotFoundError,
  type NotificationCallback,
  type NotificationMessage,
  type NotificationScopeOptions,
  type Subscription,
  UnauthorizedError,
} from "@consumer-api/contracts";

/**
 * A small in-test implementation of the ConsumerApi interface, for transport-only behaviour (limits, framing,
 * timeouts). Not a stand-in for client-internal: the end-to-end tests run the real one.
 */
/** A generic 500 that keeps the original as `cause`, as client-internal wraps what fails beneath it. */
function internalError(cause: unknown): InternalServerError {
  const error = new InternalServerError();
  Object.defineProperty(error, "cause", { value: cause });
  return error;
}

export class ScriptedApi implements ConsumerApi {
  readonly tokens = new Set(["alice-token", "bob-token"]);
  readonly calls: { operation: string; args: unknown[] }[] = [];
  readonly subscribers = new Map<string, Set<NotificationCallback>>();
  /** Resolves a start with startCallbackType 2: the test decides when the instance "finishes". */
  private gates: (() => void)[] = [];
  startsWaiting = 0;

  async authenticate(context: ConsumerContext): Promise<void> {
    if (!this.tokens.has(context.identity)) throw new UnauthorizedError("Unknown token.");
  }

  activeSubscriptions(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  emit(key: string, message: NotificationMessage): void {
    for (const callback of this.subscribers.get(key) ?? []) void callback(message);
  }

  finishWaitingStarts(): void {
    for (const open of this.gates.splice(0)) open();
  }

  private record(operation: string, context: ConsumerContext, args: unknown[]) {
    if (!this.tokens.has(context.identity)) throw new UnauthorizedError("Unknown token.");
    this.calls.push({ operation, args });
  }

  private subscribe(context: ConsumerContext, key: string, callback: NotificationCallback): Subscription {
    if (!this.tokens.has(context.identity)) throw new UnauthorizedError("Unknown token.");
    if (key.includes("forbidden")) throw new ForbiddenError(`No access to ${key}.`);
    const set = this.subscribers.get(key) ?? new Set();
    this.subscribers.set(key, set);
    set.add(callback);
    return { channel: key, unsubscribe: async () => void set.delete(callback) };
  }

  async getProcessModels(context: ConsumerContext) {
    this.record("getProcessModels", context, []);
    return { processModels: [{ key: "Order", startEvents: [{ key: "Start", data: {} }], endEvents: [] }] };
  }
  async getProcessModelByKey(context: ConsumerContext, key: string) {
    this.record("getProcessModelByKey", context, [key]);
    if (key === "boom") throw new Error("secret internals");
    if (key === "down") {
      // As client-internal answers a failure of its store.
      throw internalError(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    }
    // As client-internal ends a wait when it closes: a 500 whose detail is all there is to say.
    if (key === "closed")
      throw new InternalServerError("The ConsumerApi was closed while waiting for the instance.");
    if (key !== "Order") throw new NotFoundError(`No process model ${key}.`);
    return { key, startEvents: [], endEvents: [] };
  }
  async startProcessInstance(context: ConsumerContext, ...args: unknown[]) {
    this.record("startProcessInstance", context, args);
    if (args[3] === 2) {
      this.startsWaiting++;
      // Like client-internal, the wait ends when the caller's signal says it left: a 500 whose cause is the
      // signal's reason (an AbortError), as client-internal wraps what its engine's wait rejects with.
      try {
        await new Promise<void>((resolve, reject) => {
          this.gates.push(resolve);
          context.signal?.addEventListener("abort", () => reject(internalError(context.signal?.reason)), {
            once: true,
          });
        });
      } finally {
        this.startsWaiting--;
      }
      return { correlationId: "c-1", processInstanceId: "i-1", endEventKey: "End", tokenPayload: { ok: 1 } };
    }
    return { correlationId: "c-1", processInstanceId: "i-1" };
  }
  async getEventsForCorrelation(context: ConsumerContext, correlationId: string) {
    this.record("getEventsForCorrelation", context, [correlationId]);
    return { events: [] };
  }
  async getEventsForProcessModelInCorrelation(context: ConsumerContext, ...args: unknown[]) {
    this.record("getEventsForProcessModelInCorrelation", context, given(args));
    return { events: [] };
  }
  async triggerEvent(context: ConsumerContext, ...args: unknown[]) {
    this.record("triggerEvent", context, args);
  }
  async getUserTasksForCorrelation(context: ConsumerContext, correlationId: string) {
    this.record("getUserTasksForCorrelation", context, [correlationId]);
    return { userTasks: [] };
  }
  async getUserTasksForProcessModel(context: ConsumerContext, key: string) {
    this.record("getUserTasksForProcessModel", context, [key]);
    return { userTasks: [] };
  }
  async getUserTasksForProcessModelInCorrelation(context: ConsumerContext, ...args: unknown[]) {
    this.record("getUserTasksForProcessModelInCorrelation", context, given(args));
    return { userTasks: [] };
  }
  async finishUserTask(context: ConsumerContext, ...args: unknown[]) {
    this.record("finishUserTask", context, args);
  }
  async getProcessResultForCorrelation(context: ConsumerContext, ...args: string[]) {
    this.record("getProcessResultForCorrelation", context, args);
    return {
      correlationId: args[1] as string,
      processModelKey: args[0] as string,
      processInstanceId: "i-1",
      endEventKey: "End",
      result: null,
    };
  }
  async getWaitingUserTasksByIdentity(context: ConsumerContext, ...args: unknown[]) {
    this.record("getWaitingUserTasksByIdentity", context, given(args));
    return { userTasks: [], totalCount: 0 };
  }
  async getUserTasksForProcessInstance(context: ConsumerContext, ...args: unknown[]) {
    this.record("getUserTasksForProcessInstance", context, given(args));
    return { userTasks: [], totalCount: 0 };
  }
  async getProcessModelByProcessInstanceId(context: ConsumerContext, id: string) {
    this.record("getProcessModelByProcessInstanceId", context, [id]);
    return { key: "Order", startEvents: [], endEvents: [] };
  }
  async getProcessInstancesByIdentity(context: ConsumerContext, ...args: unknown[]) {
    this.record("getProcessInstancesByIdentity", context, given(args));
    return { processInstances: [], totalCount: 0 };
  }
  async getEventsForProcessModel(context: ConsumerContext, ...args: unknown[]) {
    this.record("getEventsForProcessModel", context, given(args));
    return { events: [], totalCount: 0 };
  }
  async triggerMessageEvent(context: ConsumerContext, ...args: unknown[]) {
    this.record("triggerMessageEvent", context, given(args));
  }
  async triggerSignalEvent(context: ConsumerContext, ...args: unknown[]) {
    this.record("triggerSignalEvent", context, given(args));
  }
  async getApplicationInfo(context: ConsumerContext) {
    this.record("getApplicationInfo", context, []);
    return { name: "scripted", version: "0", store: "memory", clustered: false, capabilities: [] };
  }
  async fetchAndLockExternalTasks(context: ConsumerContext, ...args: unknown[]) {
    this.record("fetchAndLockExternalTasks", context, args);
    return { externalTasks: [] };
  }
  async extendLock(context: ConsumerContext, ...args: unknown[]) {
    this.record("extendLock", context, args);
  }
  async finishExternalTask(context: ConsumerContext, ...args: unknown[]) {
    this.record("finishExternalTask", context, args);
  }
  async handleBpmnError(context: ConsumerContext, ...args: unknown[]) {
    this.record("handleBpmnError", context, args);
  }
  async handleServiceError(context: ConsumerContext, ...args: unknown[]) {
    this.record("handleServiceError", context, args);
  }
  async onBpmnEvent(context: ConsumerContext, model: string, event: string, callback: NotificationCallback) {
    return this.subscribe(context, `event:${model}:${event}`, callback);
  }
  async onActivity(
    context: ConsumerContext,
    model: string,
    activity: string,
    callback: NotificationCallback,
  ) {
    return this.subscribe(context, `activity:${model}:${activity}`, callback);
  }
  async onSystemEvent(context: ConsumerContext, model: string, callback: NotificationCallback) {
    return this.subscribe(context, `system:${model}`, callback);
  }
  async onSignal(context: ConsumerContext, signal: string, callback: NotificationCallback) {
    const subscription = this.subscribe(context, `signal:${signal}`, callback);
    // "eager": a message published while the subscribe is still being answered.
    if (signal === "eager") await callback(message("early"));
    return subscription;
  }
  // SPEC §12: keyed by channel kind and scope, e.g. "process_started:" or "process_started:Order".
  #scoped(kind: string) {
    return async (
      context: ConsumerContext,
      callback: NotificationCallback<never>,
      options?: NotificationScopeOptions,
    ) =>
      this.subscribe(
        context,
        `${kind}:${options?.processModelKey ?? ""}`,
        callback as unknown as NotificationCallback,
      );
  }
  onProcessStarted = this.#scoped("process_started");
  onProcessEnded = this.#scoped("process_ended");
  onProcessTerminated = this.#scoped("process_terminated");
  onProcessError = this.#scoped("process_error");
  onUserTaskWaiting = this.#scoped("user_task_waiting");
  onUserTaskFinished = this.#scoped("user_task_finished");
  onBoundaryEventTriggered = this.#scoped("boundary_event_triggered");
  onIntermediateThrowEventTriggered = this.#scoped("intermediate_throw_event_triggered");
  onIntermediateCatchEventReached = this.#scoped("intermediate_catch_event_reached");
  onIntermediateCatchEventFinished = this.#scoped("intermediate_catch_event_finished");
  onUserTaskForIdentityWaiting = this.#scoped("user_task_waiting");
  onUserTaskForIdentityFinished = this.#scoped("user_task_finished");
}

/** The arguments without the trailing optional ones a transport passes as undefined (offset, limit). */
function given(args: unknown[]): unknown[] {
  const rest = [...args];
  while (rest.length > 0 && rest[rest.length - 1] === undefined) rest.pop();
  return rest;
}

export const message = (payload?: unknown): NotificationMessage => ({
  process_model_key: "Order",
  event_key: "Paid",
  correlation_id: "c-1",
  process_instance_id: "i-1",
  payload,
});
