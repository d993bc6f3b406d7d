import type { Capability } from "./application-info.js";
import type { OperationArgs, OperationName } from "./consumer-api.js";

// The route table's half without schemas: where and how each operation travels. A client needs only this
// (and the generated wire schemas), so a browser bundle carries no zod; routes.ts attaches the zod schemas,
// keyed by the same operation, for the server and the generators.

/** Every HTTP route is relative to this prefix. */
export const API_PREFIX = "/api/consumer/v1";
/** The WebSocket endpoint for notifications (SPEC §5.1), relative to API_PREFIX. */
export const NOTIFICATIONS_PATH = "/notifications";
/** The generated OpenAPI document, relative to API_PREFIX. */
export const OPENAPI_PATH = "/openapi.json";

export type HttpMethod = "GET" | "POST";

/** The raw parts of a request as a client sends them (query values as strings). */
export interface RouteRequest {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** undefined: no body. */
  body?: unknown;
}

export interface Endpoint<K extends OperationName> {
  operation: K;
  method: HttpMethod;
  /** Template relative to API_PREFIX, with `:param` segments. */
  path: string;
  summary: string;
  /**
   * The capability (SPEC §14) the route belongs to; a server that does not list it answers 404. Absent: level
   * 1, always served.
   */
  capability?: Capability;
  /** Whether a body must be present (otherwise an empty body is allowed). */
  bodyRequired: boolean;
  /** 200 answers with the route's response schema; 204 has no body. */
  successStatus: 200 | 204;
  errorStatuses: readonly number[];
  /** Client side: the request for the method's arguments after the context. */
  toRequest(...args: OperationArgs<K>): RouteRequest;
}

/** The query strings a client sends for trailing `offset?, limit?` arguments. */
export function pageQuery(
  offset: number | undefined,
  limit: number | undefined,
): Record<string, string | undefined> {
  return {
    offset: offset === undefined ? undefined : String(offset),
    limit: limit === undefined ? undefined : String(limit),
  };
}

function endpoint<K extends OperationName>(definition: Endpoint<K>): Endpoint<K> {
  return definition;
}

/** A read route: GET, no query, no body, 200. Its request is its path params alone. */
function read<K extends OperationName>(
  definition: Pick<Endpoint<K>, "operation" | "path" | "summary" | "errorStatuses" | "capability"> & {
    toParams(...args: OperationArgs<K>): Record<string, string>;
  },
): Endpoint<K> {
  const { toParams, ...rest } = definition;
  return {
    ...rest,
    method: "GET",
    bodyRequired: false,
    successStatus: 200,
    toRequest: (...args) => ({ params: toParams(...args), query: {} }),
  };
}

/** A list route (SPEC §9): GET, no body, 200, the page's offset and limit in the query. */
function list<K extends OperationName>(
  definition: Pick<
    Endpoint<K>,
    "operation" | "path" | "summary" | "errorStatuses" | "toRequest" | "capability"
  >,
): Endpoint<K> {
  return {
    ...definition,
    // A malformed offset or limit is a 400 on every list (SPEC §9).
    errorStatuses: [...new Set([400, ...definition.errorStatuses])].sort(),
    method: "GET",
    bodyRequired: false,
    successStatus: 200,
  };
}

/** A POST on one external task with a required JSON body, answered 204 (SPEC §13). */
function externalTaskAction<K extends OperationName>(
  definition: Pick<Endpoint<K>, "operation" | "summary"> & {
    action: string;
    toBody(...args: OperationArgs<K>): unknown;
  },
): Endpoint<K> {
  const { action, toBody, ...rest } = definition;
  return {
    ...rest,
    capability: "externalTasks",
    method: "POST",
    path: `/external_tasks/:external_task_id/${action}`,
    bodyRequired: true,
    successStatus: 204,
    errorStatuses: [400, 401, 403, 404, 409],
    toRequest: (...args) => ({
      // Every external-task method takes (workerId, externalTaskId, …).
      params: { external_task_id: args[1] as string },
      query: {},
      body: toBody(...args),
    }),
  };
}

