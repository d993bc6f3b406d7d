import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { finishWaiting, keysOf, startAwaiting } from "../steps.js";

/** SPEC §6.1, BPMN 2.0.2 §13.4.3: the inclusive gateway forks on every true condition and joins what can arrive. */
export function inclusiveGatewayCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("inclusive gateway (SPEC §6.1)", () => {
    const h = useApi(options);

    const startInclusive = (inputValues: object, first: string) =>
      startAwaiting(h.api, as.clerk, "Inclusive", "InclusiveStart", first, { inputValues });
    const waiting = async (correlationId: string) =>
      keysOf((await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks, (task) => task.key);
    const finish = (correlationId: string, key: string, formFields: Record<string, unknown> = {}) =>
      finishWaiting(h.api, as.clerk, "Inclusive", correlationId, key, formFields);

    it("forks on every true condition; the join waits for each branch, a nested parallel fork included", async () => {
      const { correlationId, answer } = await startInclusive({ a: true, b: true }, "InclusiveB");
      expect(await waiting(correlationId)).toEqual(["InclusiveA1", "InclusiveA2", "InclusiveB"]);
      await finish(correlationId, "InclusiveA1");
      await finish(correlationId, "InclusiveB");
      expect(await waiting(correlationId)).toEqual(["InclusiveA2"]);
      await finish(correlationId, "InclusiveA2");
      expect(await waiting(correlationId)).toEqual(["InclusiveAfter"]);
      await finish(correlationId, "InclusiveAfter");
      expect((await answer).endEventKey).toBe("InclusiveJoined");
    });

    it("with one true condition, only that branch runs and the join fires for it alone", async () => {
      const { correlationId, answer } = await startInclusive({ b: true }, "InclusiveB");
      expect(await waiting(correlationId)).toEqual(["InclusiveB"]);
      await finish(correlationId, "InclusiveB");
      expect(await waiting(correlationId)).toEqual(["InclusiveAfter"]);
      await finish(correlationId, "InclusiveAfter");
      expect((await answer).endEventKey).toBe("InclusiveJoined");
    });

    it("takes the default flow when no condition holds", async () => {
      const { correlationId, answer } = await startInclusive({}, "InclusiveC");
      expect(await waiting(correlationId)).toEqual(["InclusiveC"]);
      await finish(correlationId, "InclusiveC");
      expect(await waiting(correlationId)).toEqual(["InclusiveAfter"]);
      await finish(correlationId, "InclusiveAfter");
      expect((await answer).endEventKey).toBe("InclusiveJoined");
    });

    it("fires once the token it waits for takes a path that no longer leads to it", async () => {
      const { correlationId, answer } = await startInclusive({ a: true, b: true }, "InclusiveB");
      await finish(correlationId, "InclusiveA1");
      await finish(correlationId, "InclusiveA2");
      expect(await waiting(correlationId)).toEqual(["InclusiveB"]);
      await finish(correlationId, "InclusiveB", { skip: true });
      expect(await waiting(correlationId)).toEqual(["InclusiveAfter"]);
      await finish(correlationId, "InclusiveAfter");
      expect((await answer).endEventKey).toBe("InclusiveJoined");
    });

    it("fails the instance when no condition holds and there is no default flow", async () => {
      const correlationId = newCorrelationId();
      await expectError(
        h.api.startProcessInstance(
          as.clerk,
          "InclusiveNoDefault",
          "InclusiveNoDefaultStart",
          { correlationId, inputValues: {} },
          2,
        ),
        500,
      );
      await expectError(
        h.api.getProcessResultForCorrelation(as.clerk, "InclusiveNoDefault", correlationId),
        409,
      );
    });
  });
}
