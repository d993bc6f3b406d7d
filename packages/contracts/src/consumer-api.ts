import type { ApplicationInfo } from "./application-info.js";
import type { ConsumerContext } from "./context.js";
import type { CorrelationResult } from "./correlation-result.js";
import type { EventList } from "./event.js";
import type { ExternalTaskList, ExternalTaskTopicName } from "./external-task.js";
import type { NotificationMessage } from "./notification-message.js";
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
export type NotificationCallback = (message: NotificationMessage) => void | Promise<void>;

export interface SubscribeOptions {
  /** Only messages of this correlation. */
  correlationId?: string;
}

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
}

/** The request/response operations of the ConsumerApi (everything but the notification methods). */
export type OperationName = Exclude<
  keyof ConsumerApi,
  "onBpmnEvent" | "onActivity" | "onSystemEvent" | "onSignal"
>;

/** A method's parameters after the context. */
export type OperationArgs<K extends keyof ConsumerApi> =
  Parameters<ConsumerApi[K]> extends [ConsumerContext, ...infer Rest] ? Rest : never;
