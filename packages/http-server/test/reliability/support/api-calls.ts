import { type AnyRoute, buildUrlPath, routes } from "@consumer-api/contracts";
import { auth } from "./program.js";

export interface Answer {
  status: number;
  contentType: string | null;
  body: unknown;
}

/** One request for a route of the contracts' table, with the load token; the answer decoded. */
export async function call(
  baseUrl: string,
  route: AnyRoute,
  params: Record<string, string>,
  options: { query?: Record<string, string | undefined>; body?: unknown; signal?: AbortSignal } = {},
): Promise<Answer> {
  const init: RequestInit = {
    method: route.method,
    headers: { ...auth, ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const response = await fetch(baseUrl + buildUrlPath(route, params, options.query ?? {}), init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: text === "" ? undefined : JSON.parse(text),
  };
}

export interface StartAnswer {
  correlationId: string;
  processInstanceId: string;
  endEventKey?: string;
  tokenPayload?: unknown;
}
export interface TaskList {
  userTasks: { id: string; key: string; processInstanceId: string; correlationId: string }[];
}
export interface EventListBody {
  events: { eventId: string; processInstanceId: string; correlationId: string }[];
}
export interface ResultBody {
  processInstanceId: string;
  endEventKey: string;
  result: unknown;
}

export interface InstanceListBody {
  processInstances: {
    processInstanceId: string;
    correlationId: string;
    state: string;
    startedAt: string;
    finishedAt?: string;
  }[];
}

export const models = {
  review: { key: "Review", start: "Submitted", end: "Checked" },
  await: { key: "Await", start: "Begun", end: "Went" },
  delay: { key: "Delay", start: "Armed", end: "Elapsed" },
  loop: { key: "Loop", start: "Spin", end: "Spun" },
  /** PT2S: outlasts the moment a test sends SIGTERM. */
  linger: { key: "Linger", start: "Lingering", end: "Lingered" },
} as const;

export const start = (
  url: string,
  model: { key: string; start: string },
  body: unknown,
  query: Record<string, string | undefined> = {},
) =>
  call(
    url,
    routes.startProcessInstance,
    { process_model_key: model.key, start_event_key: model.start },
    { body, query },
  );

export const tasksOf = (url: string, correlationId: string) =>
  call(url, routes.getUserTasksForCorrelation, { correlation_id: correlationId });

export const eventsOf = (url: string, correlationId: string) =>
  call(url, routes.getEventsForCorrelation, { correlation_id: correlationId });

export const resultOf = (url: string, modelKey: string, correlationId: string) =>
  call(url, routes.getProcessResultForCorrelation, {
    process_model_key: modelKey,
    correlation_id: correlationId,
  });

/** Every instance the load token started (SPEC §10), with the server's start and finish times. */
export const instancesOf = (url: string) => call(url, routes.getProcessInstancesByIdentity, {});

export const finish = (url: string, correlationId: string, taskId: string, n: number) =>
  call(
    url,
    routes.finishUserTask,
    { process_model_key: models.review.key, correlation_id: correlationId, user_task_id: taskId },
    { body: { formFields: { n } } },
  );

export const trigger = (url: string, correlationId: string, eventId: string, payload: unknown) =>
  call(
    url,
    routes.triggerEvent,
    { process_model_key: models.await.key, correlation_id: correlationId, event_id: eventId },
    { body: payload },
  );
