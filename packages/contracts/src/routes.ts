import { z } from "zod";
import { ApplicationInfo } from "./application-info.js";
import type { ConsumerApi, OperationArgs, OperationName } from "./consumer-api.js";
import { CorrelationResult } from "./correlation-result.js";
import { type Endpoint, endpoints } from "./endpoints.js";
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
import { PageQuery } from "./pagination.js";
import { ProcessInstanceList } from "./process-instance.js";
import { ProcessModel, ProcessModelList } from "./process-model.js";
import {
  ProcessStartRequestPayload,
  ProcessStartResponsePayload,
  StartCallbackType,
  type StartCallbackType as StartCallbackTypeValue,
} from "./process-start.js";
import { UserTaskList, UserTaskResult } from "./user-task.js";

// The route table's schemas, attached to endpoints.ts's data by operation: the server decodes with them, the
// generators describe them, and the client never imports them (it checks answers with the wire schemas
// generated from them).

export {
  API_PREFIX,
  type HttpMethod,
  NOTIFICATIONS_PATH,
  OPENAPI_PATH,
  type RouteRequest,
} from "./endpoints.js";

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

/** What a route adds to its endpoint: the schemas of its request and answer, and the server's decoding. */
export interface RouteSchemas<
  K extends OperationName,
  P extends z.ZodObject,
  Q extends z.ZodType,
  B extends z.ZodType | undefined,
> {
  operation: K;
  params: P;
  query: Q;
  /** Schema of the JSON body; undefined when the route takes none. */
  body: B;
  /** Schema of the 200 answer; undefined for 204. */
  response: z.ZodType | undefined;
  /** Server side: the method's arguments after the context, from the validated request. */
  toArgs(input: RouteInput<P, Q, B>): OperationArgs<K>;
}

export interface RouteDefinition<
  K extends OperationName,
  P extends z.ZodObject,
  Q extends z.ZodType,
  B extends z.ZodType | undefined,
> extends Endpoint<K>,
    RouteSchemas<K, P, Q, B> {}

function route<
  K extends OperationName,
  P extends z.ZodObject,
  Q extends z.ZodType,
  B extends z.ZodType | undefined,
>(definition: RouteSchemas<K, P, Q, B>): RouteSchemas<K, P, Q, B> {
  return definition;
}

/** A read route's schemas: no query, no body, 200 with `response`. */
function read<K extends OperationName, P extends z.ZodObject>(
  definition: Pick<RouteSchemas<K, P, typeof NoQuery, undefined>, "operation" | "params" | "toArgs"> & {
    response: z.ZodType;
  },
): RouteSchemas<K, P, typeof NoQuery, undefined> {
  return { ...definition, query: NoQuery, body: undefined };
}

/** A list route's schemas (SPEC §9): no body, 200 with `response`, the page's offset and limit in the query. */
function list<K extends OperationName, P extends z.ZodObject>(
  definition: Pick<RouteSchemas<K, P, typeof PageQuery, undefined>, "operation" | "params" | "toArgs"> & {
    response: z.ZodType;
  },
): RouteSchemas<K, P, typeof PageQuery, undefined> {
  return { ...definition, query: PageQuery, body: undefined };
}

const externalTaskParams = z.object({ external_task_id: key("The id of an external task.") });

/** The schemas of a POST on one external task with a required JSON body, answered 204 (SPEC §13). */
function externalTaskAction<K extends OperationName, B extends z.ZodType>(
  definition: Pick<RouteSchemas<K, typeof externalTaskParams, typeof NoQuery, B>, "operation" | "body"> & {
    /** The body's fields as the method's arguments after the external task's id. */
    toArgs(body: z.output<B>, externalTaskId: string): OperationArgs<K>;
  },
): RouteSchemas<K, typeof externalTaskParams, typeof NoQuery, B> {
  const { toArgs, ...rest } = definition;
  return {
    ...rest,
    params: externalTaskParams,
    query: NoQuery,
    response: undefined,
    // bodyRequired guarantees presence; the server rejects a missing body before toArgs.
    toArgs: ({ params, body }) => toArgs(body as z.output<B>, params.external_task_id),
  };
}

