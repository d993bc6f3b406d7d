import type {
  ConsumerApi,
  ConsumerContext,
  Event,
  ProcessStartResponsePayload,
  StartCallbackType,
  UserTask,
} from "@consumer-api/contracts";
import { expect } from "vitest";
import { DELIVERY_BOUND_MS } from "./collector.js";
import { newCorrelationId } from "./ids.js";

export interface StartOptions {
  correlationId?: string;
  inputValues?: unknown;
  callback?: StartCallbackType;
  endEvent?: string;
}

/** Starts an instance in a fresh correlation (or the given one) and returns the answer. */
export async function start(
  api: ConsumerApi,
  context: ConsumerContext,
  model: string,
  startEvent: string,
  options: StartOptions = {},
): Promise<ProcessStartResponsePayload & { correlationId: string }> {
  const correlationId = options.correlationId ?? newCorrelationId();
  const payload =
    options.inputValues === undefined
      ? { correlationId }
      : { correlationId, inputValues: options.inputValues };
  const answer = await api.startProcessInstance(
    context,
    model,
    startEvent,
    payload,
    options.callback,
    options.endEvent,
  );
  expect(answer.correlationId).toBe(correlationId);
  return answer;
}

/** The one waiting user task with this key in the correlation, as the identity sees it. */
export async function waitingTask(
  api: ConsumerApi,
  context: ConsumerContext,
  correlationId: string,
  key: string,
): Promise<UserTask> {
  const { userTasks } = await api.getUserTasksForCorrelation(context, correlationId);
  const matching = userTasks.filter((task) => task.key === key);
  expect(matching, `exactly one waiting user task "${key}" in ${JSON.stringify(userTasks)}`).toHaveLength(1);
  return matching[0] as UserTask;
}

/** The one waiting event with this key in the correlation, as the identity sees it. */
export async function waitingEvent(
  api: ConsumerApi,
  context: ConsumerContext,
  correlationId: string,
  key: string,
): Promise<Event> {
  const { events } = await api.getEventsForCorrelation(context, correlationId);
  const matching = events.filter((event) => event.eventKey === key);
  expect(matching, `exactly one waiting event "${key}" in ${JSON.stringify(events)}`).toHaveLength(1);
  return matching[0] as Event;
}

/** Keys, sorted, for order-independent comparisons. */
export const keysOf = <T>(items: readonly T[], key: (item: T) => string): string[] => items.map(key).sort();

/** The keys of the user tasks waiting in the correlation, as the identity sees them, sorted. */
export const taskKeysIn = async (api: ConsumerApi, context: ConsumerContext, correlationId: string) =>
  keysOf((await api.getUserTasksForCorrelation(context, correlationId)).userTasks, (task) => task.key);

/** The keys of the events waiting in the correlation, as the identity sees them, sorted. */
export const eventKeysIn = async (api: ConsumerApi, context: ConsumerContext, correlationId: string) =>
  keysOf((await api.getEventsForCorrelation(context, correlationId)).events, (event) => event.eventKey);

/**
 * Retries a read until it passes, within the liveness bound. Only for the moment between firing a callback-2
 * start (which answers later) and its instance's first wait state, which no answer marks.
 */
export async function eventually<T>(read: () => Promise<T>, boundMs = DELIVERY_BOUND_MS): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Starts an instance with callback 2 (answered once it finished) in a fresh correlation (or the given one), and
 * returns the pending answer once the user task `first` waits.
 */
export async function startAwaiting(
  api: ConsumerApi,
  context: ConsumerContext,
  model: string,
  startEvent: string,
  first: string,
  options: { correlationId?: string; inputValues?: unknown } = {},
): Promise<{ correlationId: string; answer: Promise<ProcessStartResponsePayload> }> {
  const correlationId = options.correlationId ?? newCorrelationId();
  const payload =
    options.inputValues === undefined
      ? { correlationId }
      : { correlationId, inputValues: options.inputValues };
  const answer = api.startProcessInstance(context, model, startEvent, payload, 2);
  answer.catch(() => undefined);
  await eventually(() => waitingTask(api, context, correlationId, first));
  return { correlationId, answer };
}

/** Finishes the one waiting user task with this key in the correlation; returns it as it waited. */
export async function finishWaiting(
  api: ConsumerApi,
  context: ConsumerContext,
  model: string,
  correlationId: string,
  key: string,
  formFields: Record<string, unknown> = {},
): Promise<UserTask> {
  const task = await waitingTask(api, context, correlationId, key);
  await api.finishUserTask(context, model, correlationId, task.id, { formFields });
  return task;
}

/**
 * The reads and writes the BPMN cases repeat, as one identity, on the harness's API of the moment (it is
 * set in beforeAll): the sorted keys of a correlation's waiting user tasks and events, finishing the one
 * waiting task of a key, a correlation's result.
 */
export function correlationSteps(h: { readonly api: ConsumerApi }, context: ConsumerContext) {
  return {
    taskKeys: (correlationId: string) => taskKeysIn(h.api, context, correlationId),
    eventKeys: (correlationId: string) => eventKeysIn(h.api, context, correlationId),
    finish: (model: string, correlationId: string, key: string, formFields: Record<string, unknown> = {}) =>
      finishWaiting(h.api, context, model, correlationId, key, formFields),
    result: (model: string, correlationId: string) =>
      h.api.getProcessResultForCorrelation(context, model, correlationId),
  };
}
