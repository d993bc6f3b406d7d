import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { finishWaiting, keysOf, startAwaiting, waitingTask } from "../steps.js";

/** SPEC §6.1: compensation handlers in reverse order of completion; transactions cancelled by a cancel end event. */
export function compensationCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("compensation and transactions (SPEC §6.1)", () => {
    const h = useApi(options);

    const startFirst = (model: string, startEvent: string, first: string) =>
      startAwaiting(h.api, as.clerk, model, startEvent, first);
    const waiting = async (correlationId: string) =>
      keysOf((await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks, (task) => task.key);
    const finish = (
      model: string,
      correlationId: string,
      key: string,
      formFields: Record<string, unknown> = {},
    ) => finishWaiting(h.api, as.clerk, model, correlationId, key, formFields);

    it("a compensation throw event runs the handlers of completed activities newest first, each with its activity's payload", async () => {
      const { correlationId, answer } = await startFirst("Compensation", "CompensationStart", "Reserve");
      await finish("Compensation", correlationId, "Reserve", { item: "room" });
      await finish("Compensation", correlationId, "Charge", { amount: 12, undo: true });
      expect(await waiting(correlationId)).toEqual(["UndoCharge"]);
      const undoCharge = await finish("Compensation", correlationId, "UndoCharge");
      expect(undoCharge.tokenPayload).toEqual({ formFields: { amount: 12, undo: true } });
      expect(await waiting(correlationId)).toEqual(["UndoReserve"]);
      const undoReserve = await finish("Compensation", correlationId, "UndoReserve");
      expect(undoReserve.tokenPayload).toEqual({ formFields: { item: "room" } });
      // The throw event goes on with its own payload once the last handler is done.
      expect(await answer).toMatchObject({
        endEventKey: "Undone",
        tokenPayload: { formFields: { amount: 12, undo: true } },
      });
    });

    it("without a compensation throw event no handler runs", async () => {
      const { correlationId, answer } = await startFirst("Compensation", "CompensationStart", "Reserve");
      await finish("Compensation", correlationId, "Reserve", { item: "room" });
      await finish("Compensation", correlationId, "Charge", { amount: 12 });
      expect((await answer).endEventKey).toBe("Kept");
      expect(await waiting(correlationId)).toEqual([]);
    });

    it("a cancel end event withdraws what runs in the transaction, compensates it, and leaves by the cancel boundary event", async () => {
      const { correlationId, answer } = await startFirst("Transaction", "TransactionStart", "Book");
      await finish("Transaction", correlationId, "Book");
      const notify = await waitingTask(h.api, as.clerk, correlationId, "Notify");
      await finish("Transaction", correlationId, "Confirm", { cancel: true });
      // Notify was still running inside: withdrawn at once, gone from every list; Book is compensated.
      expect(await waiting(correlationId)).toEqual(["Unbook"]);
      await expectError(
        h.api.finishUserTask(as.clerk, "Transaction", correlationId, notify.id, { formFields: {} }),
        404,
      );
      await finish("Transaction", correlationId, "Unbook");
      expect((await answer).endEventKey).toBe("TransactionCancelled");
    });

    it("a transaction that is not cancelled completes like a sub-process", async () => {
      const { correlationId, answer } = await startFirst("Transaction", "TransactionStart", "Book");
      await finish("Transaction", correlationId, "Book");
      await finish("Transaction", correlationId, "Confirm", { cancel: false });
      expect(await waiting(correlationId)).toEqual(["Notify"]);
      await finish("Transaction", correlationId, "Notify");
      expect((await answer).endEventKey).toBe("TransactionDone");
    });
  });
}
