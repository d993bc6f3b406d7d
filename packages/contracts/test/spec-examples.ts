import type { NamedTypeName } from "../src/index.js";

/**
 * Payloads per named type: `valid` are SPEC §4–§5's examples (copied as written, "…" included) plus the
 * variants SPEC allows; `invalid` have a wrong type or miss a required field. Every value is plain JSON,
 * so the zod schemas, the generated JSON Schemas and the OpenAPI components are all checked against the
 * same table. Unknown extra keys are not listed here: zod strips them, the JSON Schemas allow them, and
 * that is tested on its own.
 */
export interface Examples {
  valid: unknown[];
  invalid: unknown[];
}

const startEvent = { key: "Start1", data: {} };
const endEvent = { key: "End1", data: {} };
const processModel = { key: "Order", startEvents: [startEvent], endEvents: [endEvent] };
const eventData = { eventType: "message", eventName: "payment" };
const event = {
  eventId: "3312a9d1-…",
  eventKey: "PaymentReceived",
  processInstanceId: "19ff…",
  processModelKey: "Order",
  correlationId: "c-1",
  eventData,
};
// SPEC §10's example.
const processInstance = {
  processInstanceId: "19ff…",
  processModelKey: "Order",
  correlationId: "c-1",
  state: "running",
  startedAt: "2025-01-31T09:00:00.000Z",
};
// SPEC §13's example, as written.
const externalTask = {
  id: "7c1e…",
  workerId: "w-1",
  topic: "charge",
  processModelKey: "Order",
  processInstanceId: "19ff…",
  correlationId: "c-1",
  flowNodeKey: "Charge",
  payload: {},
  lockExpirationTime: "2025-01-31T09:00:30.000Z",
};
const formField = { id: "approved", type: "boolean", label: "Approved?", defaultValue: false };
const enumField = {
  id: "size",
  type: "enum",
  label: "Size",
  enumValues: [
    { id: "s", name: "Small" },
    { id: "l", name: "Large" },
  ],
  required: true,
};
const userTask = {
  id: "004d6b6d-…",
  key: "Review",
  name: "Review order",
  processInstanceId: "19ff…",
  processModelKey: "Order",
  correlationId: "c-1",
  data: { formFields: [formField] },
  tokenPayload: {},
};
const { tokenPayload: _, ...userTaskWithoutPayload } = userTask;
const notification = {
  process_model_key: "Order",
  event_key: "started",
  correlation_id: "c-1",
  process_instance_id: "19ff…",
};
const channel = "/process_model/Order/correlations/c-1/system_events";

