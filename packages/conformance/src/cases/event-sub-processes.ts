import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { correlationSteps, eventually, start, waitingEvent, waitingTask } from "../steps.js";

/** SPEC §6.1: event sub-processes, interrupting and not, with every kind of start event. */
export function eventSubProcessCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("event sub-processes (SPEC §6.1)", () => {
    const h = useApi(options);
    const { taskKeys, eventKeys, finish } = correlationSteps(h, as.clerk);

    it("their message and signal start events are listed while the scope runs and withdrawn when it ends", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EventSubProcess", "EspStart");
      expect(await eventKeys(correlationId)).toEqual(["CancelRequested", "NoteArrived", "PingArrived"]);
      expect((await waitingEvent(h.api, as.clerk, correlationId, "NoteArrived")).eventData).toMatchObject({
        eventType: "message",
        eventName: "conformance-esp-note",
      });
      await finish("EventSubProcess", correlationId, "Work");
      expect(await eventKeys(correlationId)).toEqual([]);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "EventSubProcess", correlationId);
      expect(result.endEventKey).toBe("WorkDone");
    });

    it("an interrupting one cancels the rest of its scope at once: the user task leaves every list, 404 to finish", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EventSubProcess", "EspStart");
      const work = await waitingTask(h.api, as.clerk, correlationId, "Work");
      const cancel = await waitingEvent(h.api, as.clerk, correlationId, "CancelRequested");
      await h.api.triggerEvent(as.clerk, "EventSubProcess", correlationId, cancel.eventId, { why: "stop" });
      expect(await taskKeys(correlationId)).toEqual(["Cleanup"]);
      expect(await eventKeys(correlationId)).toEqual([]);
      await expectError(
        h.api.finishUserTask(as.clerk, "EventSubProcess", correlationId, work.id, { formFields: {} }),
        404,
      );
      expect((await waitingTask(h.api, as.clerk, correlationId, "Cleanup")).tokenPayload).toEqual({
        why: "stop",
      });
      await finish("EventSubProcess", correlationId, "Cleanup");
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "EventSubProcess", correlationId);
      expect(result.endEventKey).toBe("CleanedUp");
    });

    it("an interrupting one also withdraws the non-interrupting ones already running in its scope", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EventSubProcess", "EspStart");
      const note = await waitingEvent(h.api, as.clerk, correlationId, "NoteArrived");
      await h.api.triggerEvent(as.clerk, "EventSubProcess", correlationId, note.eventId, { n: 1 });
      const noting = await waitingTask(h.api, as.clerk, correlationId, "Note");
      const cancel = await waitingEvent(h.api, as.clerk, correlationId, "CancelRequested");
      await h.api.triggerEvent(as.clerk, "EventSubProcess", correlationId, cancel.eventId);
      expect(await taskKeys(correlationId)).toEqual(["Cleanup"]);
      await expectError(
        h.api.finishUserTask(as.clerk, "EventSubProcess", correlationId, noting.id, { formFields: {} }),
        404,
      );
      await finish("EventSubProcess", correlationId, "Cleanup");
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "EventSubProcess", correlationId);
      expect(result.endEventKey).toBe("CleanedUp");
    });

    it("a non-interrupting one runs beside the rest as often as it occurs; the instance ends when all are done", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EventSubProcess", "EspStart");
      for (const n of [1, 2]) {
        const note = await waitingEvent(h.api, as.clerk, correlationId, "NoteArrived");
        await h.api.triggerEvent(as.clerk, "EventSubProcess", correlationId, note.eventId, { n });
      }
      const ping = await waitingEvent(h.api, as.clerk, correlationId, "PingArrived");
      await h.api.triggerEvent(as.clerk, "EventSubProcess", correlationId, ping.eventId);
      expect(await taskKeys(correlationId)).toEqual(["Note", "Note", "Pinged", "Work"]);
      await finish("EventSubProcess", correlationId, "Work");
      await finish("EventSubProcess", correlationId, "Pinged");
      const notes = (await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks;
      for (const note of notes) {
        await h.api.finishUserTask(as.clerk, "EventSubProcess", correlationId, note.id, { formFields: {} });
      }
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "EventSubProcess", correlationId);
      expect(result.endEventKey).toBe("Noted");
    });

    it("inside a sub-process, an error event sub-process catches the error before the sub-process's boundary event", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EventSubProcessError", "ErrStart");
      expect(await taskKeys(correlationId)).toEqual(["Fail", "Inner"]);
      await finish("EventSubProcessError", correlationId, "Fail");
      expect(await taskKeys(correlationId)).toEqual(["Repair"]);
      await finish("EventSubProcessError", correlationId, "Repair");
      // The sub-process completed through its event sub-process; the error never reached the boundary event.
      expect(await taskKeys(correlationId)).toEqual(["AfterSub"]);
    });

    it("a non-interrupting escalation event sub-process runs beside the thrower, which goes on", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EventSubProcessEscalation", "EscStart");
      expect(await taskKeys(correlationId)).toEqual(["AfterEscalation", "Escalated"]);
    });

    it("a non-interrupting timeCycle event sub-process runs once per occurrence (R2)", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const { correlationId } = await start(h.api, as.clerk, "EventSubProcessTimer", "TimerStart");
      await eventually(
        async () => expect(await taskKeys(correlationId)).toEqual(["Remind", "Remind", "Slow"]),
        30_000,
      );
    });

    it("an interrupting timer event sub-process cancels its scope when due", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const answer = await start(h.api, as.clerk, "EventSubProcessTimeout", "TimeoutStart", {
        callback: 3,
        endEvent: "TimedOut",
      });
      expect(answer.endEventKey).toBe("TimedOut");
      expect(await taskKeys(answer.correlationId)).toEqual([]);
    });
  });
}
