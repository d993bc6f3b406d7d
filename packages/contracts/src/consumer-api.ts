import type { ApplicationInfo } from "./application-info.js";
import type { ConsumerContext } from "./context.js";
import type { CorrelationResult } from "./correlation-result.js";
import type { EventList } from "./event.js";
import type { ExternalTaskList, ExternalTaskTopicName } from "./external-task.js";
import type {
  BoundaryEventNotificationMessage,
  CatchEventNotificationMessage,
  NotificationMessage,
  ProcessErrorNotificationMessage,
  UserTaskNotificationMessage,
} from "./notification-message.js";
import type { ProcessInstanceList } from "./process-instance.js";
import type { ProcessModel, ProcessModelList } from "./process-model.js";
import type {
  ProcessStartRequestPayload,
  ProcessStartResponsePayload,
  StartCallbackType,
} from "./process-start.js";
import type { UserTaskList, UserTaskResult } from "./user-task.js";

export interface Subscription {
  readonly channel: string;
  unsubscribe(): Promise<void>;
}

/** Called once per message; a slow or throwing callback never stalls the engine or other subscribers. */
export type NotificationCallback<M extends NotificationMessage = NotificationMessage> = (
  message: M,
) => void | Promise<void>;

export interface SubscribeOptions {
  /** Only messages of this correlation. */
  correlationId?: string;
}

/**
 * SPEC §12: which instances a notification method listens to. Neither: every model the caller may see;
 * `correlationId` only with `processModelKey` (else 400 naming it).
 */
export interface NotificationScopeOptions {
  /** Only instances of this model (404 when it is no executable model). */
  processModelKey?: string;
  /** Only instances of this correlation, of `processModelKey`. */
  correlationId?: string;
}

/** A SPEC §12 method: `(context, callback, options?)`. */
type ScopedSubscribe<M extends NotificationMessage = NotificationMessage> = (
  context: ConsumerContext,
  callback: NotificationCallback<M>,
  options?: NotificationScopeOptions,
) => Promise<Subscription>;

/**
 * The ConsumerAPI (SPEC §4–§5, Part two). Both bindings implement it and behave identically. Every list
 * operation takes trailing `offset?, limit?` (SPEC §9).
 */
export interface ConsumerApi {
  getProcessModels(context: ConsumerContext, offset?: number, limit?: number): Promise<ProcessModelList>;
  getProcessModelByKey(context: ConsumerContext, processModelKey: string): Promise<ProcessModel>;
  startProcessInstance(
    context: ConsumerContext,
    processModelKey: string,
    startEventKey: string,
    payload?: ProcessStartRequestPayload,
    startCallbackType?: StartCallbackType,
    endEventKey?: string,
  ): Promise<ProcessStartResponsePayload>;

  getEventsForCorrelation(
    context: ConsumerContext,
    correlationId: string,
    offset?: number,
    limit?: number,
  ): Promise<EventList>;
  getEventsForProcessModelInCorrelation(
    context: ConsumerContext,
    processModelKey: string,
    correlationId: string,
    offset?: number,
    limit?: number,
  ): Promise<EventList>;
  triggerEvent(
    context: ConsumerContext,
    processModelKey: string,
    correlationId: string,
    eventId: string,
    payload?: unknown,
  ): Promise<void>;

  getUserTasksForCorrelation(
    context: ConsumerContext,
    correlationId: string,
    offset?: number,
    limit?: number,
  ): Promise<UserTaskList>;
  getUserTasksForProcessModel(
    context: ConsumerContext,
    processModelKey: string,
    offset?: number,
    limit?: number,
  ): Promise<UserTaskList>;
  getUserTasksForProcessModelInCorrelation(
    context: ConsumerContext,
    processModelKey: string,
    correlationId: string,
    offset?: number,
    limit?: number,
  ): Promise<UserTaskList>;
  finishUserTask(
    context: ConsumerContext,
    processModelKey: string,
    correlationId: string,
    userTaskId: string,
    result: UserTaskResult,
  ): Promise<void>;

  getProcessResultForCorrelation(
    context: ConsumerContext,
    processModelKey: string,
    correlationId: string,
  ): Promise<CorrelationResult>;

  // SPEC §10: the caller's own work, and queries by process instance.
  /** Every waiting user task the caller may access under the lane rule, in every model and correlation. */
  getWaitingUserTasksByIdentity(
    context: ConsumerContext,
    offset?: number,
    limit?: number,
  ): Promise<UserTaskList>;
  getUserTasksForProcessInstance(
    context: ConsumerContext,
    processInstanceId: string,
    offset?: number,
    limit?: number,
  ): Promise<UserTaskList>;
  /** The model (filtered as getProcessModels) of the version the instance runs on. */
  getProcessModelByProcessInstanceId(
    context: ConsumerContext,
    processInstanceId: string,
  ): Promise<ProcessModel>;
  /** The instances the caller's user started, any state. */
  getProcessInstancesByIdentity(
    context: ConsumerContext,
    offset?: number,
    limit?: number,
  ): Promise<ProcessInstanceList>;
  getEventsForProcessModel(
    context: ConsumerContext,
    processModelKey: string,
    offset?: number,
    limit?: number,
  ): Promise<EventList>;

