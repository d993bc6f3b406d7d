import type { StartCallbackType } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { expectBadRequest, expectError, expectErrorHiding } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { eventually, start, waitingTask } from "../steps.js";

export function callbackCases(options: ConformanceOptions): void {
  describe("start callback types (SPEC §4.3)", () => {
    const h = useApi(options);
    const startWith = (callback: number, endEvent?: string) =>
      h.api.startProcessInstance(
        as.clerk,
        "Gateways",
        "Start",
        { correlationId: newCorrelationId(), inputValues: { amount: 50 } },
        callback as StartCallbackType,
        endEvent,
      );

    it("2 answers once finished, with the end event and the token payload", async () => {
      const answer = await start(h.api, as.clerk, "Basic", "StartB", { callback: 2, inputValues: { x: 1 } });
      expect(answer.endEventKey).toBe("Echoed");
      expect(answer.tokenPayload).toEqual({ echoed: { x: 1 } });
    });

    it("3 answers once the awaited end event was reached", async () => {
      const answer = await start(h.api, as.clerk, "Gateways", "Start", {
        callback: 3,
        endEvent: "Big",
        inputValues: { amount: 50 },
      });
      expect(answer.endEventKey).toBe("Big");
      expect(answer.tokenPayload).toEqual({ amount: 50 });
    });

    it("2 waits through a user task and answers once it was finished", async () => {
      const correlationId = newCorrelationId();
      const pending = h.api.startProcessInstance(as.clerk, "Basic", "StartA", { correlationId }, 2);
      const task = await eventually(() => waitingTask(h.api, as.clerk, correlationId, "Review"));
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      const answer = await pending;
      expect(answer.correlationId).toBe(correlationId);
      expect(answer.processInstanceId).toBe(task.processInstanceId);
      expect(answer.endEventKey).toBe("Approved");
      expect(answer.tokenPayload).toEqual({ formFields: { approved: true } });
    });

    it("2: a caller that gives up (its context's signal aborts) gets a rejection; the instance runs on", async () => {
      const correlationId = newCorrelationId();
      const caller = new AbortController();
      const pending = h.api
        .startProcessInstance({ ...as.clerk, signal: caller.signal }, "Basic", "StartA", { correlationId }, 2)
        .then(
          () => "answered",
          () => "rejected",
        );
      const task = await eventually(() => waitingTask(h.api, as.clerk, correlationId, "Review"));
      caller.abort();
      expect(await pending).toBe("rejected");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId);
      expect(result.endEventKey).toBe("Approved");
      expect(result.result).toEqual({ formFields: { approved: true } });
    });

    it("3 waits through a user task and answers once its end event was reached", async () => {
      const correlationId = newCorrelationId();
      const pending = h.api.startProcessInstance(
        as.clerk,
        "Basic",
        "StartA",
        { correlationId },
        3,
        "Rejected",
      );
      const task = await eventually(() => waitingTask(h.api, as.clerk, correlationId, "Review"));
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: false },
      });
      const answer = await pending;
      expect(answer.endEventKey).toBe("Rejected");
    });

    it("2 and 3 wait for their own instance, not another one of the same correlation", async () => {
      const correlationId = newCorrelationId();
      const awaiting = h.api.startProcessInstance(
        as.clerk,
        "Basic",
        "StartA",
        { correlationId },
        3,
        "Approved",
      );
      const task = await eventually(() => waitingTask(h.api, as.clerk, correlationId, "Review"));
      const other = await start(h.api, as.clerk, "Basic", "StartB", { correlationId, callback: 2 });
      expect(other.endEventKey).toBe("Echoed");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      const answer = await awaiting;
      expect(answer.processInstanceId).toBe(task.processInstanceId);
      expect(answer.endEventKey).toBe("Approved");
    });

    it("3: 409 when the instance finished through another end event", async () => {
      await expectError(startWith(3, "Small"), 409);
    });

    it("3: 400 naming the end event when it is missing", async () => {
      await expectBadRequest(startWith(3), /end_?event/i);
    });

    it("3: 404 for an unknown end event", async () => {
      await expectError(startWith(3, "NoSuchEnd"), 404);
    });

    it("3: 403 for an end event in a lane the caller lacks, without naming it", async () => {
      await expectErrorHiding(
        h.api.startProcessInstance(
          as.clerk,
          "Lanes",
          "ClerkStart",
          { correlationId: newCorrelationId() },
          3,
          "ManagerEnd",
        ),
        403,
        ["ManagerEnd"],
      );
    });

    it("400 naming startCallbackType for an unknown type", async () => {
      await expectBadRequest(startWith(4), "startCallbackType");
    });

    it("400 for callback type 0", async () => {
      await expectError(startWith(0), 400);
    });

    it("1 ignores an end event key", async () => {
      const answer = await startWith(1, "NoSuchEnd");
      expect(answer.endEventKey).toBeUndefined();
    });

    it("2 ignores an end event key", async () => {
      const answer = await startWith(2, "NoSuchEnd");
      expect(answer.endEventKey).toBe("Big");
    });

    it("1 and 2 ignore even an empty end event key", async () => {
      expect((await startWith(1, "")).endEventKey).toBeUndefined();
      expect((await startWith(2, "")).endEventKey).toBe("Big");
    });

    it("3: 400 naming the end event when it is empty", async () => {
      await expectBadRequest(startWith(3, ""), /end_?event/i);
    });

    it("2: 500 when a script fails, with the failure's detail for a caller who may see the script", async () => {
      const error = await expectError(start(h.api, as.clerk, "Scripted", "FailStart", { callback: 2 }), 500);
      expect(error.detail).toContain("explode-7f3a");
    });

    it("3: 500 when the instance fails before the awaited end event", async () => {
      await expectError(
        start(h.api, as.clerk, "Scripted", "FailStart", { callback: 3, endEvent: "NeverReached" }),
        500,
      );
    });

    it("2: 500 when the instance reaches an error end event", async () => {
      await expectError(start(h.api, as.clerk, "Endings", "ErrorStart", { callback: 2 }), 500);
    });

    it("2: 500 when an exclusive gateway has no matching path", async () => {
      await expectError(
        start(h.api, as.clerk, "NoMatch", "NoMatchStart", { callback: 2, inputValues: { amount: 1 } }),
        500,
      );
    });

    it("2 answers a terminate end event with its key and the token payload", async () => {
      const answer = await start(h.api, as.clerk, "Endings", "TerminateStart", {
        callback: 2,
        inputValues: { k: 1 },
      });
      expect(answer.endEventKey).toBe("Abort");
      expect(answer.tokenPayload).toEqual({ prepared: true, input: { k: 1 } });
    });

    it("3 answers once a terminate end event it awaits was reached", async () => {
      const answer = await start(h.api, as.clerk, "Endings", "TerminateStart", {
        callback: 3,
        endEvent: "Abort",
      });
      expect(answer.endEventKey).toBe("Abort");
    });

    it("2 hides an end event the caller may not access: only correlation and instance", async () => {
      const answer = await start(h.api, as.clerk, "Lanes", "ClerkStart", {
        callback: 2,
        inputValues: { direct: "manager" },
      });
      expect(typeof answer.processInstanceId).toBe("string");
      expect(answer.endEventKey).toBeUndefined();
      expect(answer.tokenPayload).toBeUndefined();
    });

    it("2 shows that end event to a caller holding its lane", async () => {
      const answer = await start(h.api, as.both, "Lanes", "ClerkStart", {
        callback: 2,
        inputValues: { direct: "manager" },
      });
      expect(answer.endEventKey).toBe("ManagerEnd");
      expect(answer.tokenPayload).toEqual({ direct: "manager" });
    });

    it("2: a failure in a lane the caller lacks is a 500 without the failure's detail", async () => {
      const error = await expectError(
        start(h.api, as.clerk, "Lanes", "ClerkStart", { callback: 2, inputValues: { direct: "fail" } }),
        500,
      );
      expect(error.detail).not.toContain("lane-secret-4b1e");
      expect(error.detail, "the detail names the inaccessible script").not.toContain("ManagerCheck");
    });

    it("2: the same failure shows its detail to a caller holding the lane", async () => {
      const error = await expectError(
        start(h.api, as.both, "Lanes", "ClerkStart", { callback: 2, inputValues: { direct: "fail" } }),
        500,
      );
      expect(error.detail).toContain("lane-secret-4b1e");
    });

    it("2 waits for a timer", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const answer = await start(h.api, as.clerk, "Timer", "Start", { callback: 2, inputValues: { t: 1 } });
      expect(answer.endEventKey).toBe("Elapsed");
      expect(answer.tokenPayload).toEqual({ t: 1 });
    });
  });
}
