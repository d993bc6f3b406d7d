import { z } from "zod";
import { ApplicationInfo, type Capability } from "./application-info.js";
import type { ConsumerApi, OperationArgs, OperationName } from "./consumer-api.js";
import { CorrelationResult } from "./correlation-result.js";
import { EventList, EventTriggerPayload } from "./event.js";
import {
  ExtendLockRequest,
  ExternalTaskList,
  FetchAndLockRequest,
  FinishExternalTaskRequest,
  HandleBpmnErrorRequest,
  HandleServiceErrorRequest,
} from "./external-task.js";
import { ConsumerKey } from "./key.js";
import { PageQuery, pageQuery } from "./pagination.js";
import { ProcessInstanceList } from "./process-instance.js";
import { ProcessModel, ProcessModelList } from "./process-model.js";
import {
  ProcessStartRequestPayload,
  ProcessStartResponsePayload,
  StartCallbackType,
  type StartCallbackType as StartCallbackTypeValue,
} from "./process-start.js";
import { UserTaskList, UserTaskResult } from "./user-task.js";

/** Every HTTP route is relative to this prefix. */
export const API_PREFIX = "/api/consumer/v1";
/** The WebSocket endpoint for notifications (SPEC §5.1), relative to API_PREFIX. */
export const NOTIFICATIONS_PATH = "/notifications";
/** The generated OpenAPI document, relative to API_PREFIX. */
export const OPENAPI_PATH = "/openapi.json";

export type HttpMethod = "GET" | "POST";

const key = (what: string) => ConsumerKey.describe(what);
const processModelKey = key("The id of the bpmn:process.");
const correlationId = key("The correlation's id.");
const processInstanceId = key("The process instance's id.");

// Query schemas are strict: a parameter a route does not define is a 400 naming it (SPEC Part two).
const NoQuery = z.strictObject({});

const StartQuery = z
  .strictObject({
    startCallbackType: z
      .enum(["1", "2", "3"])
      .optional()
      .describe(
        "1 CallbackOnProcessInstanceCreated (default), 2 CallbackOnProcessInstanceFinished, 3 CallbackOnEndEventReached.",
      )
      .transform((v) => (v === undefined ? undefined : (Number(v) as StartCallbackTypeValue))),
    // No min(1) here: SPEC §4.3 ignores end_event_id for 1 and 2, even an empty one; 3 requires it below.
    end_event_id: z
      .string()
      .optional()
      .describe(
        "The end event to wait for; required (non-empty) with startCallbackType=3, ignored otherwise.",
      ),
  })
  .superRefine((query, ctx) => {
    if (query.startCallbackType === StartCallbackType.CallbackOnEndEventReached && !query.end_event_id) {
      ctx.addIssue({
        code: "custom",
        path: ["end_event_id"],
        message: "Required when startCallbackType is 3.",
      });
    }
  });

/** The decoded, validated parts of a request. */
export interface RouteInput<P extends z.ZodObject, Q extends z.ZodType, B extends z.ZodType | undefined> {
  params: z.output<P>;
  query: z.output<Q>;
  body: B extends z.ZodType ? z.output<B> | undefined : undefined;
}

/** The raw parts of a request as a client sends them (query values as strings). */
export interface RouteRequest {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** undefined: no body. */
  body?: unknown;
}

export interface RouteDefinition<
  K extends OperationName,
  P extends z.ZodObject,
  Q extends z.ZodType,
  B extends z.ZodType | undefined,
> {
  operation: K;
  method: HttpMethod;
  /** Template relative to API_PREFIX, with `:param` segments. */
  path: string;
  summary: string;
  params: P;
  query: Q;
  /** Schema of the JSON body; undefined when the route takes none. */
  body: B;
  /**
   * The capability (SPEC §14) the route belongs to; a server that does not list it answers 404. Absent: level
   * 1, always served.
   */
  capability?: Capability;
  /** Whether a body must be present (otherwise an empty body is allowed). */
  bodyRequired: boolean;
  successStatus: 200 | 204;
  /** Schema of the 200 answer; undefined for 204. */
  response: z.ZodType | undefined;
  errorStatuses: readonly number[];
  /** Server side: the method's arguments after the context, from the validated request. */
  toArgs(input: RouteInput<P, Q, B>): OperationArgs<K>;
  /** Client side: the request for the method's arguments after the context. */
  toRequest(...args: OperationArgs<K>): RouteRequest;
}

function route<
  K extends OperationName,
  P extends z.ZodObject,
  Q extends z.ZodType,
  B extends z.ZodType | undefined,
