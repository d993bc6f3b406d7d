import { describe, expect, it } from "vitest";
import { expectError, expectErrorHiding } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingTask } from "../steps.js";

export function resultCases(options: ConformanceOptions): void {
  describe("results and token history (SPEC §1, §4.8)", () => {
    const h = useApi(options);

    it("answers correlationId, processModelKey, processInstanceId, endEventKey and result", async () => {
      const { correlationId, processInstanceId } = await start(h.api, as.clerk, "Gateways", "Start", {
        callback: 2,
        inputValues: { amount: 50 },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Gateways", correlationId);
      expect(result).toEqual({
        correlationId,
        processModelKey: "Gateways",
        processInstanceId,
        endEventKey: "Big",
        result: { amount: 50 },
      });
    });

    it("409 while no instance of the model has finished", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId), 409);
    });

    it("404 for an unknown correlation", async () => {
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "Basic", newCorrelationId()), 404);
    });

    it("404 for a model not in the correlation", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartB", { callback: 2 });
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "Gateways", correlationId), 404);
    });

    it("404 for an unknown model", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartB", { callback: 2 });
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "NoSuchModel", correlationId), 404);
    });

    it("answers the most recently finished instance of the model", async () => {
      const correlationId = newCorrelationId();
      await start(h.api, as.clerk, "Gateways", "Start", {
        correlationId,
        callback: 2,
        inputValues: { amount: 5 },
      });
      const later = await start(h.api, as.clerk, "Gateways", "Start", {
        correlationId,
        callback: 2,
        inputValues: { amount: 500 },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Gateways", correlationId);
      expect(result.processInstanceId).toBe(later.processInstanceId);
      expect(result.endEventKey).toBe("Huge");
      expect(result.result).toEqual({ amount: 500 });
    });

    it("a finished instance answers while another of the same model still waits", async () => {
      const correlationId = newCorrelationId();
      const finished = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId);
      expect(result.processInstanceId).toBe(finished.processInstanceId);
    });

    it("is per model: a finished model answers while another model of the correlation waits", async () => {
      const correlationId = newCorrelationId();
      await start(h.api, as.clerk, "Basic", "StartB", { correlationId, callback: 2 });
      await start(h.api, as.clerk, "Forms", "FormsStart", { correlationId });
      expect((await h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId)).endEventKey).toBe(
        "Echoed",
      );
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "Forms", correlationId), 409);
    });

    it("a script's return value replaces the token payload", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Scripted", "Start", {
        callback: 2,
        inputValues: { amount: 21 },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Scripted", correlationId);
      expect(result.endEventKey).toBe("Done");
      expect(result.result).toEqual({ total: 42 });
    });

    it("token history across several tasks: a script reads what two user tasks and the start event left", async () => {
      const { correlationId } = await start(h.api, as.clerk, "History", "HistoryStart", {
        inputValues: { customer: "c-1" },
      });
      const first = await waitingTask(h.api, as.clerk, correlationId, "First");
      expect(first.tokenPayload).toEqual({ customer: "c-1" });
      await h.api.finishUserTask(as.clerk, "History", correlationId, first.id, { formFields: { a: 30 } });
      const second = await waitingTask(h.api, as.clerk, correlationId, "Second");
      await h.api.finishUserTask(as.clerk, "History", correlationId, second.id, { formFields: { b: 12 } });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "History", correlationId);
      expect(result.endEventKey).toBe("Combined");
      expect(result.result).toEqual({
        sum: 42,
        input: { customer: "c-1" },
        current: { formFields: { b: 12 } },
      });
    });

    it("a terminate end event's result is readable", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Endings", "TerminateStart", {
        callback: 2,
        inputValues: { why: "test" },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Endings", correlationId);
      expect(result.endEventKey).toBe("Abort");
      expect(result.result).toEqual({ prepared: true, input: { why: "test" } });
    });

    it("409 after an error end event: a failed instance has no result", async () => {
      const correlationId = newCorrelationId();
      await expectError(start(h.api, as.clerk, "Endings", "ErrorStart", { correlationId, callback: 2 }), 500);
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "Endings", correlationId), 409);
    });

    it("409 after a script failure: a failed instance has no result", async () => {
      const correlationId = newCorrelationId();
      await expectError(start(h.api, as.clerk, "Scripted", "FailStart", { correlationId, callback: 2 }), 500);
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "Scripted", correlationId), 409);
    });

    it("403 when the instance finished through an end event the caller may not access", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Lanes", "ClerkStart", {
        callback: 2,
        inputValues: { direct: "manager" },
      });
      await expectErrorHiding(h.api.getProcessResultForCorrelation(as.clerk, "Lanes", correlationId), 403, [
        "ManagerEnd",
      ]);
    });

    it("the same result answers a caller holding the end event's lane", async () => {
      const { correlationId, processInstanceId } = await start(h.api, as.clerk, "Lanes", "ClerkStart", {
        callback: 2,
        inputValues: { direct: "manager" },
      });
      const result = await h.api.getProcessResultForCorrelation(as.manager, "Lanes", correlationId);
      expect(result.processInstanceId).toBe(processInstanceId);
      expect(result.endEventKey).toBe("ManagerEnd");
      expect(result.result).toEqual({ direct: "manager" });
    });
  });
}
