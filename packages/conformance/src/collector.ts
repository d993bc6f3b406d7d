import type { NotificationMessage } from "@consumer-api/contracts";
import { expect } from "vitest";

/**
 * A generous upper bound for a message to arrive. It is a liveness bound, not a timing assertion: exceeding
 * it means the message never came. Thirty seconds: a loaded machine running a two-node cluster stalls a
 * process for seconds, and the bound costs time only when something was really lost.
 */
export const DELIVERY_BOUND_MS = 30_000;

export interface Collector<T = NotificationMessage> {
  readonly messages: T[];
  readonly callback: (message: T) => void;
  /** Resolves with the first message (already received or future) matching; fails the test after the bound. */
  waitFor(predicate: (message: T) => boolean, what: string): Promise<T>;
}

/** Collects notifications (or, with a `noun` for its errors, any other messages, such as WebSocket frames). */
export function collector<T = NotificationMessage>(noun = "notification"): Collector<T> {
  const messages: T[] = [];
  const waiters = new Set<{
    predicate: (m: T) => boolean;
    resolve: (m: T) => void;
  }>();
  return {
    messages,
    callback(message) {
      messages.push(message);
      for (const waiter of waiters) {
        if (waiter.predicate(message)) {
          waiters.delete(waiter);
          waiter.resolve(message);
        }
      }
    },
    waitFor(predicate, what) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (message: T) => {
            clearTimeout(timer);
            resolve(message);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `no ${noun} ${what} within ${DELIVERY_BOUND_MS} ms; received: ${JSON.stringify(messages)}`,
            ),
          );
        }, DELIVERY_BOUND_MS);
        waiters.add(waiter);
      });
    },
  };
}

/** Message predicates. */
export const about =
  (correlationId: string, eventKey?: string) =>
  (message: NotificationMessage): boolean =>
    message.correlation_id === correlationId && (eventKey === undefined || message.event_key === eventKey);

/** Asserts a collector received nothing about a correlation (call only after a witness proved delivery moved on). */
export function expectNothingAbout(c: Collector, correlationId: string, why: string): void {
  expect(
    c.messages.filter((m) => m.correlation_id === correlationId),
    why,
  ).toEqual([]);
}
