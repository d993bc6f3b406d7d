import type { UserTask } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { correlationSteps, start, waitingEvent, waitingTask } from "../steps.js";

/**
 * SPEC §6.1: event sub-processes in nested scopes (fixture event-sub-process-nesting.bpmn). An interrupting
 * one withdraws everything else in its own scope — and only there — in the step it occurs in; an error or
 * escalation is caught in the innermost scope that has a matching catcher (BPMN 2.0.2 §10.5.1).
 */
export function eventSubProcessScopeCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)(
    "event sub-processes in nested scopes (SPEC §6.1)",
    () => {
      const h = useApi(options);
      const { taskKeys, eventKeys, finish, result } = correlationSteps(h, as.clerk);

      /** A withdrawn user task: in none of the three §4.6 lists, and finishing it answers 404. */
      async function expectWithdrawn(model: string, correlationId: string, task: UserTask) {
        const lists = [
          (await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks,
          (await h.api.getUserTasksForProcessModel(as.clerk, model)).userTasks,
          (await h.api.getUserTasksForProcessModelInCorrelation(as.clerk, model, correlationId)).userTasks,
        ];
        for (const list of lists) expect(list.map((listed) => listed.id)).not.toContain(task.id);
        await expectError(
          h.api.finishUserTask(as.clerk, model, correlationId, task.id, { formFields: {} }),
          404,
        );
      }

      describe("an interrupting conditional event sub-process", () => {
        it("waits while its condition is false", async () => {
          const { correlationId } = await start(h.api, as.clerk, "ConditionalInterrupt", "CiStart");
          await finish("ConditionalInterrupt", correlationId, "Fill", { stop: false });
          expect(await taskKeys(correlationId)).toEqual(["Other", "Review"]);
        });

        it("occurs in the step that makes its condition true: the rest of its scope is withdrawn, the instance ends through it", async () => {
          const { correlationId } = await start(h.api, as.clerk, "ConditionalInterrupt", "CiStart");
          const other = await waitingTask(h.api, as.clerk, correlationId, "Other");
          await finish("ConditionalInterrupt", correlationId, "Fill", { stop: true });
          // Review was reached in the same step, and withdrawn with Other.
          expect(await taskKeys(correlationId)).toEqual(["Stopping"]);
          await expectWithdrawn("ConditionalInterrupt", correlationId, other);
          await finish("ConditionalInterrupt", correlationId, "Stopping");
          expect((await result("ConditionalInterrupt", correlationId)).endEventKey).toBe("Stopped");
          expect(await taskKeys(correlationId)).toEqual([]);
        });
      });

      describe("escalation event sub-processes", () => {
        it("a non-interrupting one at the process level runs beside a thrower inside a sub-process, which goes on", async () => {
          const { correlationId } = await start(h.api, as.clerk, "EscalationScopes", "EsStart");
          await finish("EscalationScopes", correlationId, "Decide", { action: "note" });
          expect(await taskKeys(correlationId)).toEqual(["AfterNote", "Noted", "Outside"]);
        });

        it("an interrupting one at the process level withdraws the sub-process, its thrower and the parallel work; the instance ends through it", async () => {
          const { correlationId } = await start(h.api, as.clerk, "EscalationScopes", "EsStart");
          const outside = await waitingTask(h.api, as.clerk, correlationId, "Outside");
          await finish("EscalationScopes", correlationId, "Decide", { action: "halt" });
          // The throw event's own path (AfterHalt) was never taken: the thrower was cancelled with its scope.
          expect(await taskKeys(correlationId)).toEqual(["Halted"]);
          await expectWithdrawn("EscalationScopes", correlationId, outside);
          await finish("EscalationScopes", correlationId, "Halted");
          expect((await result("EscalationScopes", correlationId)).endEventKey).toBe("HaltDone");
        });

        it("the innermost scope's catcher wins: a non-interrupting one in the sub-process, not the interrupting one outside", async () => {
          const { correlationId } = await start(h.api, as.clerk, "EscalationScopes", "EsStart");
          // An escalation end event: its token ends; the sub-process waits for its event sub-process.
          await finish("EscalationScopes", correlationId, "Decide", { action: "inner" });
          expect(await taskKeys(correlationId)).toEqual(["InnerNoted", "Outside"]);
          await finish("EscalationScopes", correlationId, "InnerNoted");
          expect(await taskKeys(correlationId)).toEqual(["AfterSub", "Outside"]);
        });
      });

      describe("event sub-processes in a sub-process and at the process level", () => {
        const model = "NestedEventSubProcesses";

        it("both scopes' message start events are listed; the inner one is withdrawn when its sub-process completes", async () => {
          const { correlationId } = await start(h.api, as.clerk, model, "NestStart");
          expect(await eventKeys(correlationId)).toEqual(["InnerStop", "OuterStop"]);
          await finish(model, correlationId, "Inside");
          expect(await taskKeys(correlationId)).toEqual(["AfterNest", "Parallel"]);
          expect(await eventKeys(correlationId)).toEqual(["OuterStop"]);
        });

        it("an interrupting inner one withdraws only its sub-process's scope: the outer parallel work goes on", async () => {
          const { correlationId } = await start(h.api, as.clerk, model, "NestStart");
          const inside = await waitingTask(h.api, as.clerk, correlationId, "Inside");
          const stop = await waitingEvent(h.api, as.clerk, correlationId, "InnerStop");
          await h.api.triggerEvent(as.clerk, model, correlationId, stop.eventId, { why: "inner" });
          expect(await taskKeys(correlationId)).toEqual(["InnerStopped", "Parallel"]);
          expect(await eventKeys(correlationId)).toEqual(["OuterStop"]);
          await expectWithdrawn(model, correlationId, inside);
          expect((await waitingTask(h.api, as.clerk, correlationId, "InnerStopped")).tokenPayload).toEqual({
            why: "inner",
          });
          // The sub-process completes through its event sub-process and continues on its outgoing flow.
          await finish(model, correlationId, "InnerStopped");
          expect(await taskKeys(correlationId)).toEqual(["AfterNest", "Parallel"]);
          await finish(model, correlationId, "Parallel");
          await finish(model, correlationId, "AfterNest");
          expect((await result(model, correlationId)).endEventKey).toBe("AfterNestDone");
        });

        it("a message only the outer one catches withdraws everything, the sub-process's event sub-processes included", async () => {
          const { correlationId } = await start(h.api, as.clerk, model, "NestStart");
          const inside = await waitingTask(h.api, as.clerk, correlationId, "Inside");
          const parallel = await waitingTask(h.api, as.clerk, correlationId, "Parallel");
          const innerStop = await waitingEvent(h.api, as.clerk, correlationId, "InnerStop");
          const stop = await waitingEvent(h.api, as.clerk, correlationId, "OuterStop");
          await h.api.triggerEvent(as.clerk, model, correlationId, stop.eventId);
          expect(await taskKeys(correlationId)).toEqual(["OuterStopped"]);
          expect(await eventKeys(correlationId)).toEqual([]);
          await expectWithdrawn(model, correlationId, inside);
          await expectWithdrawn(model, correlationId, parallel);
          await expectError(h.api.triggerEvent(as.clerk, model, correlationId, innerStop.eventId), 404);
          await finish(model, correlationId, "OuterStopped");
          expect((await result(model, correlationId)).endEventKey).toBe("OuterStoppedDone");
        });

        it("an error the inner one catches is caught there first, though the outer one catches any error", async () => {
          const { correlationId } = await start(h.api, as.clerk, model, "NestStart");
          await finish(model, correlationId, "Inside", { fail: "inside" });
          expect(await taskKeys(correlationId)).toEqual(["InnerRepair", "Parallel"]);
          expect(await eventKeys(correlationId)).toEqual(["OuterStop"]);
          await finish(model, correlationId, "InnerRepair");
          expect(await taskKeys(correlationId)).toEqual(["AfterNest", "Parallel"]);
        });

        it("an error only the outer one catches leaves the sub-process and withdraws the outer scope's work", async () => {
          const { correlationId } = await start(h.api, as.clerk, model, "NestStart");
          const parallel = await waitingTask(h.api, as.clerk, correlationId, "Parallel");
          await finish(model, correlationId, "Inside", { fail: "outside" });
          expect(await taskKeys(correlationId)).toEqual(["OuterRepair"]);
          expect(await eventKeys(correlationId)).toEqual([]);
          await expectWithdrawn(model, correlationId, parallel);
          await finish(model, correlationId, "OuterRepair");
          expect((await result(model, correlationId)).endEventKey).toBe("OuterRepaired");
        });
      });

      describe("which catcher of one scope catches (a coded one before a catch-all, Camunda 7's precedence)", () => {
        const model = "CatcherPrecedence";
        // In the fixture each scope's catch-all catcher comes first in the document.
        for (const [what, expected] of [
          ["error", ["CodedErrorTask"]],
          ["other error", ["AnyErrorTask"]],
          ["escalation", ["AfterEscalation", "CodedEscalationTask"]],
          ["other escalation", ["AfterEscalation", "AnyEscalationTask"]],
        ] as const) {
          it(`${what}: ${expected.join(", ")}`, async () => {
            const { correlationId } = await start(h.api, as.clerk, model, "PrecStart");
            await finish(model, correlationId, "Pick", { what });
            expect(await taskKeys(correlationId)).toEqual(expected);
          });
        }
      });
    },
  );
}
