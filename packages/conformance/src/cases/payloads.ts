import type { ProcessStartRequestPayload, UserTaskResult } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { expectBadRequest, expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingEvent, waitingTask } from "../steps.js";

/**
 * Values JSON cannot carry unchanged, each with the path (below the payload) a 400 must name. JSON.stringify
 * would change every one of them silently, so a binding that sends them on behaves differently from one that
 * holds them itself: both refuse them.
 */
const notJson: readonly { what: string; value: () => unknown; path: string }[] = [
  { what: "a Date", value: () => ({ when: new Date(0) }), path: "when" },
  { what: "NaN", value: () => ({ x: Number.NaN }), path: "x" },
  { what: "Infinity", value: () => ({ x: Number.POSITIVE_INFINITY }), path: "x" },
  { what: "undefined in an array", value: () => ({ list: [1, undefined] }), path: "list.1" },
  { what: "a function property", value: () => ({ f: () => 1 }), path: "f" },
  { what: "a Map", value: () => ({ m: new Map([["a", 1]]) }), path: "m" },
  { what: "a class instance", value: () => ({ c: new (class Point {})() }), path: "c" },
  { what: "a bigint", value: () => ({ n: 1n }), path: "n" },
  // JSON.parse makes "__proto__" an own key; a JavaScript object copy drops it or turns it into a prototype.
  {
    what: 'an own "__proto__" key',
    value: () => JSON.parse('{"ok":1,"__proto__":{"x":1}}'),
    path: "__proto__",
  },
];

/** Object keys every JavaScript object inherits: as form field ids they name no field of the form. */
const inheritedNames = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

export function payloadCases(options: ConformanceOptions): void {
  describe("payloads are plain JSON data (SPEC §3, §4.3, §4.5, §4.7)", () => {
    const h = useApi(options);

    for (const { what, value, path } of notJson) {
      it(`start: 400 naming inputValues.${path} for ${what}; nothing starts`, async () => {
        const correlationId = newCorrelationId();
        const payload = { correlationId, inputValues: value() } as ProcessStartRequestPayload;
        await expectBadRequest(
          h.api.startProcessInstance(as.clerk, "Basic", "StartA", payload),
          `inputValues.${path}`,
        );
        await expectError(h.api.getUserTasksForCorrelation(as.clerk, correlationId), 404);
      });

      it(`trigger: 400 naming ${path} for ${what}; the event keeps waiting`, async () => {
        const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
        const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
        await expectBadRequest(
          h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId, value()),
          path,
        );
        await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      });

      it(`finish: 400 naming formFields.approved.${path} for ${what}; the task keeps waiting`, async () => {
        const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
        const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
        const result = { formFields: { approved: value() } } as UserTaskResult;
        await expectBadRequest(
          h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, result),
          `formFields.approved.${path}`,
        );
        await waitingTask(h.api, as.clerk, correlationId, "Review");
      });
    }

    for (const name of inheritedNames) {
      it(`finish: 400 naming formFields.${name}, a key no form defines; the task keeps waiting`, async () => {
        const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
        const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
        // Parsed, as a server receives it: an own property, also for "__proto__".
        const result = JSON.parse(`{"formFields":{"approved":true,${JSON.stringify(name)}:1}}`);
        await expectBadRequest(
          h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, result),
          `formFields.${name}`,
        );
        await waitingTask(h.api, as.clerk, correlationId, "Review");
      });
    }

    it("401 comes before the 400: an unknown token with a payload JSON cannot carry", async () => {
      const payload = { inputValues: { when: new Date(0) } } as ProcessStartRequestPayload;
      await expectError(h.api.startProcessInstance(as.invalid, "Basic", "StartA", payload), 401);
    });

    it("keys named like Object.prototype's members are plain data in a payload", async () => {
      const inputValues = { constructor: 1, prototype: { toString: "x" }, hasOwnProperty: [true] };
      const answer = await start(h.api, as.clerk, "Basic", "StartB", { inputValues, callback: 2 });
      expect(answer.tokenPayload).toEqual({ echoed: inputValues });
    });
  });
}