  // SPEC §11: triggering by name, a broadcast to whatever the caller may access.
  /** Every waiting message catch event (receive task) named so; with correlationId only in that correlation. */
  triggerMessageEvent(
    context: ConsumerContext,
    messageName: string,
    payload?: unknown,
    correlationId?: string,
  ): Promise<void>;
  /** Every waiting signal catch event named so, in every correlation. */
  triggerSignalEvent(context: ConsumerContext, signalName: string, payload?: unknown): Promise<void>;

  /** SPEC §14: the implementation and the capabilities it fully implements. */
  getApplicationInfo(context: ConsumerContext): Promise<ApplicationInfo>;
  /** SPEC §13: locks up to maxTasks accessible tasks of the topics; long-polls when none is available. */
  fetchAndLockExternalTasks(
    context: ConsumerContext,
    workerId: string,
    topicName: ExternalTaskTopicName,
    maxTasks: number,
    longPollingTimeout: number,
    lockDuration: number,
  ): Promise<ExternalTaskList>;
  extendLock(
    context: ConsumerContext,
    workerId: string,
    externalTaskId: string,
    additionalDuration: number,
  ): Promise<void>;
  finishExternalTask(
    context: ConsumerContext,
    workerId: string,
    externalTaskId: string,
    result: unknown,
  ): Promise<void>;
  handleBpmnError(
    context: ConsumerContext,
    workerId: string,
    externalTaskId: string,
    errorCode: string,
    errorMessage?: string,
  ): Promise<void>;
  handleServiceError(
    context: ConsumerContext,
    workerId: string,
    externalTaskId: string,
    errorMessage: string,
    errorDetails?: unknown,
    errorCode?: string,
  ): Promise<void>;

  onBpmnEvent(
    context: ConsumerContext,
    processModelKey: string,
    eventKey: string,
    callback: NotificationCallback,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  onActivity(
    context: ConsumerContext,
    processModelKey: string,
    activityKey: string,
    callback: NotificationCallback,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  onSystemEvent(
    context: ConsumerContext,
    processModelKey: string,
    callback: NotificationCallback,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  onSignal(
    context: ConsumerContext,
    signalKey: string,
    callback: NotificationCallback,
  ): Promise<Subscription>;

  // SPEC §12: more notifications, each channel unscoped or scoped to a model (and a correlation).
  /** An instance started: `event_key` its start event, `payload` the start token payload. */
  onProcessStarted: ScopedSubscribe;
  /** An instance finished through a none end event: `event_key` that end event, `payload` the result. */
  onProcessEnded: ScopedSubscribe;
  /** An instance ended at a terminate end event: `event_key` that event, `payload` the token payload. */
  onProcessTerminated: ScopedSubscribe;
  /** An instance failed: `event_key` where, `error_message`, `error_code`?; for callers who may access it. */
  onProcessError: ScopedSubscribe<ProcessErrorNotificationMessage>;
  /** A user task began waiting: `user_task_id`, `payload` the token payload. */
  onUserTaskWaiting: ScopedSubscribe<UserTaskNotificationMessage>;
  /** A user task was finished: `user_task_id`, `payload` the result `{ formFields }`. */
  onUserTaskFinished: ScopedSubscribe<UserTaskNotificationMessage>;
  /** A boundary event occurred: `attached_to_key`, `payload` what its path continues with. */
  onBoundaryEventTriggered: ScopedSubscribe<BoundaryEventNotificationMessage>;
  /** An intermediate throw event was passed: `payload` the token payload. */
  onIntermediateThrowEventTriggered: ScopedSubscribe;
  /** A token reached an intermediate catch event: `event_id` when §4.4 lists it, `payload` on arrival. */
  onIntermediateCatchEventReached: ScopedSubscribe<CatchEventNotificationMessage>;
  /** An intermediate catch event occurred: `payload` what the token continues with. */
  onIntermediateCatchEventFinished: ScopedSubscribe;
  /** The caller's user tasks (SPEC §10) as they begin waiting: the unscoped user_task_waiting channel. */
  onUserTaskForIdentityWaiting(
    context: ConsumerContext,
    callback: NotificationCallback<UserTaskNotificationMessage>,
  ): Promise<Subscription>;
  /** The caller's user tasks as they are finished: the unscoped user_task_finished channel. */
  onUserTaskForIdentityFinished(
    context: ConsumerContext,
    callback: NotificationCallback<UserTaskNotificationMessage>,
  ): Promise<Subscription>;
}

/** The SPEC §12 notification methods. */
export const MORE_NOTIFICATION_METHODS = [
  "onProcessStarted",
  "onProcessEnded",
  "onProcessTerminated",
  "onProcessError",
  "onUserTaskWaiting",
  "onUserTaskFinished",
  "onBoundaryEventTriggered",
  "onIntermediateThrowEventTriggered",
  "onIntermediateCatchEventReached",
  "onIntermediateCatchEventFinished",
  "onUserTaskForIdentityWaiting",
  "onUserTaskForIdentityFinished",
] as const;

/** Every method that subscribes to a channel (SPEC §5, §12). */
export type NotificationMethodName =
  | "onBpmnEvent"
  | "onActivity"
  | "onSystemEvent"
  | "onSignal"
  | (typeof MORE_NOTIFICATION_METHODS)[number];

/** The request/response operations of the ConsumerApi (everything but the notification methods). */
export type OperationName = Exclude<keyof ConsumerApi, NotificationMethodName>;

/** A method's parameters after the context. */
export type OperationArgs<K extends keyof ConsumerApi> =
  Parameters<ConsumerApi[K]> extends [ConsumerContext, ...infer Rest] ? Rest : never;
