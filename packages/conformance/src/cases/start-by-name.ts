import { beforeEach, describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";

/** SPEC §6.1, §11: message and signal start events start instances only by name. */
export function startByNameCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)(
    "message and signal start events (SPEC §6.1, §11)",
    () => {
      const h = useApi(options);

      beforeEach(({ skip }) => {
        if (!h.supports.triggerByName) skip("triggerByName not supported");
      });

      const tasksIn = async (correlationId: string) =>
        (await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks;

      it("are not listed by §4.1 and §4.3 does not start them (404)", async () => {
        const { processModels } = await h.api.getProcessModels(as.clerk);
        const keys = processModels.map((model) => model.key);
        expect(keys).not.toContain("MessageStart");
        expect(keys).not.toContain("SignalStart");
        await expectError(h.api.startProcessInstance(as.clerk, "MessageStart", "OrderReceived"), 404);
        await expectError(h.api.startProcessInstance(as.clerk, "SignalStart", "AlarmRaised"), 404);
      });

      it("a message by name with a correlation starts an instance in it, the payload its input (read-your-writes)", async () => {
        const correlationId = newCorrelationId();
        await h.api.triggerMessageEvent(as.clerk, "conformance-order", { item: 42 }, correlationId);
        const tasks = await tasksIn(correlationId);
        expect(tasks.map((task) => [task.processModelKey, task.key])).toEqual([
          ["MessageStart", "HandleOrder"],
        ]);
        expect(tasks[0]?.tokenPayload).toEqual({ item: 42 });
      });

      it("a message by name without a correlation starts an instance in a new correlation each time", async () => {
        const before = (await h.api.getUserTasksForProcessModel(as.clerk, "MessageStart")).userTasks;
        await h.api.triggerMessageEvent(as.clerk, "conformance-order", { n: 1 });
        await h.api.triggerMessageEvent(as.clerk, "conformance-order", { n: 2 });
        const known = new Set(before.map((task) => task.id));
        const started = (await h.api.getUserTasksForProcessModel(as.clerk, "MessageStart")).userTasks.filter(
          (task) => !known.has(task.id),
        );
        expect(started.map((task) => task.tokenPayload)).toEqual(
          expect.arrayContaining([{ n: 1 }, { n: 2 }]),
        );
        expect(started).toHaveLength(2);
        expect(started[0]?.correlationId).not.toBe(started[1]?.correlationId);
      });

      it("a signal by name starts an instance of every model with its signal start event", async () => {
        const before = (await h.api.getUserTasksForProcessModel(as.clerk, "SignalStart")).userTasks;
        await h.api.triggerSignalEvent(as.clerk, "conformance-alarm", { level: 3 });
        const known = new Set(before.map((task) => task.id));
        const started = (await h.api.getUserTasksForProcessModel(as.clerk, "SignalStart")).userTasks.filter(
          (task) => !known.has(task.id),
        );
        expect(started.map((task) => [task.key, task.tokenPayload])).toEqual([["React", { level: 3 }]]);
      });
    },
  );
}
