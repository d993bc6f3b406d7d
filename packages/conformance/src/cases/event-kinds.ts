import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { correlationSteps, eventually, start, waitingEvent, waitingTask } from "../steps.js";

/**
 * SPEC §6.1: events no other case runs (fixture event-kinds.bpmn) — escalation boundary events, a signal end
 * event, link events (with a plain task and a none intermediate throw event), a timeCycle intermediate catch
 * event, a message boundary event on a receive task.
 */
export function eventKindCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("more kinds of events (SPEC §6.1)", () => {
    const h = useApi(options);
    const { taskKeys, eventKeys, finish, result } = correlationSteps(h, as.clerk);

    it("a non-interrupting escalation boundary event on a sub-process starts a path; the thrower and the sub-process go on", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EscalationBoundary", "EbStart");
      await finish("EscalationBoundary", correlationId, "Choose", { stop: false });
      expect(await taskKeys(correlationId)).toEqual(["AfterWarn", "Busy", "WarnedTask"]);
      await finish("EscalationBoundary", correlationId, "AfterWarn");
      await finish("EscalationBoundary", correlationId, "Busy");
      expect(await taskKeys(correlationId)).toEqual(["WarnedTask"]);
      await finish("EscalationBoundary", correlationId, "WarnedTask");
      expect((await result("EscalationBoundary", correlationId)).endEventKey).toBe("WarnedDone");
    });

    it("an interrupting escalation boundary event withdraws its sub-process: an escalation end event inside", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EscalationBoundary", "EbStart");
      const busy = await waitingTask(h.api, as.clerk, correlationId, "Busy");
      await finish("EscalationBoundary", correlationId, "Choose", { stop: true });
      expect(await taskKeys(correlationId)).toEqual(["StoppedTask"]);
      await expectError(
        h.api.finishUserTask(as.clerk, "EscalationBoundary", correlationId, busy.id, { formFields: {} }),
        404,
      );
      await finish("EscalationBoundary", correlationId, "StoppedTask");
      expect((await result("EscalationBoundary", correlationId)).endEventKey).toBe("StoppedDone");
    });

    it("a signal end event throws its signal (its own instance's waiter wakes) and ends its token", async () => {
      const { correlationId } = await start(h.api, as.clerk, "SignalEnd", "SeStart");
      expect(await eventKeys(correlationId)).toEqual(["WhenFinished"]);
      await finish("SignalEnd", correlationId, "Finish");
      expect(await eventKeys(correlationId)).toEqual([]);
      expect(await taskKeys(correlationId)).toEqual(["Tidy"]);
      await finish("SignalEnd", correlationId, "Tidy");
      expect((await result("SignalEnd", correlationId)).endEventKey).toBe("Tidied");
    });

    it("a link throw event continues at the link catch event of its name; a plain task and a none throw event pass", async () => {
      const { correlationId } = await start(h.api, as.clerk, "LinkJump", "LjStart");
      expect(await taskKeys(correlationId)).toEqual(["Landed"]);
      await finish("LinkJump", correlationId, "Landed");
      expect((await result("LinkJump", correlationId)).endEventKey).toBe("LandedDone");
    });

    it("a timeCycle intermediate catch event waits for the cycle's first occurrence", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const { correlationId } = await start(h.api, as.clerk, "CycleCatch", "CcStart");
      await eventually(async () => expect(await taskKeys(correlationId)).toEqual(["Ticked"]), 30_000);
    });

    it("an interrupting message boundary event on a receive task withdraws the receive task", async () => {
      const { correlationId } = await start(h.api, as.clerk, "ReceiveBoundary", "RbStart");
      expect(await eventKeys(correlationId)).toEqual(["AwaitParcel", "GiveUp"]);
      const parcel = await waitingEvent(h.api, as.clerk, correlationId, "AwaitParcel");
      const giveUp = await waitingEvent(h.api, as.clerk, correlationId, "GiveUp");
      expect(giveUp.eventData).toMatchObject({ eventType: "message", attachedToKey: "AwaitParcel" });
      await h.api.triggerEvent(as.clerk, "ReceiveBoundary", correlationId, giveUp.eventId);
      expect(await eventKeys(correlationId)).toEqual([]);
      expect(await taskKeys(correlationId)).toEqual(["Complain"]);
      await expectError(h.api.triggerEvent(as.clerk, "ReceiveBoundary", correlationId, parcel.eventId), 404);
    });
  });
}
