import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";
import { keysOf, start, waitingEvent, waitingTask } from "../steps.js";

export function elementCases(options: ConformanceOptions): void {
  describe("BPMN elements and token semantics (SPEC §1, §6)", () => {
    const h = useApi(options);

    it("a manual task passes straight through; a script reads token.current", async () => {
      const answer = await start(h.api, as.clerk, "Scripted", "Start", {
        callback: 2,
        inputValues: { amount: 8 },
      });
      expect(answer).toMatchObject({ endEventKey: "Done", tokenPayload: { total: 16 } });
    });

    for (const [amount, end] of [
      [500, "Huge"],
      [50, "Big"],
      [5, "Small"],
    ] as const) {
      it(`an exclusive gateway routes amount ${amount} to ${end}${end === "Small" ? " (default flow)" : ""}`, async () => {
        const answer = await start(h.api, as.clerk, "Gateways", "Start", {
          callback: 2,
          inputValues: { amount },
        });
        expect(answer.endEventKey).toBe(end);
        expect(answer.tokenPayload).toEqual({ amount });
      });
    }

    it("an exclusive gateway without a matching path and default flow fails the instance", async () => {
      const ok = await start(h.api, as.clerk, "NoMatch", "NoMatchStart", {
        callback: 2,
        inputValues: { amount: 11 },
      });
      expect(ok.endEventKey).toBe("Matched");
      const correlationId = ok.correlationId;
      await expectError(
        start(h.api, as.clerk, "NoMatch", "NoMatchStart", {
          correlationId,
          callback: 2,
          inputValues: { amount: 1 },
        }),
        500,
      );
      // The failed instance left no result: the earlier one is still the most recent finished.
      expect(
        (await h.api.getProcessResultForCorrelation(as.clerk, "NoMatch", correlationId)).processInstanceId,
      ).toBe(ok.processInstanceId);
    });

    it("a parallel fork makes every branch wait at once", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Parallel", "ParallelStart");
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      expect(keysOf(userTasks, (t) => t.key)).toEqual(["Left", "Right"]);
    });

    it("a parallel join waits for every branch", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Parallel", "ParallelStart");
      const left = await waitingTask(h.api, as.clerk, correlationId, "Left");
      await h.api.finishUserTask(as.clerk, "Parallel", correlationId, left.id, { formFields: { l: "x" } });
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "Parallel", correlationId), 409);
      const right = await waitingTask(h.api, as.clerk, correlationId, "Right");
      await h.api.finishUserTask(as.clerk, "Parallel", correlationId, right.id, { formFields: { r: "y" } });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Parallel", correlationId);
      expect(result).toMatchObject({ endEventKey: "Joined", result: { left: "x", right: "y" } });
    });

    it("a message intermediate catch event waits until triggered", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "MessageWait", correlationId), 409);
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      expect(event.eventData).toEqual({ eventType: "message", eventName: "confirmation" });
    });

    it("a signal intermediate catch event waits with its signal's name", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Events", "EventsStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "GoAhead");
      expect(event.eventData).toEqual({ eventType: "signal", eventName: "go-ahead" });
    });

    it("a receive task waits like a message catch event", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Events", "EventsStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "AwaitDocument");
      expect(event.eventData).toEqual({ eventType: "message", eventName: "document" });
    });

    it("a signal intermediate throw event passes through", async () => {
      const answer = await start(h.api, as.clerk, "Signals", "Start", { callback: 2, inputValues: { s: 1 } });
      expect(answer).toMatchObject({ endEventKey: "Thrown", tokenPayload: { s: 1 } });
    });

    it("a timer intermediate catch event fires after its duration", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const answer = await start(h.api, as.clerk, "Timer", "Start", { callback: 3, endEvent: "Elapsed" });
      expect(answer.endEventKey).toBe("Elapsed");
    });

    it("an embedded sub-process's user task waits under the process model", async () => {
      const { correlationId, processInstanceId } = await start(h.api, as.clerk, "Embedded", "EmbeddedStart", {
        inputValues: { order: 1 },
      });
      const task = await waitingTask(h.api, as.clerk, correlationId, "InnerTask");
      expect(task).toMatchObject({
        processModelKey: "Embedded",
        processInstanceId,
        tokenPayload: { order: 1 },
      });
      expect(task.data.formFields).toEqual([{ id: "qty", type: "long", label: "Quantity", required: true }]);
    });

    it("an embedded sub-process runs to its end and the process continues", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Embedded", "EmbeddedStart");
      const task = await waitingTask(h.api, as.clerk, correlationId, "InnerTask");
      await h.api.finishUserTask(as.clerk, "Embedded", correlationId, task.id, { formFields: { qty: 21 } });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Embedded", correlationId);
      expect(result).toMatchObject({ endEventKey: "Handled", result: { doubled: 42 } });
    });

    it("a terminate end event ends the branches that still wait", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Endings", "ForkStart");
      expect((await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks).toEqual([]);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Endings", correlationId);
      expect(result.endEventKey).toBe("ForkAbort");
    });

    it("a none end event finishes the instance with the token payload", async () => {
      const answer = await start(h.api, as.clerk, "Endings", "NormalStart", {
        callback: 2,
        inputValues: ["as", "is"],
      });
      expect(answer).toMatchObject({ endEventKey: "Normal", tokenPayload: ["as", "is"] });
    });

    it("several none start events: each starts its own path", async () => {
      const bare = await start(h.api, as.clerk, "Forms", "BareStart");
      await waitingTask(h.api, as.clerk, bare.correlationId, "Bare");
      const form = await start(h.api, as.clerk, "Forms", "FormsStart");
      await waitingTask(h.api, as.clerk, form.correlationId, "FillForm");
    });
  });
}