>(definition: RouteDefinition<K, P, Q, B>): RouteDefinition<K, P, Q, B> {
  return definition;
}

/** A read route: GET, no query, no body, 200 with `response`. Its request is its path params alone. */
function read<K extends OperationName, P extends z.ZodObject>(
  definition: Pick<
    RouteDefinition<K, P, typeof NoQuery, undefined>,
    "operation" | "path" | "summary" | "params" | "errorStatuses" | "toArgs" | "capability"
  > & {
    response: z.ZodType;
    toParams(...args: OperationArgs<K>): Record<string, string>;
  },
): RouteDefinition<K, P, typeof NoQuery, undefined> {
  const { toParams, ...rest } = definition;
  return {
    ...rest,
    method: "GET",
    query: NoQuery,
    body: undefined,
    bodyRequired: false,
    successStatus: 200,
    toRequest: (...args) => ({ params: toParams(...args), query: {} }),
  };
}

/** A list route (SPEC §9): GET, no body, 200 with `response`, the page's offset and limit in the query. */
function list<K extends OperationName, P extends z.ZodObject>(
  definition: Pick<
    RouteDefinition<K, P, typeof PageQuery, undefined>,
    "operation" | "path" | "summary" | "params" | "errorStatuses" | "toArgs" | "toRequest" | "capability"
  > & { response: z.ZodType },
): RouteDefinition<K, P, typeof PageQuery, undefined> {
  return {
    ...definition,
    // A malformed offset or limit is a 400 on every list (SPEC §9).
    errorStatuses: [...new Set([400, ...definition.errorStatuses])].sort(),
    method: "GET",
    query: PageQuery,
    body: undefined,
    bodyRequired: false,
    successStatus: 200,
  };
}

const externalTaskParams = z.object({ external_task_id: key("The id of an external task.") });

/** A POST on one external task with a required JSON body, answered 204 (SPEC §13). */
function externalTaskAction<K extends OperationName, B extends z.ZodType>(
  definition: Pick<
    RouteDefinition<K, typeof externalTaskParams, typeof NoQuery, B>,
    "operation" | "summary" | "body"
  > & {
    action: string;
    /** The body's fields as the method's arguments after the external task's id. */
    toArgs(body: z.output<B>, externalTaskId: string): OperationArgs<K>;
    toBody(...args: OperationArgs<K>): unknown;
  },
): RouteDefinition<K, typeof externalTaskParams, typeof NoQuery, B> {
  const { action, toArgs, toBody, ...rest } = definition;
  return {
    ...rest,
    capability: "externalTasks",
    method: "POST",
    path: `/external_tasks/:external_task_id/${action}`,
    params: externalTaskParams,
    query: NoQuery,
    bodyRequired: true,
    successStatus: 204,
    response: undefined,
    errorStatuses: [400, 401, 403, 404, 409],
    // bodyRequired guarantees presence; the server rejects a missing body before toArgs.
    toArgs: ({ params, body }) => toArgs(body as z.output<B>, params.external_task_id),
    toRequest: (...args) => ({
      // Every external-task method takes (workerId, externalTaskId, …).
      params: { external_task_id: args[1] as string },
      query: {},
      body: toBody(...args),
    }),
  };
}

