import { createRequire } from "node:module";
import {
  type ApplicationInfo,
  assertPlainJson,
  BadRequestError,
  buildChannel,
  CAPABILITIES,
  type Capability,
  type ChannelKind,
  ConflictError,
  type ConsumerApi,
  ConsumerApiError,
  type ConsumerContext,
  type CorrelationResult,
  channels,
  createExternalTaskWorker,
  type EventList,
  ExtendLockRequest,
  type ExternalTaskList,
  type ExternalTaskWorker,
  type ExternalTaskWorkerOptions,
  FetchAndLockRequest,
  FinishExternalTaskRequest,
  ForbiddenError,
  HandleBpmnErrorRequest,
  HandleServiceErrorRequest,
  InternalServerError,
  type MoreChannelKind,
  NotFoundError,
  type NotificationCallback,
  type NotificationScopeOptions,
  type OperationName,
  type ProcessInstanceList,
  type ProcessModel,
  type ProcessModelList,
  ProcessStartRequestPayload,
  type ProcessStartResponsePayload,
  parseOrBadRequest,
  routes,
  StartCallbackType,
  StartCallbackTypeSchema,
  type Subscription,
  UnauthorizedError,
  type UserTaskList,
  UserTaskResult,
} from "@consumer-api/contracts";
import {
  type Engine,
  EngineError,
  type FlowNodeInfo,
  type InstanceRecord,
  type LaneName,
  type PageRequest,
  type ProcessModelInfo,
  type WaitQuery,
} from "@consumer-api/engine";
import { toEvent, toExternalTask, toProcessInstance, toProcessModel, toUserTask } from "./dto-mapping.js";
import { validateFormValues } from "./form-validation.js";
import type { Identity, IdentityProvider } from "./identity.js";
import {
  pageOf,
  parseScopeOptions,
  parseSubscribeOptions,
  requireCallback,
  requireKey,
  requirePage,
  snapshotJson,
} from "./input-validation.js";
import { canAccess } from "./lanes.js";
import { type Subscriber, SubscriptionIndex } from "./notifications.js";

export interface InternalConsumerApi extends ConsumerApi {
  /** Resolves the context's token or throws UnauthorizedError. Transports call it before decoding anything else. */
  authenticate(context: ConsumerContext): Promise<Identity>;
  /** An external-task worker over this binding (SPEC §13): subscribe handlers to topics. */
  createExternalTaskWorker(options: ExternalTaskWorkerOptions): ExternalTaskWorker;
  /** Releases every subscription, and the engine when this object opened it. Idempotent. */
  close(): Promise<void>;
}

export interface InternalConsumerApiOptions {
  engine: Engine;
  identities: IdentityProvider;
  /**
   * The capabilities to offer (SPEC §14), of those this binding implements (IMPLEMENTED_CAPABILITIES, the
   * default). An unlisted capability's operations answer 404, its channels 400, as on a server without it.
   */
  capabilities?: readonly Capability[];
  /** getApplicationInfo's name and version: the program's package. Default this package's. */
  application?: { name: string; version: string };
  /** Close the engine in close(). Default false: whoever opened the engine closes it. */
  ownsEngine?: boolean;
}

/** What this binding fully implements (SPEC §14): all but what it lacks; offered unless `capabilities` narrows it. */
const NOT_IMPLEMENTED: readonly Capability[] = [];
export const IMPLEMENTED_CAPABILITIES: readonly Capability[] = CAPABILITIES.filter(
  (name) => !NOT_IMPLEMENTED.includes(name),
);

const OWN_PACKAGE = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

/** The engine's "no such thing" codes; a model reloaded between our check and the engine's is still a 404. */
const NOT_FOUND_CODES = new Set(["unknown_model", "not_executable", "unknown_start_event", "not_waiting"]);

/**
 * Every error leaving the API is one of the contract's classes; an unexpected one becomes a 500 whose detail
 * leaks nothing (the original stays reachable as `cause` for logs).
 */
function toApiError(error: unknown): ConsumerApiError {
  if (error instanceof ConsumerApiError) return error;
  if (error instanceof EngineError && NOT_FOUND_CODES.has(error.code))
    return new NotFoundError(error.message);
  if (error instanceof EngineError && error.code === "locked") return new ConflictError(error.message);
  const wrapped = new InternalServerError();
  Object.defineProperty(wrapped, "cause", { value: error, enumerable: false });
  return wrapped;
}

/** Runs an operation so that whatever it throws is a contract error. */
async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toApiError(error);
  }
}

