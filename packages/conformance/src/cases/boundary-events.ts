import { describe, expect, it } from "vitest";
import { collector } from "../collector.js";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { eventually, keysOf, start, waitingEvent, waitingTask } from "../steps.js";

/** SPEC §6.1 boundary events, listed and triggered through §4.4 / §4.5. */
export function boundaryEventCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("boundary events (SPEC §6.1)", () => {
    const h = useApi(options);
    const taskKeys = async (correlationId: string) =>
      keysOf((await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks, (t) => t.key);
    const eventKeys = async (correlationId: string) =>
      keysOf((await h.api.getEventsForCorrelation(as.clerk, correlationId)).events, (e) => e.eventKey);

    it("a waiting message or signal boundary event is listed with the activity it is attached to", async () => {
      const { correlationId } = await start(h.api, as.clerk, "BoundaryTask", "BoundaryTaskStart");
      const cancel = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryCancel");
      expect(cancel.eventData).toEqual({
        eventType: "message",
        eventName: "boundary-cancel",
        attachedToKey: "Work",
      });
      const ping = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryPing");
      expect(ping.eventData).toEqual({
        eventType: "signal",
        eventName: "boundary-ping",
        attachedToKey: "Work",
      });
    });

    it("finishing the activity withdraws its boundary events", async () => {
      const { correlationId } = await start(h.api, as.clerk, "BoundaryTask", "BoundaryTaskStart");
      const work = await waitingTask(h.api, as.clerk, correlationId, "Work");
      await h.api.finishUserTask(as.clerk, "BoundaryTask", correlationId, work.id, { formFields: {} });
      expect(await eventKeys(correlationId)).toEqual([]);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "BoundaryTask", correlationId);
      expect(result.endEventKey).toBe("WorkDone");
    });

    it("an interrupting message boundary event cancels its user task: gone from every list, 404 to finish", async () => {
      const { correlationId } = await start(h.api, as.clerk, "BoundaryTask", "BoundaryTaskStart");
      const work = await waitingTask(h.api, as.clerk, correlationId, "Work");
      const cancel = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryCancel");
      await h.api.triggerEvent(as.clerk, "BoundaryTask", correlationId, cancel.eventId, { reason: "late" });
      expect(await taskKeys(correlationId)).toEqual(["AfterCancel"]);
      expect(await eventKeys(correlationId)).toEqual([]);
      const { userTasks } = await h.api.getUserTasksForProcessModel(as.clerk, "BoundaryTask");
      expect(userTasks.some((task) => task.id === work.id)).toBe(false);
      await expectError(
        h.api.finishUserTask(as.clerk, "BoundaryTask", correlationId, work.id, { formFields: {} }),
        404,
      );
      const after = await waitingTask(h.api, as.clerk, correlationId, "AfterCancel");
      expect(after.tokenPayload).toEqual({ reason: "late" });
    });

    it("a non-interrupting signal boundary event starts a path and stays armed; the task keeps waiting", async () => {
      const { correlationId } = await start(h.api, as.clerk, "BoundaryTask", "BoundaryTaskStart");
      const first = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryPing");
      await h.api.triggerEvent(as.clerk, "BoundaryTask", correlationId, first.eventId);
      const second = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryPing");
      expect(second.eventId).not.toBe(first.eventId);
      await h.api.triggerEvent(as.clerk, "BoundaryTask", correlationId, second.eventId);
      expect(await taskKeys(correlationId)).toEqual(["Pinged", "Pinged", "Work"]);
      await expectError(h.api.triggerEvent(as.clerk, "BoundaryTask", correlationId, first.eventId), 404);
    });

    it("a triggered boundary event is a §5 BPMN event notification", async ({ skip }) => {
      if (!h.supports.notifications) skip("notifications not supported");
      const correlationId = newCorrelationId();
      const seen = collector();
      h.track(
        await h.api.onBpmnEvent(as.clerk, "BoundaryTask", "BoundaryCancel", seen.callback, { correlationId }),
      );
      await start(h.api, as.clerk, "BoundaryTask", "BoundaryTaskStart", { correlationId });
      const cancel = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryCancel");
      await h.api.triggerEvent(as.clerk, "BoundaryTask", correlationId, cancel.eventId, { n: 1 });
      const message = await seen.waitFor(
        (m) => m.correlation_id === correlationId,
        "BoundaryCancel triggered",
      );
      expect(message).toMatchObject({ process_model_key: "BoundaryTask", event_key: "BoundaryCancel" });
    });

    it("an interrupting timer boundary event cancels its user task when due", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const answer = await start(h.api, as.clerk, "BoundaryTimer", "BoundaryTimerStart", {
        callback: 3,
        endEvent: "TimedOutEnd",
      });
      expect(answer.endEventKey).toBe("TimedOutEnd");
      expect(await taskKeys(answer.correlationId)).toEqual([]);
    });

    it("an interrupting boundary event on a sub-process withdraws everything inside it at once", async () => {
      const { correlationId } = await start(h.api, as.clerk, "BoundarySub", "BoundarySubStart");
      const inside = await waitingTask(h.api, as.clerk, correlationId, "GuardedTask");
      expect(await eventKeys(correlationId)).toEqual(["BoundaryAbort", "GuardedWait"]);
      const abort = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryAbort");
      await h.api.triggerEvent(as.clerk, "BoundarySub", correlationId, abort.eventId);
      expect(await taskKeys(correlationId)).toEqual(["AfterAbort"]);
      expect(await eventKeys(correlationId)).toEqual([]);
      await expectError(
        h.api.finishUserTask(as.clerk, "BoundarySub", correlationId, inside.id, { formFields: {} }),
        404,
      );
    });

    for (const [error, end] of [
      // Caught by the outer sub-process's boundary event, two levels up.
      ["inner", "InnerErrorCaught"],
      // Caught by the inner sub-process's: the outer one then completes normally.
      ["other", "OuterSubDone"],
    ] as const) {
      it(`an error end event is caught by the innermost sub-process with a matching error boundary event (${error} → ${end})`, async () => {
        const { correlationId } = await start(h.api, as.clerk, "BoundaryErrors", "BoundaryErrorsStart");
        const task = await waitingTask(h.api, as.clerk, correlationId, "ChooseError");
        await h.api.finishUserTask(as.clerk, "BoundaryErrors", correlationId, task.id, {
          formFields: { error },
        });
        const result = await h.api.getProcessResultForCorrelation(as.clerk, "BoundaryErrors", correlationId);
        expect(result.endEventKey).toBe(end);
      });
    }

    for (const [fail, end] of [
      [true, "ScriptErrorCaught"],
      [false, "ScriptOk"],
    ] as const) {
      it(`throw new BpmnError(code, message) in a script is caught by its error boundary event (fail: ${fail})`, async () => {
        const answer = await start(h.api, as.clerk, "BoundaryScriptError", "ScriptErrorStart", {
          callback: 2,
          inputValues: { fail },
        });
        expect(answer.endEventKey).toBe(end);
      });
    }

    it("a timer with a timeDate in the past is due at once", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const answer = await start(h.api, as.clerk, "TimerKinds", "DateStart", { callback: 2 });
      expect(answer.endEventKey).toBe("DatePassed");
    });

    it("a non-interrupting timeCycle boundary event fires R[n] times while its task waits", async ({
      skip,
    }) => {
      if (!h.supports.timers) skip("timers not supported");
      const { correlationId } = await start(h.api, as.clerk, "TimerKinds", "CycleStart");
      // The cycle's two firings are waited for with a budget a loaded machine meets, not eventually's 5 s.
      await eventually(
        async () => expect(await taskKeys(correlationId)).toEqual(["LongTask", "Remind", "Remind"]),
        120_000,
      );
    });
  });
}
