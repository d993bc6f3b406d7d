import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { finishWaiting, startAwaiting } from "../steps.js";

/** SPEC §6, BPMN 2.0.2 §13.4.1: a token held at a parallel join is a token of its instance. */
export function joinCases(options: ConformanceOptions): void {
  describe("parallel joins (SPEC §6)", () => {
    const h = useApi(options);

    const startBypass = (correlationId: string) =>
      startAwaiting(h.api, as.clerk, "JoinBypass", "BypassStart", "TaskB", { correlationId });
    const finish = (
      model: string,
      correlationId: string,
      key: string,
      formFields: Record<string, unknown> = {},
    ) => finishWaiting(h.api, as.clerk, model, correlationId, key, formFields);

    for (const order of [
      ["TaskA", "TaskB"],
      ["TaskB", "TaskA"],
    ] as const) {
      it(`an instance whose last live branch ends while a token waits at a join fails, ${order.join(" then ")} (no finish, no endless run)`, async () => {
        const correlationId = newCorrelationId();
        const { answer } = await startBypass(correlationId);
        for (const key of order) {
          await finish("JoinBypass", correlationId, key, key === "TaskB" ? { bypass: true } : {});
        }
        await expectError(answer, 500);
        await expectError(h.api.getProcessResultForCorrelation(as.clerk, "JoinBypass", correlationId), 409);
        const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
        expect(userTasks).toEqual([]);
      });
    }

    it("a join fires once every branch arrived, in either order", async () => {
      for (const order of [
        ["TaskA", "TaskB"],
        ["TaskB", "TaskA"],
      ]) {
        const correlationId = newCorrelationId();
        const { answer } = await startBypass(correlationId);
        for (const key of order) await finish("JoinBypass", correlationId, key);
        expect((await answer).endEventKey).toBe("BothDone");
      }
    });

    it("a join counts incoming flows with ids such as __proto__ and constructor", async () => {
      for (const order of [
        ["ProtoA", "ProtoB"],
        ["ProtoB", "ProtoA"],
      ]) {
        const correlationId = newCorrelationId();
        const { answer } = await startAwaiting(h.api, as.clerk, "ProtoJoin", "ProtoStart", "ProtoB", {
          correlationId,
        });
        for (const key of order) await finish("ProtoJoin", correlationId, key);
        expect((await answer).endEventKey).toBe("ProtoJoined");
      }
    });
  });
}