/** Whether the instance ended through an end event (a terminate end event counts; an error end event does not). */
function endedThroughEndEvent(instance: InstanceRecord): boolean {
  return (
    instance.endEventKey !== undefined && (instance.state === "finished" || instance.state === "terminated")
  );
}

/** The ConsumerApi (SPEC §4–§5) over an embedded engine: authentication, validation, the lane rule, DTOs. */
export function createInternalConsumerApi(options: InternalConsumerApiOptions): InternalConsumerApi {
  const { engine, identities, ownsEngine = false } = options;
  const offered = new Set<Capability>(
    (options.capabilities ?? IMPLEMENTED_CAPABILITIES).filter((name) =>
      IMPLEMENTED_CAPABILITIES.includes(name),
    ),
  );
  const application = options.application ?? OWN_PACKAGE;

  /** The route table's capability of an operation: 404 when it is not offered, as for an unknown route. */
  function requireCapability(operation: OperationName): void {
    const capability = routes[operation].capability;
    if (capability !== undefined && !offered.has(capability)) {
      throw new NotFoundError(`This server does not offer ${capability} (SPEC §14).`);
    }
  }

  const subscriptions = new SubscriptionIndex();
  // Listening only while someone subscribes: on a cluster, an engine nothing listens to is spared the
  // other nodes' news (and they are spared poking it).
  let stopListening: (() => void) | undefined;

  /** Rejections of callback-2/3 waits still pending, so that close() does not leave callers hanging. */
  const pendingWaits = new Set<(error: Error) => void>();
  let closing: Promise<void> | undefined;

  async function authenticate(context: ConsumerContext): Promise<Identity> {
    const token = (context as { identity?: unknown } | null | undefined)?.identity;
    if (typeof token !== "string" || token.length === 0) throw new UnauthorizedError();
    let identity: Identity | undefined;
    try {
      identity = await identities.resolve(token);
    } catch {
      identity = undefined;
    }
    if (identity === undefined) throw new UnauthorizedError();
    return identity;
  }

  /** Long polls still waiting, so that close() ends them. */
  const pendingPolls = new Set<AbortController>();

  /** A waiting external task the caller may act on: 404 unknown or no longer waiting, 403 in another lane. */
  async function actionableExternalTask(identity: Identity, externalTaskId: string): Promise<void> {
    const task = await engine.getExternalTask(externalTaskId);
    if (task === undefined) throw new NotFoundError(`No waiting external task "${externalTaskId}".`);
    if (!canAccess(identity, task.lane)) {
      throw new ForbiddenError(`No access to external task "${externalTaskId}" ("${task.key}").`);
    }
  }

  const accessibleTo = (identity: Identity) => (node: FlowNodeInfo) => canAccess(identity, node.lane);

  /** An executable model by key, else 404. */
  function executableModel(processModelKey: string): ProcessModelInfo {
    const model = engine.models.get(processModelKey);
    if (model === undefined || !model.executable) {
      throw new NotFoundError(`Process model "${processModelKey}" not found.`);
    }
    return model;
  }

  /** A start event of the model that is not a none start event (it starts instances by name or by time). */
  function isEventStart(model: ProcessModelInfo, key: string): boolean {
    return (
      model.flowNodes.get(key)?.type === "StartEvent" && !model.startEvents.some((node) => node.key === key)
    );
  }

  /** An executable model (else 404) with a start event the caller may access (else 403). */
  function startableModel(identity: Identity, processModelKey: string): ProcessModelInfo {
    const model = executableModel(processModelKey);
    if (!model.startEvents.some(accessibleTo(identity))) {
      throw new ForbiddenError(`No access to process model "${processModelKey}".`);
    }
    return model;
  }

  async function requireInstance(processInstanceId: string): Promise<string> {
    if ((await engine.getInstance(processInstanceId)) === undefined) {
      throw new NotFoundError(`Process instance "${processInstanceId}" not found.`);
    }
    return processInstanceId;
  }

  async function requireCorrelation(correlationId: string): Promise<void> {
    if (!(await engine.hasCorrelation(correlationId))) {
      throw new NotFoundError(`Correlation "${correlationId}" not found.`);
    }
  }

  /** 404 unless the correlation exists, the model exists and the model has (had) an instance in it. */
  async function requireModelInCorrelation(processModelKey: string, correlationId: string): Promise<void> {
    await requireCorrelation(correlationId);
    executableModel(processModelKey);
    if (!(await engine.correlationModels(correlationId)).includes(processModelKey)) {
      throw new NotFoundError(
        `Process model "${processModelKey}" has no instance in correlation "${correlationId}".`,
      );
    }
  }

  /**
   * SPEC §11: reaching nothing is no error, and what the caller may not access is skipped silently (a 403
   * would reveal it). The lane rule goes to the engine as a predicate.
   */
  async function triggerByName(
    identity: Identity,
    eventType: "message" | "signal",
    name: string,
    payload: unknown,
    correlationId: string | undefined,
  ): Promise<void> {
    await engine.triggerByName({
      eventType,
      name,
      ...(correlationId === undefined ? {} : { correlationId }),
      ...(payload === undefined ? {} : { payload }),
      mayAccess: (lane) => canAccess(identity, lane),
      starterId: identity.userId,
    });
  }

  /** The lane of the end event an instance ended through, from the record, else from the current model. */
  function endEventLane(instance: InstanceRecord): LaneName | undefined {
    if (instance.endEventLane !== undefined) return instance.endEventLane;
    if (instance.endEventKey === undefined) return undefined;
    return engine.models.get(instance.processModelKey)?.flowNodes.get(instance.endEventKey)?.lane;
  }

  /**
   * A page of the waiting events of a query that the caller may access, as DTOs. The lane rule goes to the
   * engine as the caller's claims, so it counts and pages only what the caller may see (SPEC §9).
   */
  const eventsFor = async (identity: Identity, query: WaitQuery, page: PageRequest): Promise<EventList> => {
    const { items, totalCount } = await engine.pageEvents({ ...query, lanes: identity.claims }, page);
    return { events: items.map(toEvent), totalCount };
  };

  /** A page of the waiting user tasks of a query that the caller may access, as DTOs. */
  const userTasksFor = async (
    identity: Identity,
    query: WaitQuery,
    page: PageRequest,
  ): Promise<UserTaskList> => {
    const { items, totalCount } = await engine.pageUserTasks({ ...query, lanes: identity.claims }, page);
    return { userTasks: items.map(toUserTask), totalCount };
  };

  /**
   * Waits for the instance to end without blocking anything; close() rejects the wait, and so does an abort of
   * the caller's `signal` (a transport's client went away), which also drops the engine's waiter.
   */
  function waitForEnd(processInstanceId: string, signal: AbortSignal | undefined): Promise<InstanceRecord> {
    return new Promise<InstanceRecord>((resolve, reject) => {
      const abort = (error: Error) => reject(error);
      pendingWaits.add(abort);
      engine.whenEnded(processInstanceId, signal).then(
        (record) => {
          pendingWaits.delete(abort);
          resolve(record);
        },
        (error: unknown) => {
          pendingWaits.delete(abort);
          reject(error);
        },
      );
    });
  }

  function failureError(identity: Identity, instance: InstanceRecord): InternalServerError {
    const failure = instance.failure;
    if (failure !== undefined && canAccess(identity, failure.lane)) {
      return new InternalServerError(
        `Process instance ${instance.processInstanceId} failed at "${failure.flowNodeKey}" (${failure.kind}): ${failure.message}`,
      );
    }
    return new InternalServerError(`Process instance ${instance.processInstanceId} failed.`);
  }

  async function subscribe(
    identity: Identity,
    subscriber: Omit<Subscriber, "identity">,
    channel: string,
  ): Promise<Subscription> {
    if (closing !== undefined) throw new InternalServerError("The ConsumerApi is closed.");
    requireChannelCapability(subscriber.kind, channel);
    const remove = subscriptions.add({ ...subscriber, identity });
    stopListening ??= engine.on((event) => subscriptions.dispatch(event));
    // From here on, steps on every node reach it.
    await engine.listening();
    return {
      channel,
      async unsubscribe() {
        remove();
        if (!subscriptions.isEmpty) return;
        stopListening?.();
        stopListening = undefined;
      },
    };
  }

  /** SPEC §14: a channel of a capability not offered is answered like an unknown channel (§5.1's 400). */
  function requireChannelCapability(kind: ChannelKind, channel: string): void {
    for (const capability of new Set(["notifications", channels[kind].capability] as const)) {
      if (!offered.has(capability)) {
        throw new BadRequestError(`channel: "${channel}" is not offered here (no ${capability}, SPEC §14).`);
      }
    }
  }

  /**
   * A SPEC §12 method: every model the caller may see, one model (404 unknown) or a correlation of it; the
   * lane rule is applied per message, to the flow node it is about.
   */
  const scopedSubscription =
    (kind: MoreChannelKind) =>
    (context: ConsumerContext, callback: unknown, options?: NotificationScopeOptions) =>
      guarded(async () => {
        const identity = await authenticate(context);
        requireCallback(callback);
        const scope = parseScopeOptions(options);
        const channel = buildChannel(kind, scope);
        requireChannelCapability(kind, channel);
        if (scope.processModelKey !== undefined) executableModel(scope.processModelKey);
        return subscribe(
          identity,
          {
            kind,
            processModelKey: scope.processModelKey,
            key: "",
            correlationId: scope.correlationId,
            callback: callback as NotificationCallback,
          },
          channel,
        );
      });

  /** 404 unknown model or element, 403 element in a lane the caller may not access. */
  function subscribableNode(
    identity: Identity,
    processModelKey: string,
    key: string,
    what: "event" | "activity",
  ): void {
    const model = executableModel(processModelKey);
    const node = model.flowNodes.get(key);
    if (node === undefined || kindOfNode(node) !== what) {
      throw new NotFoundError(`Process model "${processModelKey}" has no ${what} "${key}".`);
    }
    if (!canAccess(identity, node.lane)) {
      // The detail names no element the caller may not access (not even the one it asked for).
      throw new ForbiddenError(`No access to this ${what} of process model "${processModelKey}".`);
    }
  }

  const api: InternalConsumerApi = {
    authenticate: (context) => guarded(() => authenticate(context)),

    getProcessModels: (context, offset, limit) =>
      guarded(async (): Promise<ProcessModelList> => {
        const identity = await authenticate(context);
        const page = requirePage(offset, limit);
        const accessible = accessibleTo(identity);
        const startable: ProcessModelInfo[] = [];
        for (const model of engine.models.values()) {
          if (model.executable && model.startEvents.some(accessible)) startable.push(model);
        }
        // SPEC §9: by key in UTF-16 code unit order, which is what < on strings compares.
        startable.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const processModels: ProcessModel[] = pageOf(startable, page).map((model) =>
          toProcessModel(model, accessible),
        );
        return { processModels, totalCount: startable.length };
      }),

    getProcessModelByKey: (context, processModelKey) =>
      guarded(async () => {
        const identity = await authenticate(context);
        const key = requireKey(processModelKey, "processModelKey");
        return toProcessModel(startableModel(identity, key), accessibleTo(identity));
      }),

    startProcessInstance: (
      context,
      processModelKey,
      startEventKey,
      payloadAtCall,
      startCallbackType,
      endEventKey,
    ) => {
      const payload = snapshotJson(payloadAtCall);
      return guarded(async (): Promise<ProcessStartResponsePayload> => {
        const identity = await authenticate(context);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const startKey = requireKey(startEventKey, "startEventKey");
        if (payload !== undefined) assertPlainJson(payload, "payload");
        const body =
          payload === undefined ? {} : parseOrBadRequest(ProcessStartRequestPayload, payload, "payload");
        // The same key rule as for the correlationId of every other operation.
        if (body.correlationId !== undefined) requireKey(body.correlationId, "payload.correlationId");
        const callbackType =
          startCallbackType === undefined
            ? StartCallbackType.CallbackOnProcessInstanceCreated
            : parseOrBadRequest(StartCallbackTypeSchema, startCallbackType, "startCallbackType");
        const awaitedEndKey =
          callbackType === StartCallbackType.CallbackOnEndEventReached
            ? requireKey(endEventKey, "endEventKey")
            : undefined;

        // SPEC §11: message, signal and timer start events start no instance here, whoever asks.
        if (isEventStart(executableModel(modelKey), startKey)) {
          throw new NotFoundError(
            `Process model "${modelKey}" has no start event "${startKey}" that a caller starts.`,
          );
        }
        const model = startableModel(identity, modelKey);
        const accessible = accessibleTo(identity);
        const startEvent = model.startEvents.find((node) => node.key === startKey);
        if (startEvent === undefined) {
          throw new NotFoundError(`Process model "${modelKey}" has no start event "${startKey}".`);
        }
        if (!accessible(startEvent)) throw new ForbiddenError("No access to this start event.");
        if (awaitedEndKey !== undefined) {
          const endEvent = model.endEvents.find((node) => node.key === awaitedEndKey);
          if (endEvent === undefined) {
            throw new NotFoundError(`Process model "${modelKey}" has no end event "${awaitedEndKey}".`);
          }
          if (!accessible(endEvent)) throw new ForbiddenError("No access to the awaited end event.");
        }

        const { instance: started } = await engine.start({
          processModelKey: modelKey,
          startEventKey: startKey,
          starterId: identity.userId,
          ...(body.correlationId === undefined ? {} : { correlationId: body.correlationId }),
          ...(body.callerId === undefined ? {} : { callerId: body.callerId }),
          ...(body.inputValues === undefined ? {} : { inputValues: body.inputValues }),
        });
        const answer = { correlationId: started.correlationId, processInstanceId: started.processInstanceId };
        if (callbackType === StartCallbackType.CallbackOnProcessInstanceCreated) return answer;

        const ended =
          started.state === "running" ? await waitForEnd(started.processInstanceId, context.signal) : started;
        if (!endedThroughEndEvent(ended)) throw failureError(identity, ended);
        const endVisible = canAccess(identity, endEventLane(ended));
        if (awaitedEndKey !== undefined && ended.endEventKey !== awaitedEndKey) {
          throw new ConflictError(
            endVisible
              ? `Process instance ${ended.processInstanceId} finished through end event "${ended.endEventKey}", not "${awaitedEndKey}".`
              : `Process instance ${ended.processInstanceId} finished through another end event than "${awaitedEndKey}".`,
          );
        }
        if (!endVisible) return answer;
        return { ...answer, endEventKey: ended.endEventKey, tokenPayload: ended.result ?? null };
      });
    },

    getEventsForCorrelation: (context, correlationId, offset, limit) =>
      guarded(async (): Promise<EventList> => {
        const identity = await authenticate(context);
        const page = requirePage(offset, limit);
        const correlation = requireKey(correlationId, "correlationId");
        await requireCorrelation(correlation);
        return eventsFor(identity, { correlationId: correlation }, page);
      }),

    getEventsForProcessModelInCorrelation: (context, processModelKey, correlationId, offset, limit) =>
      guarded(async (): Promise<EventList> => {
        const identity = await authenticate(context);
        const page = requirePage(offset, limit);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const correlation = requireKey(correlationId, "correlationId");
        await requireModelInCorrelation(modelKey, correlation);
        return eventsFor(identity, { correlationId: correlation, processModelKey: modelKey }, page);
      }),

    triggerEvent: (context, processModelKey, correlationId, eventId, payloadAtCall) => {
      const payload = snapshotJson(payloadAtCall);
      return guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const correlation = requireKey(correlationId, "correlationId");
        const id = requireKey(eventId, "eventId");
        if (payload !== undefined) assertPlainJson(payload, "payload");
        executableModel(modelKey);
        await requireCorrelation(correlation);
        const event = await engine.getEvent(id);
        if (
          event === undefined ||
          event.processModelKey !== modelKey ||
          event.correlationId !== correlation
        ) {
          throw new NotFoundError(
            `No waiting event "${id}" in process model "${modelKey}", correlation "${correlation}".`,
          );
        }
        if (!canAccess(identity, event.lane)) throw new ForbiddenError("No access to this event.");
        await (payload === undefined ? engine.triggerEvent(id) : engine.triggerEvent(id, payload));
      });
    },

    getUserTasksForCorrelation: (context, correlationId, offset, limit) =>
      guarded(async (): Promise<UserTaskList> => {
        const identity = await authenticate(context);
        const page = requirePage(offset, limit);
        const correlation = requireKey(correlationId, "correlationId");
        await requireCorrelation(correlation);
        return userTasksFor(identity, { correlationId: correlation }, page);
      }),

    getUserTasksForProcessModel: (context, processModelKey, offset, limit) =>
      guarded(async (): Promise<UserTaskList> => {
        const identity = await authenticate(context);
        const page = requirePage(offset, limit);
        const modelKey = requireKey(processModelKey, "processModelKey");
        executableModel(modelKey);
        return userTasksFor(identity, { processModelKey: modelKey }, page);
      }),

    getUserTasksForProcessModelInCorrelation: (context, processModelKey, correlationId, offset, limit) =>
      guarded(async (): Promise<UserTaskList> => {
        const identity = await authenticate(context);
        const page = requirePage(offset, limit);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const correlation = requireKey(correlationId, "correlationId");
        await requireModelInCorrelation(modelKey, correlation);
        return userTasksFor(identity, { correlationId: correlation, processModelKey: modelKey }, page);
      }),

    finishUserTask: (context, processModelKey, correlationId, userTaskId, resultAtCall) => {
      const result = snapshotJson(resultAtCall);
      return guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const correlation = requireKey(correlationId, "correlationId");
        const id = requireKey(userTaskId, "userTaskId");
        assertPlainJson(result, "result");
        const values = parseOrBadRequest(UserTaskResult, result, "result");
        executableModel(modelKey);
        await requireCorrelation(correlation);
        // Checked inside the step, on the task as it takes it: no read of its own, and no race with it.
        await engine.finishUserTask(id, { formFields: values.formFields }, (task) => {
          if (task === undefined || task.processModelKey !== modelKey || task.correlationId !== correlation) {
            throw new NotFoundError(
              `No waiting user task "${id}" in process model "${modelKey}", correlation "${correlation}".`,
            );
          }
          if (!canAccess(identity, task.lane)) throw new ForbiddenError("No access to this user task.");
          validateFormValues(task.formFields, values.formFields);
        });
      });
    },

    getProcessResultForCorrelation: (context, processModelKey, correlationId) =>
      guarded(async (): Promise<CorrelationResult> => {
        const identity = await authenticate(context);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const correlation = requireKey(correlationId, "correlationId");
        // A finished instance of the model in the correlation shows both exist: the checks for the 404s
        // only run when there is none (a query less per result, a round trip on PostgreSQL).
        const instance = await engine.latestFinished(correlation, modelKey);
        if (instance === undefined) {
          await requireCorrelation(correlation);
          if (!(await engine.correlationModels(correlation)).includes(modelKey)) {
            throw new NotFoundError(
              `Process model "${modelKey}" has no instance in correlation "${correlation}".`,
            );
          }
        }
        if (instance === undefined || instance.endEventKey === undefined) {
          throw new ConflictError(
            `No instance of process model "${modelKey}" in correlation "${correlation}" has finished yet.`,
          );
        }
        if (!canAccess(identity, endEventLane(instance))) {
          throw new ForbiddenError("No access to the end event the instance finished through.");
        }
        return {
          correlationId: correlation,
          processModelKey: modelKey,
          processInstanceId: instance.processInstanceId,
          endEventKey: instance.endEventKey,
          result: instance.result ?? null,
        };
      }),

    getWaitingUserTasksByIdentity: (context, offset, limit) =>
      guarded(async (): Promise<UserTaskList> => {
        const identity = await authenticate(context);
        requireCapability("getWaitingUserTasksByIdentity");
        return userTasksFor(identity, {}, requirePage(offset, limit));
      }),

    getUserTasksForProcessInstance: (context, processInstanceId, offset, limit) =>
      guarded(async (): Promise<UserTaskList> => {
        const identity = await authenticate(context);
        requireCapability("getUserTasksForProcessInstance");
        const page = requirePage(offset, limit);
        const id = await requireInstance(requireKey(processInstanceId, "processInstanceId"));
        return userTasksFor(identity, { processInstanceId: id }, page);
      }),

    getProcessModelByProcessInstanceId: (context, processInstanceId) =>
      guarded(async (): Promise<ProcessModel> => {
        const identity = await authenticate(context);
        requireCapability("getProcessModelByProcessInstanceId");
        const id = await requireInstance(requireKey(processInstanceId, "processInstanceId"));
        const model = await engine.modelOfInstance(id);
        if (model === undefined || !model.executable) {
          throw new NotFoundError(`The process model of process instance "${id}" is not available.`);
        }
        // No 403 (SPEC §10): whoever works on an instance's task must learn its model.
        return toProcessModel(model, accessibleTo(identity));
      }),

    getProcessInstancesByIdentity: (context, offset, limit) =>
      guarded(async (): Promise<ProcessInstanceList> => {
        const identity = await authenticate(context);
        requireCapability("getProcessInstancesByIdentity");
        const { items, totalCount } = await engine.pageInstancesByStarter(
          identity.userId,
          requirePage(offset, limit),
        );
        return { processInstances: items.map(toProcessInstance), totalCount };
      }),

    getEventsForProcessModel: (context, processModelKey, offset, limit) =>
      guarded(async (): Promise<EventList> => {
        const identity = await authenticate(context);
        requireCapability("getEventsForProcessModel");
        const page = requirePage(offset, limit);
        const modelKey = requireKey(processModelKey, "processModelKey");
        executableModel(modelKey);
        return eventsFor(identity, { processModelKey: modelKey }, page);
      }),

    triggerMessageEvent: (context, messageName, payloadAtCall, correlationId) => {
      const payload = snapshotJson(payloadAtCall);
      return guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        requireCapability("triggerMessageEvent");
        const name = requireKey(messageName, "messageName");
        const correlation =
          correlationId === undefined ? undefined : requireKey(correlationId, "correlationId");
        if (payload !== undefined) assertPlainJson(payload, "payload");
        await triggerByName(identity, "message", name, payload, correlation);
      });
    },

    triggerSignalEvent: (context, signalName, payloadAtCall) => {
      const payload = snapshotJson(payloadAtCall);
      return guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        requireCapability("triggerSignalEvent");
        const name = requireKey(signalName, "signalName");
        if (payload !== undefined) assertPlainJson(payload, "payload");
        await triggerByName(identity, "signal", name, payload, undefined);
      });
    },

    getApplicationInfo: (context) =>
      guarded(async (): Promise<ApplicationInfo> => {
        await authenticate(context);
        return {
          name: application.name,
          version: application.version,
          store: engine.storeName,
          // SPEC §14: the engine coordinates with others on its store (PostgreSQL).
          clustered: engine.clustered,
          capabilities: CAPABILITIES.filter((name) => offered.has(name)),
        };
      }),
    fetchAndLockExternalTasks: (context, workerId, topicName, maxTasks, longPollingTimeout, lockDuration) =>
      guarded(async (): Promise<ExternalTaskList> => {
        const identity = await authenticate(context);
        requireCapability("fetchAndLockExternalTasks");
        const request = parseOrBadRequest(
          FetchAndLockRequest,
          { workerId, topicName, maxTasks, longPollingTimeout, lockDuration },
          "",
        );
        if (closing !== undefined) throw new InternalServerError("The ConsumerApi is closed.");
        const stop = new AbortController();
        const signal =
          context.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, context.signal]);
        pendingPolls.add(stop);
        try {
          const tasks = await engine.fetchAndLockExternalTasks({
            workerId: request.workerId,
            topics: typeof request.topicName === "string" ? [request.topicName] : request.topicName,
            // SPEC §13 lane rule: a task in a lane is fetchable by the identities claiming that lane.
            lanes: identity.claims,
            maxTasks: request.maxTasks,
            lockDurationMs: request.lockDuration,
            longPollingTimeoutMs: request.longPollingTimeout,
            signal,
          });
          return { externalTasks: tasks.map(toExternalTask) };
        } finally {
          pendingPolls.delete(stop);
        }
      }),

    extendLock: (context, workerId, externalTaskId, additionalDuration) =>
      guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        requireCapability("extendLock");
        const id = requireKey(externalTaskId, "externalTaskId");
        const request = parseOrBadRequest(ExtendLockRequest, { workerId, additionalDuration }, "");
        await actionableExternalTask(identity, id);
        await engine.extendExternalTaskLock(request.workerId, id, request.additionalDuration);
      }),

    finishExternalTask: (context, workerId, externalTaskId, resultAtCall) => {
      const result = snapshotJson(resultAtCall);
      return guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        requireCapability("finishExternalTask");
        const id = requireKey(externalTaskId, "externalTaskId");
        const request = parseOrBadRequest(FinishExternalTaskRequest, { workerId, result }, "");
        assertPlainJson(request.result, "result");
        await actionableExternalTask(identity, id);
        await engine.finishExternalTask(request.workerId, id, request.result);
      });
    },

    handleBpmnError: (context, workerId, externalTaskId, errorCode, errorMessage) =>
      guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        requireCapability("handleBpmnError");
        const id = requireKey(externalTaskId, "externalTaskId");
        const request = parseOrBadRequest(HandleBpmnErrorRequest, { workerId, errorCode, errorMessage }, "");
        await actionableExternalTask(identity, id);
        await engine.handleExternalTaskBpmnError(
          request.workerId,
          id,
          request.errorCode,
          request.errorMessage,
        );
      }),

    handleServiceError: (context, workerId, externalTaskId, errorMessage, errorDetailsAtCall, errorCode) => {
      const errorDetails = snapshotJson(errorDetailsAtCall);
      return guarded(async (): Promise<void> => {
        const identity = await authenticate(context);
        requireCapability("handleServiceError");
        const id = requireKey(externalTaskId, "externalTaskId");
        const request = parseOrBadRequest(
          HandleServiceErrorRequest,
          { workerId, errorMessage, errorDetails, errorCode },
          "",
        );
        if (request.errorDetails !== undefined) assertPlainJson(request.errorDetails, "errorDetails");
        await actionableExternalTask(identity, id);
        await engine.handleExternalTaskServiceError(
          request.workerId,
          id,
          request.errorMessage,
          request.errorDetails,
          request.errorCode,
        );
      });
    },

    createExternalTaskWorker: (workerOptions) => createExternalTaskWorker(api, workerOptions),

    onBpmnEvent: (context, processModelKey, eventKey, callback, options) =>
      guarded(async () => {
        const identity = await authenticate(context);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const key = requireKey(eventKey, "eventKey");
        requireCallback(callback);
        const correlationId = parseSubscribeOptions(options)?.correlationId;
        subscribableNode(identity, modelKey, key, "event");
        return subscribe(
          identity,
          { kind: "bpmnEvent", processModelKey: modelKey, key, correlationId, callback },
          buildChannel("bpmnEvent", { processModelKey: modelKey, eventKey: key, ...scoped(correlationId) }),
        );
      }),

    onActivity: (context, processModelKey, activityKey, callback, options) =>
      guarded(async () => {
        const identity = await authenticate(context);
        const modelKey = requireKey(processModelKey, "processModelKey");
        const key = requireKey(activityKey, "activityKey");
        requireCallback(callback);
        const correlationId = parseSubscribeOptions(options)?.correlationId;
        subscribableNode(identity, modelKey, key, "activity");
        return subscribe(
          identity,
          { kind: "activity", processModelKey: modelKey, key, correlationId, callback },
          buildChannel("activity", { processModelKey: modelKey, activityKey: key, ...scoped(correlationId) }),
        );
      }),

    onSystemEvent: (context, processModelKey, callback, options) =>
      guarded(async () => {
        const identity = await authenticate(context);
        const modelKey = requireKey(processModelKey, "processModelKey");
        requireCallback(callback);
        const correlationId = parseSubscribeOptions(options)?.correlationId;
        executableModel(modelKey);
        return subscribe(
          identity,
          { kind: "systemEvent", processModelKey: modelKey, key: "", correlationId, callback },
          buildChannel("systemEvent", { processModelKey: modelKey, ...scoped(correlationId) }),
        );
      }),

    onSignal: (context, signalKey, callback: NotificationCallback) =>
      guarded(async () => {
        const identity = await authenticate(context);
        const key = requireKey(signalKey, "signalKey");
        requireCallback(callback);
        return subscribe(
          identity,
          { kind: "signal", processModelKey: "", key, correlationId: undefined, callback },
          buildChannel("signal", { signalKey: key }),
        );
      }),

    onProcessStarted: scopedSubscription("processStarted"),
    onProcessEnded: scopedSubscription("processEnded"),
    onProcessTerminated: scopedSubscription("processTerminated"),
    onProcessError: scopedSubscription("processError"),
    onUserTaskWaiting: scopedSubscription("userTaskWaiting"),
    onUserTaskFinished: scopedSubscription("userTaskFinished"),
    onBoundaryEventTriggered: scopedSubscription("boundaryEventTriggered"),
    onIntermediateThrowEventTriggered: scopedSubscription("intermediateThrowEventTriggered"),
    onIntermediateCatchEventReached: scopedSubscription("intermediateCatchEventReached"),
    onIntermediateCatchEventFinished: scopedSubscription("intermediateCatchEventFinished"),
    // SPEC §12: the caller's user tasks are exactly the unscoped channel's (the lane rule, as §10).
    onUserTaskForIdentityWaiting: (context, callback) =>
      scopedSubscription("userTaskWaiting")(context, callback),
    onUserTaskForIdentityFinished: (context, callback) =>
      scopedSubscription("userTaskFinished")(context, callback),

    close() {
      closing ??= (async () => {
        stopListening?.();
        stopListening = undefined;
        subscriptions.clear();
        const closed = new InternalServerError("The ConsumerApi was closed while waiting for the instance.");
        for (const abort of [...pendingWaits]) abort(closed);
        pendingWaits.clear();
        for (const poll of [...pendingPolls]) poll.abort(closed);
        pendingPolls.clear();
        if (ownsEngine) await engine.close();
      })();
      return closing;
    },
  };
  return api;
}

const scoped = (correlationId: string | undefined) => (correlationId === undefined ? {} : { correlationId });

/** Events are what onBpmnEvent watches; every other non-gateway flow node (tasks, sub-processes) is an activity. */
function kindOfNode(node: FlowNodeInfo): "event" | "activity" | "gateway" {
  if (node.type.endsWith("Event")) return "event";
  if (node.type.endsWith("Gateway")) return "gateway";
  return "activity";
}
