import type { z } from "zod";
import { ApplicationInfo } from "./application-info.js";
import { ConsumerContext } from "./context.js";
import { CorrelationResult } from "./correlation-result.js";
import { Event, EventData, EventList, EventTriggerPayload, EventType } from "./event.js";
import {
  ExtendLockRequest,
  ExternalTask,
  ExternalTaskList,
  ExternalTaskTopicName,
  FetchAndLockRequest,
  FinishExternalTaskRequest,
  HandleBpmnErrorRequest,
  HandleServiceErrorRequest,
} from "./external-task.js";
import {
  BoundaryEventNotificationMessage,
  CatchEventNotificationMessage,
  NotificationMessage,
  ProcessErrorNotificationMessage,
  UserTaskNotificationMessage,
} from "./notification-message.js";
import { ProblemDetails } from "./problem-details.js";
import { ProcessInstance, ProcessInstanceList, ProcessInstanceState } from "./process-instance.js";
import { EndEventEntry, ProcessModel, ProcessModelList, StartEventEntry } from "./process-model.js";
import {
  ProcessStartRequestPayload,
  ProcessStartResponsePayload,
  StartCallbackTypeSchema,
} from "./process-start.js";
import {
  UserTask,
  UserTaskData,
  UserTaskEnumValue,
  UserTaskFormField,
  UserTaskFormFieldType,
  UserTaskList,
  UserTaskResult,
} from "./user-task.js";
import {
  AuthenticateFrame,
  ClientFrame,
  ErrorFrame,
  NotificationFrame,
  ServerFrame,
  SubscribedFrame,
  SubscribeFrame,
  UnsubscribeFrame,
} from "./ws-frames.js";

/**
 * Every named type of the contract, by the name other languages see. The JSON Schema files, the OpenAPI
 * components and the AsyncAPI messages are generated from this table.
 */
export const namedTypes = {
  ConsumerContext,
  StartEventEntry,
  EndEventEntry,
  ProcessModel,
  ProcessModelList,
  StartCallbackType: StartCallbackTypeSchema,
  ProcessStartRequestPayload,
  ProcessStartResponsePayload,
  EventType,
  EventData,
  Event,
  EventList,
  EventTriggerPayload,
  UserTaskFormFieldType,
  UserTaskEnumValue,
  UserTaskFormField,
  UserTaskData,
  UserTask,
  UserTaskList,
  UserTaskResult,
  ProcessInstanceState,
  ProcessInstance,
  ProcessInstanceList,
  CorrelationResult,
  ApplicationInfo,
  NotificationMessage,
  UserTaskNotificationMessage,
  BoundaryEventNotificationMessage,
  CatchEventNotificationMessage,
  ProcessErrorNotificationMessage,
  AuthenticateFrame,
  SubscribeFrame,
  UnsubscribeFrame,
  ClientFrame,
  SubscribedFrame,
  NotificationFrame,
  ErrorFrame,
  ServerFrame,
  ProblemDetails,
  ExternalTaskTopicName,
  FetchAndLockRequest,
  ExternalTask,
  ExternalTaskList,
  ExtendLockRequest,
  FinishExternalTaskRequest,
  HandleBpmnErrorRequest,
  HandleServiceErrorRequest,
} satisfies Record<string, z.ZodType>;

export type NamedTypeName = keyof typeof namedTypes;