/** The route table: exactly one route per request/response operation of ConsumerApi (SPEC §4). */
export const routes = {
  getProcessModels: list({
    operation: "getProcessModels",
    path: "/process_models",
    summary: "List the process models the caller may start.",
    params: z.object({}),
    response: ProcessModelList,
    errorStatuses: [401, 500],
    toArgs: ({ query }) => [query.offset, query.limit],
    toRequest: (offset, limit) => ({ params: {}, query: pageQuery(offset, limit) }),
  }),
  getProcessModelByKey: read({
    operation: "getProcessModelByKey",
    path: "/process_models/:process_model_key",
    summary: "One process model.",
    params: z.object({ process_model_key: processModelKey }),
    response: ProcessModel,
    errorStatuses: [401, 403, 404],
    toArgs: ({ params }) => [params.process_model_key],
    toParams: (process_model_key) => ({ process_model_key }),
  }),
  startProcessInstance: route({
    operation: "startProcessInstance",
    method: "POST",
    path: "/process_models/:process_model_key/start_events/:start_event_key/start",
    summary:
      "Start a process instance and answer once it was created, finished, or reached a given end event.",
    params: z.object({
      process_model_key: processModelKey,
      start_event_key: key("The id of the bpmn:startEvent."),
    }),
    query: StartQuery,
    body: ProcessStartRequestPayload,
    bodyRequired: false,
    successStatus: 200,
    response: ProcessStartResponsePayload,
    errorStatuses: [400, 401, 403, 404, 409, 500],
    toArgs: ({ params, query, body }) => [
      params.process_model_key,
      params.start_event_key,
      body,
      query.startCallbackType,
      query.end_event_id,
    ],
    toRequest: (process_model_key, start_event_key, payload, startCallbackType, endEventKey) => ({
      params: { process_model_key, start_event_key },
      query: {
        startCallbackType: startCallbackType === undefined ? undefined : String(startCallbackType),
        end_event_id: endEventKey,
      },
      body: payload,
    }),
  }),
  getEventsForCorrelation: list({
    operation: "getEventsForCorrelation",
    path: "/correlations/:correlation_id/events",
    summary: "The message and signal events waiting in a correlation.",
    params: z.object({ correlation_id: correlationId }),
    response: EventList,
    errorStatuses: [401, 404],
    toArgs: ({ params, query }) => [params.correlation_id, query.offset, query.limit],
    toRequest: (correlation_id, offset, limit) => ({
      params: { correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  getEventsForProcessModelInCorrelation: list({
    operation: "getEventsForProcessModelInCorrelation",
    path: "/process_models/:process_model_key/correlations/:correlation_id/events",
    summary: "The message and signal events waiting in a correlation for one process model.",
    params: z.object({ process_model_key: processModelKey, correlation_id: correlationId }),
    response: EventList,
    errorStatuses: [401, 404],
    toArgs: ({ params, query }) => [
      params.process_model_key,
      params.correlation_id,
      query.offset,
      query.limit,
    ],
    toRequest: (process_model_key, correlation_id, offset, limit) => ({
      params: { process_model_key, correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  triggerEvent: route({
    operation: "triggerEvent",
    method: "POST",
    path: "/process_models/:process_model_key/correlations/:correlation_id/events/:event_id/trigger",
    summary: "Trigger a waiting event; the payload, when given, becomes the token payload.",
    params: z.object({
      process_model_key: processModelKey,
      correlation_id: correlationId,
      event_id: key("The eventId of a waiting event."),
    }),
    query: NoQuery,
    body: EventTriggerPayload,
    bodyRequired: false,
    successStatus: 204,
    response: undefined,
    errorStatuses: [400, 401, 403, 404],
    toArgs: ({ params, body }) => [params.process_model_key, params.correlation_id, params.event_id, body],
    toRequest: (process_model_key, correlation_id, event_id, payload) => ({
      params: { process_model_key, correlation_id, event_id },
      query: {},
      body: payload,
    }),
  }),
  getUserTasksForCorrelation: list({
    operation: "getUserTasksForCorrelation",
    path: "/correlations/:correlation_id/user_tasks",
    summary: "The user tasks waiting in a correlation.",
    params: z.object({ correlation_id: correlationId }),
    response: UserTaskList,
    errorStatuses: [401, 404],
    toArgs: ({ params, query }) => [params.correlation_id, query.offset, query.limit],
    toRequest: (correlation_id, offset, limit) => ({
      params: { correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  getUserTasksForProcessModel: list({
    operation: "getUserTasksForProcessModel",
    path: "/process_models/:process_model_key/user_tasks",
    summary: "The user tasks waiting in any instance of a process model.",
    params: z.object({ process_model_key: processModelKey }),
    response: UserTaskList,
    errorStatuses: [401, 404],
    toArgs: ({ params, query }) => [params.process_model_key, query.offset, query.limit],
    toRequest: (process_model_key, offset, limit) => ({
      params: { process_model_key },
      query: pageQuery(offset, limit),
    }),
  }),
  getUserTasksForProcessModelInCorrelation: list({
    operation: "getUserTasksForProcessModelInCorrelation",
    path: "/process_models/:process_model_key/correlations/:correlation_id/user_tasks",
    summary: "The user tasks waiting in a correlation for one process model.",
    params: z.object({ process_model_key: processModelKey, correlation_id: correlationId }),
    response: UserTaskList,
    errorStatuses: [401, 404],
    toArgs: ({ params, query }) => [
      params.process_model_key,
      params.correlation_id,
      query.offset,
      query.limit,
    ],
    toRequest: (process_model_key, correlation_id, offset, limit) => ({
      params: { process_model_key, correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  finishUserTask: route({
    operation: "finishUserTask",
    method: "POST",
    path: "/process_models/:process_model_key/correlations/:correlation_id/user_tasks/:user_task_id/finish",
    summary: "Finish a waiting user task with its form values.",
    params: z.object({
      process_model_key: processModelKey,
      correlation_id: correlationId,
      user_task_id: key("The id of a waiting user task."),
    }),
    query: NoQuery,
    body: UserTaskResult,
    bodyRequired: true,
    successStatus: 204,
    response: undefined,
    errorStatuses: [400, 401, 403, 404, 409],
    toArgs: ({ params, body }) => [
      params.process_model_key,
      params.correlation_id,
      params.user_task_id,
      // bodyRequired guarantees presence; the server rejects a missing body before toArgs.
      body as UserTaskResult,
    ],
    toRequest: (process_model_key, correlation_id, user_task_id, result) => ({
      params: { process_model_key, correlation_id, user_task_id },
      query: {},
      body: result,
    }),
  }),
  getProcessResultForCorrelation: read({
    operation: "getProcessResultForCorrelation",
    path: "/correlations/:correlation_id/process_models/:process_model_key/result",
    summary: "The result of the most recently finished instance of a model in a correlation.",
    params: z.object({ correlation_id: correlationId, process_model_key: processModelKey }),
    response: CorrelationResult,
    errorStatuses: [401, 403, 404, 409],
    toArgs: ({ params }) => [params.process_model_key, params.correlation_id],
    toParams: (process_model_key, correlation_id) => ({ correlation_id, process_model_key }),
  }),
  getWaitingUserTasksByIdentity: list({
    operation: "getWaitingUserTasksByIdentity",
    capability: "instanceQueries",
    path: "/user_tasks/own",
    summary: "Every waiting user task the caller may access, in every model and correlation (SPEC §10).",
    params: z.object({}),
    response: UserTaskList,
    errorStatuses: [400, 401],
    toArgs: ({ query }) => [query.offset, query.limit],
    toRequest: (offset, limit) => ({ params: {}, query: pageQuery(offset, limit) }),
  }),
  getUserTasksForProcessInstance: list({
    operation: "getUserTasksForProcessInstance",
    capability: "instanceQueries",
    path: "/process_instances/:process_instance_id/user_tasks",
    summary: "The waiting user tasks of one process instance that the caller may access (SPEC §10).",
    params: z.object({ process_instance_id: processInstanceId }),
    response: UserTaskList,
    errorStatuses: [400, 401, 404],
    toArgs: ({ params, query }) => [params.process_instance_id, query.offset, query.limit],
    toRequest: (process_instance_id, offset, limit) => ({
      params: { process_instance_id },
      query: pageQuery(offset, limit),
    }),
  }),
  getProcessModelByProcessInstanceId: read({
    operation: "getProcessModelByProcessInstanceId",
    capability: "instanceQueries",
    path: "/process_instances/:process_instance_id/process_model",
    summary: "The process model of the version a process instance runs on (SPEC §10).",
    params: z.object({ process_instance_id: processInstanceId }),
    response: ProcessModel,
    errorStatuses: [401, 404],
    toArgs: ({ params }) => [params.process_instance_id],
    toParams: (process_instance_id) => ({ process_instance_id }),
  }),
  getProcessInstancesByIdentity: list({
    operation: "getProcessInstancesByIdentity",
    capability: "instanceQueries",
    path: "/process_instances/own",
    summary: "The process instances the caller started, in any state (SPEC §10).",
    params: z.object({}),
    response: ProcessInstanceList,
    errorStatuses: [400, 401],
    toArgs: ({ query }) => [query.offset, query.limit],
    toRequest: (offset, limit) => ({ params: {}, query: pageQuery(offset, limit) }),
  }),
  getEventsForProcessModel: list({
    operation: "getEventsForProcessModel",
    capability: "instanceQueries",
    path: "/process_models/:process_model_key/events",
    summary: "The message and signal events waiting in any instance of a process model (SPEC §10).",
    params: z.object({ process_model_key: processModelKey }),
    response: EventList,
    errorStatuses: [400, 401, 404],
    toArgs: ({ params, query }) => [params.process_model_key, query.offset, query.limit],
    toRequest: (process_model_key, offset, limit) => ({
      params: { process_model_key },
      query: pageQuery(offset, limit),
    }),
  }),
  triggerMessageEvent: route({
    operation: "triggerMessageEvent",
    capability: "triggerByName",
    method: "POST",
    path: "/messages/:message_name/trigger",
    summary:
      "Trigger every waiting message event of that name the caller may access, in one correlation or all (SPEC §11).",
    params: z.object({ message_name: key("The bpmn:message's name (its id when it has none).") }),
    query: z.strictObject({
      correlation_id: ConsumerKey.optional().describe("Only what waits in this correlation."),
    }),
    body: EventTriggerPayload,
    bodyRequired: false,
    successStatus: 204,
    response: undefined,
    errorStatuses: [400, 401],
    toArgs: ({ params, query, body }) => [params.message_name, body, query.correlation_id],
    toRequest: (message_name, payload, correlation_id) => ({
      params: { message_name },
      query: { correlation_id },
      body: payload,
    }),
  }),
  triggerSignalEvent: route({
    operation: "triggerSignalEvent",
    capability: "triggerByName",
    method: "POST",
    path: "/signals/:signal_name/trigger",
    summary: "Trigger every waiting signal event of that name the caller may access (SPEC §11).",
    params: z.object({ signal_name: key("The bpmn:signal's name (its id when it has none).") }),
    query: NoQuery,
    body: EventTriggerPayload,
    bodyRequired: false,
    successStatus: 204,
    response: undefined,
    errorStatuses: [400, 401],
    toArgs: ({ params, body }) => [params.signal_name, body],
    toRequest: (signal_name, payload) => ({ params: { signal_name }, query: {}, body: payload }),
  }),
  getApplicationInfo: read({
    operation: "getApplicationInfo",
    path: "/info",
    summary: "The implementation and the capabilities it fully implements (SPEC §14).",
    params: z.object({}),
    response: ApplicationInfo,
    errorStatuses: [401],
    toArgs: () => [],
    toParams: () => ({}),
  }),
  fetchAndLockExternalTasks: route({
    operation: "fetchAndLockExternalTasks",
    capability: "externalTasks",
    method: "POST",
    path: "/external_tasks/fetch_and_lock",
    summary:
      "Lock up to maxTasks accessible external tasks of the topics, oldest first; wait up to longPollingTimeout for one.",
    params: z.object({}),
    query: NoQuery,
    body: FetchAndLockRequest,
    bodyRequired: true,
    successStatus: 200,
    response: ExternalTaskList,
    errorStatuses: [400, 401],
    toArgs: ({ body }) => {
      const request = body as FetchAndLockRequest;
      return [
        request.workerId,
        request.topicName,
        request.maxTasks,
        request.longPollingTimeout,
        request.lockDuration,
      ];
    },
    toRequest: (workerId, topicName, maxTasks, longPollingTimeout, lockDuration) => ({
      params: {},
      query: {},
      body: { workerId, topicName, maxTasks, longPollingTimeout, lockDuration },
    }),
  }),
  extendLock: externalTaskAction({
    operation: "extendLock",
    action: "extend_lock",
    summary: "The holder extends its lock to now + additionalDuration.",
    body: ExtendLockRequest,
    toArgs: (body, id) => [body.workerId, id, body.additionalDuration],
    toBody: (workerId, _id, additionalDuration) => ({ workerId, additionalDuration }),
  }),
  finishExternalTask: externalTaskAction({
    operation: "finishExternalTask",
    action: "finish",
    summary: "The holder finishes the task; its result becomes the token payload.",
    body: FinishExternalTaskRequest,
    toArgs: (body, id) => [body.workerId, id, body.result],
    toBody: (workerId, _id, result) => ({ workerId, result }),
  }),
  handleBpmnError: externalTaskAction({
    operation: "handleBpmnError",
    action: "handle_bpmn_error",
    summary:
      "The holder reports a BPMN error: a matching error boundary event catches it, else the instance fails.",
    body: HandleBpmnErrorRequest,
    toArgs: (body, id) =>
      body.errorMessage === undefined
        ? [body.workerId, id, body.errorCode]
        : [body.workerId, id, body.errorCode, body.errorMessage],
    toBody: (workerId, _id, errorCode, errorMessage) => ({ workerId, errorCode, errorMessage }),
  }),
  handleServiceError: externalTaskAction({
    operation: "handleServiceError",
    action: "handle_service_error",
    summary: "The holder reports that the work failed: the instance fails.",
    body: HandleServiceErrorRequest,
    toArgs: (body, id) => [body.workerId, id, body.errorMessage, body.errorDetails, body.errorCode],
    toBody: (workerId, _id, errorMessage, errorDetails, errorCode) => ({
      workerId,
      errorMessage,
      errorDetails,
      errorCode,
    }),
  }),
} satisfies { [K in OperationName]: RouteDefinition<K, z.ZodObject, z.ZodType, z.ZodType | undefined> };

export type Routes = typeof routes;
// biome-ignore lint/suspicious/noExplicitAny: a route of any operation, for code that walks the table
export type AnyRoute = RouteDefinition<any, z.ZodObject, z.ZodType, z.ZodType | undefined>;

/** The table as a list, in a stable order. */
export const routeList: readonly AnyRoute[] = Object.values(routes);

export type { ConsumerApi };
