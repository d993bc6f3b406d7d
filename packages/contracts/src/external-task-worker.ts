import { BpmnError } from "./bpmn-error.js";
import type { ConsumerApi } from "./consumer-api.js";
import type { ConsumerContext } from "./context.js";
import type { ExternalTask } from "./external-task.js";

// The external-task worker (SPEC §13), shaped like camunda-external-task-client-js and Zeebe's job workers:
// subscribe a handler to a topic; the worker long-polls, runs up to `concurrency` handlers at once, extends
// their locks while they run, and reports what each returned or threw. It needs nothing but the five
// operations, so client-internal and client-external share it.

/** The operations a worker uses; any ConsumerApi has them. */
export type ExternalTaskApi = Pick<
  ConsumerApi,
  "fetchAndLockExternalTasks" | "extendLock" | "finishExternalTask" | "handleBpmnError" | "handleServiceError"
>;

export interface ExternalTaskHandlerContext {
  /** Aborted once the task's lock is lost (another worker holds it now, or it no longer waits). */
  readonly signal: AbortSignal;
}

/**
 * Does the work of one task. Its return value (undefined counts as null) finishes the task; a thrown
 * BpmnError is reported as a BPMN error, anything else thrown as a service error.
 */
export type ExternalTaskHandler = (
  task: ExternalTask,
  context: ExternalTaskHandlerContext,
) => unknown | Promise<unknown>;

export interface ExternalTaskSubscribeOptions {
  /** ms a fetch locks a task for; renewed while the handler runs. Default 30 000. */
  lockDuration?: number;
  /** Tasks fetched at most per request. Default 10. */
  maxTasks?: number;
  /** Handlers running at once. Default maxTasks. */
  concurrency?: number;
  /** ms a fetch waits for a task. Default 30 000. */
  longPollingTimeout?: number;
}

export interface ExternalTaskWorkerOptions {
  /** The identity the worker acts as (SPEC §2); the lane rule decides which tasks it sees. */
  context: ConsumerContext;
  /** Default: a random id. */
  workerId?: string;
  /** Delay after a failed fetch, doubling up to maxMs. Default 100 ms up to 5 000 ms. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Anything that went wrong (a failed fetch, a report the server refused); the worker carries on. */
  onError?: (error: unknown, task?: ExternalTask) => void;
}

export interface ExternalTaskSubscription {
  readonly topic: string;
  /** Stops fetching, lets running handlers finish and report, then resolves. */
  stop(): Promise<void>;
}

export interface ExternalTaskWorker {
  readonly workerId: string;
  subscribe(
    topic: string,
    handler: ExternalTaskHandler,
    options?: ExternalTaskSubscribeOptions,
  ): ExternalTaskSubscription;
  /** Stops every subscription (see ExternalTaskSubscription.stop). */
  stop(): Promise<void>;
}

export function createExternalTaskWorker(
  api: ExternalTaskApi,
  options: ExternalTaskWorkerOptions,
): ExternalTaskWorker {
  const workerId = options.workerId ?? `worker-${globalThis.crypto.randomUUID()}`;
  const onError = options.onError ?? (() => {});
  const subscriptions = new Set<ExternalTaskSubscription>();

  function subscribe(
    topic: string,
    handler: ExternalTaskHandler,
    subscribeOptions: ExternalTaskSubscribeOptions = {},
  ): ExternalTaskSubscription {
    const lockDuration = subscribeOptions.lockDuration ?? 30_000;
    const maxTasks = subscribeOptions.maxTasks ?? 10;
    const concurrency = subscribeOptions.concurrency ?? maxTasks;
    const longPollingTimeout = subscribeOptions.longPollingTimeout ?? 30_000;
    const stopping = new AbortController();
    const running = new Set<Promise<void>>();
    const runningIds = new Set<string>();
    const context: ConsumerContext = { ...options.context, signal: stopping.signal };

    const report = (error: unknown, task?: ExternalTask) => {
      try {
        onError(error, task);
      } catch {
        // A failing error callback must not stop the worker either.
      }
    };

    async function work(task: ExternalTask): Promise<void> {
      const lost = new AbortController();
      // Renew at half the lock's duration, so one slow renewal still lands before the lock expires.
      const renewal = setInterval(
        () => {
          api.extendLock(options.context, workerId, task.id, lockDuration).catch((error: unknown) => {
            if (isLockLost(error)) lost.abort(error);
            report(error, task);
          });
        },
        Math.max(1, Math.floor(lockDuration / 2)),
      );
      try {
        let outcome: { result: unknown } | { error: unknown };
        try {
          outcome = { result: await handler(task, { signal: lost.signal }) };
        } catch (error) {
          outcome = { error };
        } finally {
          clearInterval(renewal);
        }
        if ("result" in outcome) {
          await api.finishExternalTask(options.context, workerId, task.id, outcome.result ?? null);
        } else if (outcome.error instanceof BpmnError) {
          const { code, errorMessage } = outcome.error;
          await (errorMessage === undefined
            ? api.handleBpmnError(options.context, workerId, task.id, code)
            : api.handleBpmnError(options.context, workerId, task.id, code, errorMessage));
        } else {
          await api.handleServiceError(options.context, workerId, task.id, messageOf(outcome.error));
        }
      } catch (error) {
        report(error, task);
      }
    }

    async function poll(): Promise<void> {
      let delay = options.backoff?.initialMs ?? 100;
      const maxDelay = options.backoff?.maxMs ?? 5000;
      while (!stopping.signal.aborted) {
        if (running.size >= concurrency) {
          await Promise.race(running);
          continue;
        }
        let tasks: ExternalTask[];
        try {
          ({ externalTasks: tasks } = await api.fetchAndLockExternalTasks(
            context,
            workerId,
            topic,
            Math.min(maxTasks, concurrency - running.size),
            longPollingTimeout,
            lockDuration,
          ));
          delay = options.backoff?.initialMs ?? 100;
        } catch (error) {
          if (stopping.signal.aborted) break;
          report(error);
          await sleep(delay, stopping.signal);
          delay = Math.min(maxDelay, delay * 2);
          continue;
        }
        for (const task of tasks) {
          // Our own lock expired (a renewal came late) and we locked it again: its handler is still running.
          if (runningIds.has(task.id)) continue;
          runningIds.add(task.id);
          const job = work(task).finally(() => {
            running.delete(job);
            runningIds.delete(task.id);
          });
          running.add(job);
        }
      }
    }

    const polling = poll();
    let stopped: Promise<void> | undefined;
    const subscription: ExternalTaskSubscription = {
      topic,
      stop() {
        stopped ??= (async () => {
          stopping.abort(new Error("the worker stopped"));
          await polling;
          await Promise.all(running);
          subscriptions.delete(subscription);
        })();
        return stopped;
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    workerId,
    subscribe,
    async stop() {
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
    },
  };
}

/** 404 (no longer waiting) or 409 (another worker holds it): reporting is pointless now. */
function isLockLost(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 404 || status === 409;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