export const specExamples = {
  ConsumerContext: { valid: [{ identity: "token-alice" }], invalid: [{}, { identity: "" }, { identity: 1 }] },
  StartEventEntry: {
    valid: [startEvent, { key: "Start2", data: { anything: [1, "x"] } }],
    invalid: [{ key: "Start1" }, { key: 1, data: {} }, { key: "Start1", data: [] }],
  },
  EndEventEntry: {
    valid: [endEvent],
    invalid: [{ data: {} }, { key: "End1", data: "x" }],
  },
  ProcessModel: {
    valid: [processModel, { key: "Empty", startEvents: [], endEvents: [] }],
    invalid: [
      { key: "Order", startEvents: [] },
      { key: "Order", startEvents: [{ key: 1, data: {} }], endEvents: [] },
      { key: "Order", startEvents: {}, endEvents: [] },
    ],
  },
  ProcessModelList: {
    valid: [{ processModels: [processModel] }, { processModels: [] }, { processModels: [], totalCount: 3 }],
    invalid: [
      {},
      { processModels: processModel },
      { processModels: [{ key: "Order" }] },
      { processModels: [], totalCount: -1 },
      { processModels: [], totalCount: 1.5 },
    ],
  },
  StartCallbackType: { valid: [1, 2, 3], invalid: [0, 4, "1", 1.5, null] },
  ProcessStartRequestPayload: {
    valid: [
      {},
      { correlationId: "c-1" },
      { correlationId: "c-1", callerId: "shop", inputValues: { amount: 12, items: ["a"] } },
      { inputValues: null },
      { inputValues: 42 },
    ],
    invalid: [
      { correlationId: "" },
      { correlationId: "." },
      { correlationId: ".." },
      { correlationId: 5 },
      { callerId: true },
      [],
      "payload",
    ],
  },
  ProcessStartResponsePayload: {
    valid: [
      { correlationId: "c-1", processInstanceId: "19ff…" },
      { correlationId: "c-1", processInstanceId: "19ff…", endEventKey: "End1", tokenPayload: { total: 24 } },
    ],
    invalid: [
      { correlationId: "c-1" },
      { correlationId: "c-1", processInstanceId: 7 },
      { correlationId: "c-1", processInstanceId: "19ff…", endEventKey: 3 },
    ],
  },
  EventType: { valid: ["message", "signal"], invalid: ["timer", 1, null] },
  EventData: {
    valid: [eventData, { eventType: "signal", eventName: "go" }],
    invalid: [{ eventType: "timer", eventName: "x" }, { eventType: "message" }],
  },
  Event: {
    valid: [event],
    invalid: [
      { ...event, eventId: 1 },
      { ...event, eventData: { eventType: "message", eventName: 3 } },
      { eventId: "x" },
    ],
  },
  EventList: {
    valid: [{ events: [event] }, { events: [] }, { events: [event], totalCount: 7 }],
    invalid: [{}, { events: [{ ...event, correlationId: null }] }, { events: "none" }],
  },
  // Any JSON value, or nothing: there is no wrong type.
  EventTriggerPayload: { valid: [{ amount: 3 }, [1, "x"], "text", 0, false, null], invalid: [] },
  UserTaskFormFieldType: {
    valid: ["string", "long", "number", "boolean", "date", "enum"],
    invalid: ["integer", "", 1],
  },
  UserTaskEnumValue: {
    valid: [{ id: "s", name: "Small" }],
    invalid: [{ id: "s" }, { id: 1, name: "Small" }],
  },
  UserTaskFormField: {
    valid: [formField, enumField, { id: "comment", type: "string" }],
    invalid: [
      { id: "approved", type: "checkbox" },
      { id: "approved", type: "boolean", required: "yes" },
      { id: "size", type: "enum", enumValues: [{ id: "s" }] },
      { type: "string" },
    ],
  },
  UserTaskData: {
    valid: [{ formFields: [formField, enumField] }, { formFields: [] }],
    invalid: [{}, { formFields: [{ id: 1, type: "string" }] }],
  },
  UserTask: {
    valid: [userTask, { ...userTask, tokenPayload: { amount: 1 } }, { ...userTask, tokenPayload: null }],
    invalid: [
      // z.unknown() keys are required (zod 4): an undefined token payload must travel as null.
      userTaskWithoutPayload,
      { ...userTask, data: { formFields: "x" } },
      { ...userTask, id: 5 },
      { ...userTask, name: null },
    ],
  },
  UserTaskList: {
    valid: [{ userTasks: [userTask] }, { userTasks: [] }, { userTasks: [userTask], totalCount: 1 }],
    invalid: [{}, { userTasks: [{ ...userTask, key: [] }] }, { userTasks: [], totalCount: "1" }],
  },
  UserTaskResult: {
    valid: [{ formFields: { approved: true } }, { formFields: {} }, { formFields: { size: "s", n: 3 } }],
    invalid: [{}, { formFields: [] }, { formFields: "approved" }, { approved: true }],
  },
  ProcessInstanceState: {
    valid: ["running", "finished", "terminated", "failed"],
    invalid: ["error", "", null],
  },
  ProcessInstance: {
    valid: [
      processInstance,
      { ...processInstance, state: "finished", finishedAt: "2025-01-31T09:00:01.000Z" },
    ],
    invalid: [
      { ...processInstance, state: "done" },
      { ...processInstance, startedAt: 1 },
      { processInstanceId: "x" },
    ],
  },
  ProcessInstanceList: {
    valid: [{ processInstances: [processInstance], totalCount: 1 }, { processInstances: [] }],
    invalid: [{}, { processInstances: [{ ...processInstance, correlationId: null }] }],
  },
  ApplicationInfo: {
    valid: [
      // SPEC §14's example.
      {
        name: "@consumer-api/http-server",
        version: "2.0.0",
        store: "sqlite",
        clustered: false,
        capabilities: [
          "notifications",
          "timers",
          "concurrency",
          "pagination",
          "instanceQueries",
          "triggerByName",
          "moreNotifications",
          "externalTasks",
        ],
      },
      { name: "x", version: "1", store: "postgres", clustered: true, capabilities: ["someday"] },
    ],
    invalid: [
      { name: "x", version: "1", store: "sqlite", clustered: "no", capabilities: [] },
      { name: "x", version: "1", store: "sqlite", clustered: false },
    ],
  },
  CorrelationResult: {
    valid: [
      {
        correlationId: "c-1",
        processModelKey: "Order",
        processInstanceId: "19ff…",
        endEventKey: "End1",
        result: { total: 24 },
      },
    ],
    invalid: [
      { correlationId: "c-1", processModelKey: "Order", processInstanceId: "19ff…", result: {} },
      { correlationId: 1, processModelKey: "Order", processInstanceId: "19ff…", endEventKey: "End1" },
    ],
  },
  NotificationMessage: {
    valid: [notification, { ...notification, event_key: "approved", payload: { amount: 1 } }],
    invalid: [{ ...notification, event_key: 1 }, { process_model_key: "Order" }],
  },
  // SPEC §12's example, and the fields each message adds.
  UserTaskNotificationMessage: {
    valid: [
      {
        process_model_key: "Order",
        event_key: "Review",
        correlation_id: "c-1",
        process_instance_id: "19ff3c1a-0000-4000-8000-000000000000",
        user_task_id: "004d6b6d-0000-4000-8000-000000000000",
        payload: {},
      },
    ],
    invalid: [notification, { ...notification, user_task_id: 1 }],
  },
  BoundaryEventNotificationMessage: {
    valid: [{ ...notification, attached_to_key: "Review" }],
    invalid: [notification, { ...notification, attached_to_key: null }],
  },
  CatchEventNotificationMessage: {
    valid: [notification, { ...notification, event_id: "e-1" }],
    invalid: [{ ...notification, event_id: 1 }],
  },
  ProcessErrorNotificationMessage: {
    valid: [
      { ...notification, error_message: "boom" },
      { ...notification, error_message: "card declined", error_code: "Declined" },
    ],
    invalid: [notification, { ...notification, error_message: "boom", error_code: 1 }],
  },
  AuthenticateFrame: {
    valid: [{ type: "authenticate", token: "token-alice" }],
    invalid: [{ type: "authenticate" }, { type: "authenticate", token: "" }, { type: "auth", token: "t" }],
  },
  SubscribeFrame: {
    valid: [{ type: "subscribe", id: "s1", channel }],
    invalid: [
      { type: "subscribe", id: "s1" },
      { type: "subscribe", id: 1, channel },
    ],
  },
  UnsubscribeFrame: {
    valid: [{ type: "unsubscribe", id: "s1" }],
    invalid: [{ type: "unsubscribe" }, { type: "unsubscribe", id: "" }],
  },
  ClientFrame: {
    valid: [
      { type: "authenticate", token: "token-alice" },
      { type: "subscribe", id: "s1", channel },
      { type: "unsubscribe", id: "s1" },
    ],
    invalid: [{ type: "subscribed", id: "s1" }, { type: "subscribe", id: "s1" }, { id: "s1" }, "subscribe"],
  },
  SubscribedFrame: {
    valid: [{ type: "subscribed", id: "s1" }],
    invalid: [{ type: "subscribed" }, { type: "subscribed", id: null }],
  },
  NotificationFrame: {
    valid: [{ type: "notification", id: "s1", channel, message: notification }],
    invalid: [
      { type: "notification", id: "s1", channel },
      { type: "notification", id: "s1", channel, message: { event_key: "started" } },
    ],
  },
  ErrorFrame: {
    valid: [
      { type: "error", id: "s1", status: 404, title: "Not Found", detail: "No such model." },
      {
        type: "error",
        id: null,
        status: 401,
        title: "Unauthorized",
        detail: "A valid bearer token is required.",
      },
    ],
    invalid: [
      { type: "error", status: 400, title: "Bad Request", detail: "x" },
      { type: "error", id: null, status: "400", title: "Bad Request", detail: "x" },
      { type: "error", id: null, status: 400.5, title: "Bad Request", detail: "x" },
    ],
  },
  ServerFrame: {
    valid: [
      { type: "subscribed", id: "s1" },
      { type: "notification", id: "s1", channel, message: notification },
      { type: "error", id: null, status: 400, title: "Bad Request", detail: "channel: unknown channel" },
    ],
    invalid: [{ type: "subscribe", id: "s1", channel }, { type: "notification", id: "s1" }, null],
  },
  ProblemDetails: {
    valid: [
      { type: "about:blank", title: "Not Found", status: 404, detail: "No process model Order." },
      {
        type: "about:blank",
        title: "Bad Request",
        status: 400,
        detail: "body.correlationId: expected string",
      },
    ],
    invalid: [
      { type: "about:blank", title: "OK", status: 200, detail: "" },
      { type: "about:blank", title: "Not Found", status: "404", detail: "x" },
      { type: "about:blank", title: "Not Found", status: 404 },
    ],
  },
  ExternalTaskTopicName: {
    valid: ["charge", ["charge", "mail"]],
    invalid: ["", [], [""], 3],
  },
  FetchAndLockRequest: {
    valid: [
      { workerId: "w-1", topicName: "charge", maxTasks: 1, longPollingTimeout: 0, lockDuration: 1 },
      {
        workerId: "w-1",
        topicName: ["charge", "mail"],
        maxTasks: 5,
        longPollingTimeout: 30000,
        lockDuration: 60000,
      },
    ],
    invalid: [
      { workerId: "", topicName: "charge", maxTasks: 1, longPollingTimeout: 0, lockDuration: 1 },
      { workerId: "w-1", topicName: [], maxTasks: 1, longPollingTimeout: 0, lockDuration: 1 },
      { workerId: "w-1", topicName: "charge", maxTasks: 0, longPollingTimeout: 0, lockDuration: 1 },
      { workerId: "w-1", topicName: "charge", maxTasks: 1.5, longPollingTimeout: 0, lockDuration: 1 },
      { workerId: "w-1", topicName: "charge", maxTasks: 1, longPollingTimeout: -1, lockDuration: 1 },
      { workerId: "w-1", topicName: "charge", maxTasks: 1, longPollingTimeout: 0, lockDuration: 0 },
      { workerId: "w-1", topicName: "charge", maxTasks: 1, longPollingTimeout: 0 },
    ],
  },
  ExternalTask: {
    valid: [externalTask, { ...externalTask, payload: null }],
    invalid: [
      { ...externalTask, id: 7 },
      { ...externalTask, lockExpirationTime: undefined },
    ],
  },
  ExternalTaskList: {
    valid: [{ externalTasks: [externalTask] }, { externalTasks: [] }],
    invalid: [[externalTask], { externalTasks: [{ id: "x" }] }],
  },
  ExtendLockRequest: {
    valid: [{ workerId: "w-1", additionalDuration: 1 }],
    invalid: [
      { workerId: "w-1", additionalDuration: 0 },
      { workerId: "w-1" },
      { workerId: "", additionalDuration: 10 },
    ],
  },
  FinishExternalTaskRequest: {
    valid: [
      { workerId: "w-1", result: { charged: true } },
      { workerId: "w-1", result: null },
      { workerId: "w-1", result: [1, "two"] },
    ],
    invalid: [{ workerId: "w-1" }, { result: {} }, { workerId: "", result: 1 }],
  },
  HandleBpmnErrorRequest: {
    valid: [
      { workerId: "w-1", errorCode: "declined" },
      { workerId: "w-1", errorCode: "declined", errorMessage: "no funds" },
    ],
    invalid: [{ workerId: "w-1" }, { workerId: "w-1", errorCode: "" }, { workerId: "w-1", errorCode: 3 }],
  },
  HandleServiceErrorRequest: {
    valid: [
      { workerId: "w-1", errorMessage: "card API down" },
      { workerId: "w-1", errorMessage: "down", errorDetails: { retry: 3 }, errorCode: "E42" },
    ],
    invalid: [{ workerId: "w-1" }, { workerId: "w-1", errorMessage: 5 }],
  },
} satisfies Record<NamedTypeName, Examples>;
