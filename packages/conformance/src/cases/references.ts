import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { start, waitingEvent, waitingTask } from "../steps.js";

/** SPEC §6.1: references as BPMN 2.0.2 allows them run exactly like plain ones. */
export function referenceCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)(
    "references: padded ids and eventDefinitionRef (SPEC §6.1)",
    () => {
      const h = useApi(options);

      it("a model whose IDREFs are padded with whitespace loads and runs, lanes included", async () => {
        const { correlationId } = await start(h.api, as.clerk, "PaddedIds", "PaddedStart");
        const task = await waitingTask(h.api, as.clerk, correlationId, "PaddedTask");
        // The lane assignment came through a padded flowNodeRef: a manager may not see the task.
        const { userTasks } = await h.api.getUserTasksForCorrelation(as.manager, correlationId);
        expect(userTasks).toEqual([]);
        await h.api.finishUserTask(as.clerk, "PaddedIds", correlationId, task.id, { formFields: {} });
        const result = await h.api.getProcessResultForCorrelation(as.clerk, "PaddedIds", correlationId);
        expect(result.endEventKey).toBe("PaddedEnd");
      });

      it("an error end event given by eventDefinitionRef fails the instance (callback 2: 500)", async () => {
        await expectError(start(h.api, as.clerk, "DefinitionRefs", "ErrorRefStart", { callback: 2 }), 500);
      });

      it("a message catch event given by eventDefinitionRef waits with the referenced message's name", async () => {
        const { correlationId } = await start(h.api, as.clerk, "DefinitionRefs", "MessageRefStart");
        const event = await waitingEvent(h.api, as.clerk, correlationId, "MessageRefWait");
        expect(event.eventData).toEqual({ eventType: "message", eventName: "referenced" });
      });
    },
  );
}