/** Exactly one endpoint per request/response operation of ConsumerApi (SPEC §4). */
export const endpoints = {
  getProcessModels: list({
    operation: "getProcessModels",
    path: "/process_models",
    summary: "List the process models the caller may start.",
    errorStatuses: [401, 500],
    toRequest: (offset, limit) => ({ params: {}, query: pageQuery(offset, limit) }),
  }),
  getProcessModelByKey: read({
    operation: "getProcessModelByKey",
    path: "/process_models/:process_model_key",
    summary: "One process model.",
    errorStatuses: [401, 403, 404],
    toParams: (process_model_key) => ({ process_model_key }),
  }),
  startProcessInstance: endpoint({
    operation: "startProcessInstance",
    method: "POST",
    path: "/process_models/:process_model_key/start_events/:start_event_key/start",
    summary:
      "Start a process instance and answer once it was created, finished, or reached a given end event.",
    bodyRequired: false,
    successStatus: 200,
    errorStatuses: [400, 401, 403, 404, 409, 500],
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
    errorStatuses: [401, 404],
    toRequest: (correlation_id, offset, limit) => ({
      params: { correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  getEventsForProcessModelInCorrelation: list({
    operation: "getEventsForProcessModelInCorrelation",
    path: "/process_models/:process_model_key/correlations/:correlation_id/events",
    summary: "The message and signal events waiting in a correlation for one process model.",
    errorStatuses: [401, 404],
    toRequest: (process_model_key, correlation_id, offset, limit) => ({
      params: { process_model_key, correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  triggerEvent: endpoint({
    operation: "triggerEvent",
    method: "POST",
    path: "/process_models/:process_model_key/correlations/:correlation_id/events/:event_id/trigger",
    summary: "Trigger a waiting event; the payload, when given, becomes the token payload.",
    bodyRequired: false,
    successStatus: 204,
    errorStatuses: [400, 401, 403, 404],
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
    errorStatuses: [401, 404],
    toRequest: (correlation_id, offset, limit) => ({
      params: { correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  getUserTasksForProcessModel: list({
    operation: "getUserTasksForProcessModel",
    path: "/process_models/:process_model_key/user_tasks",
    summary: "The user tasks waiting in any instance of a process model.",
    errorStatuses: [401, 404],
    toRequest: (process_model_key, offset, limit) => ({
      params: { process_model_key },
      query: pageQuery(offset, limit),
    }),
  }),
  getUserTasksForProcessModelInCorrelation: list({
    operation: "getUserTasksForProcessModelInCorrelation",
    path: "/process_models/:process_model_key/correlations/:correlation_id/user_tasks",
    summary: "The user tasks waiting in a correlation for one process model.",
    errorStatuses: [401, 404],
    toRequest: (process_model_key, correlation_id, offset, limit) => ({
      params: { process_model_key, correlation_id },
      query: pageQuery(offset, limit),
    }),
  }),
  finishUserTask: endpoint({
    operation: "finishUserTask",
    method: "POST",
    path: "/process_models/:process_model_key/correlations/:correlation_id/user_tasks/:user_task_id/finish",
    summary: "Finish a waiting user task with its form values.",
    bodyRequired: true,
    successStatus: 204,
    errorStatuses: [400, 401, 403, 404, 409],
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
    errorStatuses: [401, 403, 404, 409],
    toParams: (process_model_key, correlation_id) => ({ correlation_id, process_model_key }),
  }),
  getWaitingUserTasksByIdentity: list({
    operation: "getWaitingUserTasksByIdentity",
    capability: "instanceQueries",
    path: "/user_tasks/own",
    summary: "Every waiting user task the caller may access, in every model and correlation (SPEC §10).",
    errorStatuses: [400, 401],
    toRequest: (offset, limit) => ({ params: {}, query: pageQuery(offset, limit) }),
  }),
  getUserTasksForProcessInstance: list({
    operation: "getUserTasksForProcessInstance",
    capability: "instanceQueries",
    path: "/process_instances/:process_instance_id/user_tasks",
    summary: "The waiting user tasks of one process instance that the caller may access (SPEC §10).",
    errorStatuses: [400, 401, 404],
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
    errorStatuses: [401, 404],
    toParams: (process_instance_id) => ({ process_instance_id }),
  }),
  getProcessInstancesByIdentity: list({
    operation: "getProcessInstancesByIdentity",
    capability: "instanceQueries",
    path: "/process_instances/own",
    summary: "The process instances the caller started, in any state (SPEC §10).",
    errorStatuses: [400, 401],
    toRequest: (offset, limit) => ({ params: {}, query: pageQuery(offset, limit) }),
  }),
  getEventsForProcessModel: list({
    operation: "getEventsForProcessModel",
    capability: "instanceQueries",
    path: "/process_models/:process_model_key/events",
    summary: "The message and signal events waiting in any instance of a process model (SPEC §10).",
    errorStatuses: [400, 401, 404],
    toRequest: (process_model_key, offset, limit) => ({
      params: { process_model_key },
      query: pageQuery(offset, limit),
    }),
  }),
  triggerMessageEvent: endpoint({
    operation: "triggerMessageEvent",
    capability: "triggerByName",
    method: "POST",
    path: "/messages/:message_name/trigger",
    summary:
      "Trigger every waiting message event of that name the caller may access, in one correlation or all (SPEC §11).",
    bodyRequired: false,
    successStatus: 204,
    errorStatuses: [400, 401],
    toRequest: (message_name, payload, correlation_id) => ({
      params: { message_name },
      query: { correlation_id },
      body: payload,
    }),
  }),
  triggerSignalEvent: endpoint({
    operation: "triggerSignalEvent",
    capability: "triggerByName",
    method: "POST",
    path: "/signals/:signal_name/trigger",
    summary: "Trigger every waiting signal event of that name the caller may access (SPEC §11).",
    bodyRequired: false,
    successStatus: 204,
    errorStatuses: [400, 401],
    toRequest: (signal_name, payload) => ({ params: { signal_name }, query: {}, body: payload }),
  }),
  getApplicationInfo: read({
    operation: "getApplicationInfo",
    path: "/info",
    summary: "The implementation and the capabilities it fully implements (SPEC §14).",
    errorStatuses: [401],
    toParams: () => ({}),
  }),
  fetchAndLockExternalTasks: endpoint({
    operation: "fetchAndLockExternalTasks",
    capability: "externalTasks",
    method: "POST",
    path: "/external_tasks/fetch_and_lock",
    summary:
      "Lock up to maxTasks accessible external tasks of the topics, oldest first; wait up to longPollingTimeout for one.",
    bodyRequired: true,
    successStatus: 200,
    errorStatuses: [400, 401],
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
    toBody: (workerId, _id, additionalDuration) => ({ workerId, additionalDuration }),
  }),
  finishExternalTask: externalTaskAction({
    operation: "finishExternalTask",
    action: "finish",
    summary: "The holder finishes the task; its result becomes the token payload.",
    toBody: (workerId, _id, result) => ({ workerId, result }),
  }),
  handleBpmnError: externalTaskAction({
    operation: "handleBpmnError",
    action: "handle_bpmn_error",
    summary:
      "The holder reports a BPMN error: a matching error boundary event catches it, else the instance fails.",
    toBody: (workerId, _id, errorCode, errorMessage) => ({ workerId, errorCode, errorMessage }),
  }),
  handleServiceError: externalTaskAction({
    operation: "handleServiceError",
    action: "handle_service_error",
    summary: "The holder reports that the work failed: the instance fails.",
    toBody: (workerId, _id, errorMessage, errorDetails, errorCode) => ({
      workerId,
      errorMessage,
      errorDetails,
      errorCode,
    }),
  }),
} satisfies { [K in OperationName]: Endpoint<K> };

export type Endpoints = typeof endpoints;
// biome-ignore lint/suspicious/noExplicitAny: an endpoint of any operation, for code that walks the table
export type AnyEndpoint = Endpoint<any>;

/** The table as a list, in a stable order. */
export const endpointList: readonly AnyEndpoint[] = Object.values(endpoints);
