import { describe, expect, it } from "vitest";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { correlationSteps, start } from "../steps.js";

/**
 * SPEC §6.1: conditional events. A condition over `token` is checked at the end of every step of its
 * instance; the event occurs when it becomes true (true on arrival: at once).
 */
export function conditionalEventCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("conditional events (SPEC §6.1)", () => {
    const h = useApi(options);
    const { taskKeys, finish } = correlationSteps(h, as.clerk);

    it("a conditional catch event whose condition holds on arrival passes at once", async () => {
      const { correlationId } = await start(h.api, as.clerk, "ConditionalCatch", "CondStart", {
        inputValues: { approved: true },
      });
      expect(await taskKeys(correlationId)).toEqual(["Approve", "Ship"]);
    });

    it("a waiting conditional catch event occurs in the step that makes its condition true, and is no §4.4 event", async () => {
      const { correlationId } = await start(h.api, as.clerk, "ConditionalCatch", "CondStart");
      expect(await taskKeys(correlationId)).toEqual(["Approve"]);
      expect((await h.api.getEventsForCorrelation(as.clerk, correlationId)).events).toEqual([]);
      await finish("ConditionalCatch", correlationId, "Approve", { go: true });
      expect(await taskKeys(correlationId)).toEqual(["Ship"]);
    });

    it("an interrupting conditional boundary event cancels its activity when the condition becomes true", async () => {
      const { correlationId } = await start(h.api, as.clerk, "ConditionalBoundary", "BoundStart");
      await finish("ConditionalBoundary", correlationId, "Flag", { abort: false });
      expect(await taskKeys(correlationId)).toEqual(["Flag", "Review"]);
      await finish("ConditionalBoundary", correlationId, "Flag", { abort: true });
      expect(await taskKeys(correlationId)).toEqual(["Aborted", "Flag"]);
    });

    it("a non-interrupting conditional boundary event occurs each time its condition becomes true", async () => {
      const { correlationId } = await start(h.api, as.clerk, "ConditionalBoundary", "BoundStart");
      await finish("ConditionalBoundary", correlationId, "Flag", { notice: true });
      expect(await taskKeys(correlationId)).toEqual(["Flag", "Noticed", "Review"]);
      // Still true: no new occurrence; false, then true again: one more.
      await finish("ConditionalBoundary", correlationId, "Flag", { notice: true });
      expect(await taskKeys(correlationId)).toEqual(["Flag", "Noticed", "Review"]);
      await finish("ConditionalBoundary", correlationId, "Flag", { notice: false });
      await finish("ConditionalBoundary", correlationId, "Flag", { notice: true });
      expect(await taskKeys(correlationId)).toEqual(["Flag", "Noticed", "Noticed", "Review"]);
    });

    it("a conditional event sub-process starts when its condition becomes true", async () => {
      const calm = await start(h.api, as.clerk, "ConditionalEventSubProcess", "FillStart");
      await finish("ConditionalEventSubProcess", calm.correlationId, "Fill", { urgent: false });
      expect(await taskKeys(calm.correlationId)).toEqual(["Check"]);
      const urgent = await start(h.api, as.clerk, "ConditionalEventSubProcess", "FillStart");
      await finish("ConditionalEventSubProcess", urgent.correlationId, "Fill", { urgent: true });
      expect(await taskKeys(urgent.correlationId)).toEqual(["Check", "Urgent"]);
    });
  });
}