/** The schemas of every route, by operation (the same keys as `endpoints`). */
const routeSchemas = {
  getProcessModels: list({
    operation: "getProcessModels",
    params: z.object({}),
    response: ProcessModelList,
    toArgs: ({ query }) => [query.offset, query.limit],
  }),
  getProcessModelByKey: read({
    operation: "getProcessModelByKey",
    params: z.object({ process_model_key: processModelKey }),
    response: ProcessModel,
    toArgs: ({ params }) => [params.process_model_key],
  }),
  startProcessInstance: route({
    operation: "startProcessInstance",
    params: z.object({
      process_model_key: processModelKey,
      start_event_key: key("The id of the bpmn:startEvent."),
    }),
    query: StartQuery,
    body: ProcessStartRequestPayload,
    response: ProcessStartResponsePayload,
    toArgs: ({ params, query, body }) => [
      params.process_model_key,
      params.start_event_key,
      body,
      query.startCallbackType,
      query.end_event_id,
    ],
  }),
  getEventsForCorrelation: list({
    operation: "getEventsForCorrelation",
    params: z.object({ correlation_id: correlationId }),
    response: EventList,
    toArgs: ({ params, query }) => [params.correlation_id, query.offset, query.limit],
  }),
  getEventsForProcessModelInCorrelation: list({
    operation: "getEventsForProcessModelInCorrelation",
    params: z.object({ process_model_key: processModelKey, correlation_id: correlationId }),
    response: EventList,
    toArgs: ({ params, query }) => [
      params.process_model_key,
      params.correlation_id,
      query.offset,
      query.limit,
    ],
  }),
  triggerEvent: route({
    operation: "triggerEvent",
    params: z.object({
      process_model_key: processModelKey,
      correlation_id: correlationId,
      event_id: key("The eventId of a waiting event."),
    }),
    query: NoQuery,
    body: EventTriggerPayload,
    response: undefined,
    toArgs: ({ params, body }) => [params.process_model_key, params.correlation_id, params.event_id, body],
  }),
  getUserTasksForCorrelation: list({
    operation: "getUserTasksForCorrelation",
    params: z.object({ correlation_id: correlationId }),
    response: UserTaskList,
    toArgs: ({ params, query }) => [params.correlation_id, query.offset, query.limit],
  }),
  getUserTasksForProcessModel: list({
    operation: "getUserTasksForProcessModel",
    params: z.object({ process_model_key: processModelKey }),
    response: UserTaskList,
    toArgs: ({ params, query }) => [params.process_model_key, query.offset, query.limit],
  }),
  getUserTasksForProcessModelInCorrelation: list({
    operation: "getUserTasksForProcessModelInCorrelation",
    params: z.object({ process_model_key: processModelKey, correlation_id: correlationId }),
    response: UserTaskList,
    toArgs: ({ params, query }) => [
      params.process_model_key,
      params.correlation_id,
      query.offset,
      query.limit,
    ],
  }),
  finishUserTask: route({
    operation: "finishUserTask",
    params: z.object({
      process_model_key: processModelKey,
      correlation_id: correlationId,
      user_task_id: key("The id of a waiting user task."),
    }),
    query: NoQuery,
    body: UserTaskResult,
    response: undefined,
    toArgs: ({ params, body }) => [
      params.process_model_key,
      params.correlation_id,
      params.user_task_id,
      // bodyRequired guarantees presence; the server rejects a missing body before toArgs.
      body as UserTaskResult,
    ],
  }),
  getProcessResultForCorrelation: read({
    operation: "getProcessResultForCorrelation",
    params: z.object({ correlation_id: correlationId, process_model_key: processModelKey }),
    response: CorrelationResult,
    toArgs: ({ params }) => [params.process_model_key, params.correlation_id],
  }),
  getWaitingUserTasksByIdentity: list({
    operation: "getWaitingUserTasksByIdentity",
    params: z.object({}),
    response: UserTaskList,
    toArgs: ({ query }) => [query.offset, query.limit],
  }),
  getUserTasksForProcessInstance: list({
    operation: "getUserTasksForProcessInstance",
    params: z.object({ process_instance_id: processInstanceId }),
    response: UserTaskList,
    toArgs: ({ params, query }) => [params.process_instance_id, query.offset, query.limit],
  }),
  getProcessModelByProcessInstanceId: read({
    operation: "getProcessModelByProcessInstanceId",
    params: z.object({ process_instance_id: processInstanceId }),
    response: ProcessModel,
    toArgs: ({ params }) => [params.process_instance_id],
  }),
  getProcessInstancesByIdentity: list({
    operation: "getProcessInstancesByIdentity",
    params: z.object({}),
    response: ProcessInstanceList,
    toArgs: ({ query }) => [query.offset, query.limit],
  }),
  getEventsForProcessModel: list({
    operation: "getEventsForProcessModel",
    params: z.object({ process_model_key: processModelKey }),
    response: EventList,
    toArgs: ({ params, query }) => [params.process_model_key, query.offset, query.limit],
  }),
  triggerMessageEvent: route({
    operation: "triggerMessageEvent",
    params: z.object({ message_name: key("The bpmn:message's name (its id when it has none).") }),
    query: z.strictObject({
      correlation_id: ConsumerKey.optional().describe("Only what waits in this correlation."),
    }),
    body: EventTriggerPayload,
    response: undefined,
    toArgs: ({ params, query, body }) => [params.message_name, body, query.correlation_id],
  }),
  triggerSignalEvent: route({
    operation: "triggerSignalEvent",
    params: z.object({ signal_name: key("The bpmn:signal's name (its id when it has none).") }),
    query: NoQuery,
    body: EventTriggerPayload,
    response: undefined,
    toArgs: ({ params, body }) => [params.signal_name, body],
  }),
  getApplicationInfo: read({
    operation: "getApplicationInfo",
    params: z.object({}),
    response: ApplicationInfo,
    toArgs: () => [],
  }),
  fetchAndLockExternalTasks: route({
    operation: "fetchAndLockExternalTasks",
    params: z.object({}),
    query: NoQuery,
    body: FetchAndLockRequest,
    response: ExternalTaskList,
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
  }),
  extendLock: externalTaskAction({
    operation: "extendLock",
    body: ExtendLockRequest,
    toArgs: (body, id) => [body.workerId, id, body.additionalDuration],
  }),
  finishExternalTask: externalTaskAction({
    operation: "finishExternalTask",
    body: FinishExternalTaskRequest,
    toArgs: (body, id) => [body.workerId, id, body.result],
  }),
  handleBpmnError: externalTaskAction({
    operation: "handleBpmnError",
    body: HandleBpmnErrorRequest,
    toArgs: (body, id) =>
      body.errorMessage === undefined
        ? [body.workerId, id, body.errorCode]
        : [body.workerId, id, body.errorCode, body.errorMessage],
  }),
  handleServiceError: externalTaskAction({
    operation: "handleServiceError",
    body: HandleServiceErrorRequest,
    toArgs: (body, id) => [body.workerId, id, body.errorMessage, body.errorDetails, body.errorCode],
  }),
} satisfies { [K in OperationName]: RouteSchemas<K, z.ZodObject, z.ZodType, z.ZodType | undefined> };

type RouteSchemasTable = typeof routeSchemas;
/** An operation's route with the exact types of its schemas. */
type RouteOf<K extends OperationName> =
  RouteSchemasTable[K] extends RouteSchemas<K, infer P, infer Q, infer B>
    ? RouteDefinition<K, P, Q, B>
    : never;

/** The route table: each operation's endpoint with its schemas (SPEC §4). */
export const routes = Object.fromEntries(
  (Object.keys(endpoints) as OperationName[]).map((operation) => [
    operation,
    { ...endpoints[operation], ...routeSchemas[operation] },
  ]),
) as { [K in OperationName]: RouteOf<K> };

export type Routes = typeof routes;
// biome-ignore lint/suspicious/noExplicitAny: a route of any operation, for code that walks the table
export type AnyRoute = RouteDefinition<any, z.ZodObject, z.ZodType, z.ZodType | undefined>;

/** The table as a list, in a stable order. */
export const routeList: readonly AnyRoute[] = Object.values(routes);

export type { ConsumerApi };
