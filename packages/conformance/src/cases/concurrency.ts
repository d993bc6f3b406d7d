import { ConflictError, NotFoundError } from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { eventually, start, waitingEvent, waitingTask } from "../steps.js";

/** Exactly one fulfilled; every other rejected with 404 or 409 (SPEC §4.7). */
function expectExactlyOnce(outcomes: PromiseSettledResult<unknown>[]): void {
  const fulfilled = outcomes.filter((o) => o.status === "fulfilled");
  const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
  const described = rejected.map((o) => `${o.reason?.constructor?.name} ${o.reason?.status}`);
  expect(fulfilled, `one success among ${JSON.stringify(described)}`).toHaveLength(1);
  for (const { reason } of rejected) {
    const ok =
      (reason instanceof NotFoundError && reason.status === 404) ||
      (reason instanceof ConflictError && reason.status === 409);
    expect(
      ok,
      `rejected with 404 or 409, got ${reason?.constructor?.name} ${reason?.status}: ${reason?.message}`,
    ).toBe(true);
  }
}

export function concurrencyCases(options: ConformanceOptions): void {
  describe("concurrency (SPEC §4.3, §4.7)", () => {
    const h = useApi(options);

    beforeEach(({ skip }) => {
      if (!h.supports.concurrency) skip("concurrency not supported");
    });

    it("of 5 concurrent finishes of one task exactly one succeeds, the rest get 404 or 409", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      const outcomes = await Promise.allSettled(
        [true, false, true, false, true].map((approved) =>
          h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, { formFields: { approved } }),
        ),
      );
      expectExactlyOnce(outcomes);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId);
      expect(["Approved", "Rejected"]).toContain(result.endEventKey);
    });

    it("of 5 concurrent triggers of one event exactly one succeeds, the rest get 404 or 409", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      const outcomes = await Promise.allSettled(
        [1, 2, 3, 4, 5].map((n) =>
          h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId, { n }),
        ),
      );
      expectExactlyOnce(outcomes);
    });

    it("10 concurrent starts into one correlation are all recorded", async () => {
      const correlationId = newCorrelationId();
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          start(h.api, as.clerk, "Basic", "StartA", { correlationId, inputValues: { i } }),
        ),
      );
      const ids = answers.map((a) => a.processInstanceId);
      expect(new Set(ids).size).toBe(10);
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      expect(userTasks.map((t) => t.processInstanceId).sort()).toEqual([...ids].sort());
      expect(userTasks.map((t) => (t.tokenPayload as { i: number }).i).sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
    });

    it("10 concurrent callback-2 starts each answer their own instance's result", async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          start(h.api, as.clerk, "Scripted", "Start", { callback: 2, inputValues: { amount: i } }),
        ),
      );
      expect(answers.map((a) => a.tokenPayload)).toEqual(
        Array.from({ length: 10 }, (_, i) => ({ total: i * 2 })),
      );
    });

    it("a caller waiting with callback 2 blocks nothing: other calls finish the instance it waits for", async () => {
      const correlationId = newCorrelationId();
      const waiting = h.api.startProcessInstance(as.clerk, "Basic", "StartA", { correlationId }, 2);
      const task = await eventually(() => waitingTask(h.api, as.clerk, correlationId, "Review"));
      await start(h.api, as.clerk, "Scripted", "Start", { callback: 2, inputValues: { amount: 1 } });
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: false },
      });
      expect((await waiting).endEventKey).toBe("Rejected");
    });

    it("the branches of a parallel join finished concurrently finish the instance exactly once", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Parallel", "ParallelStart");
      const left = await waitingTask(h.api, as.clerk, correlationId, "Left");
      const right = await waitingTask(h.api, as.clerk, correlationId, "Right");
      await Promise.all([
        h.api.finishUserTask(as.clerk, "Parallel", correlationId, left.id, { formFields: { l: "L" } }),
        h.api.finishUserTask(as.clerk, "Parallel", correlationId, right.id, { formFields: { r: "R" } }),
      ]);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Parallel", correlationId);
      expect(result).toMatchObject({ endEventKey: "Joined", result: { left: "L", right: "R" } });
    });
  });
}
