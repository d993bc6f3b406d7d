import { describe, expect, it } from "vitest";
import { expectErrorHiding } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { keysOf, start, waitingEvent, waitingTask } from "../steps.js";

export function laneCases(options: ConformanceOptions): void {
  describe("the lane rule on reads and writes (SPEC §1, §4)", () => {
    const h = useApi(options);

    /** One correlation with a Clerk-lane, a Manager-lane and a lane-free task waiting. */
    const threeTasks = async () => {
      const correlationId = newCorrelationId();
      await start(h.api, as.clerk, "Lanes", "ClerkStart", { correlationId });
      await start(h.api, as.manager, "Lanes", "ManagerStart", { correlationId });
      await start(h.api, as.none, "Lanes", "OpenStart", { correlationId });
      return correlationId;
    };
    const taskKeys = async (context: (typeof as)[keyof typeof as], correlationId: string) =>
      keysOf((await h.api.getUserTasksForCorrelation(context, correlationId)).userTasks, (t) => t.key);

    it("a clerk lists only Clerk-lane and lane-free tasks", async () => {
      expect(await taskKeys(as.clerk, await threeTasks())).toEqual(["ClerkReview", "OpenTask"]);
    });

    it("a manager lists only Manager-lane and lane-free tasks", async () => {
      expect(await taskKeys(as.manager, await threeTasks())).toEqual(["ManagerApproval", "OpenTask"]);
    });

    it("an identity with both claims lists every task", async () => {
      expect(await taskKeys(as.both, await threeTasks())).toEqual([
        "ClerkReview",
        "ManagerApproval",
        "OpenTask",
      ]);
    });

    it("an identity without claims lists only lane-free tasks", async () => {
      expect(await taskKeys(as.none, await threeTasks())).toEqual(["OpenTask"]);
    });

    it("getUserTasksForProcessModel applies the lane rule", async () => {
      const correlationId = await threeTasks();
      const { userTasks } = await h.api.getUserTasksForProcessModel(as.clerk, "Lanes");
      const ours = userTasks.filter((t) => t.correlationId === correlationId);
      expect(keysOf(ours, (t) => t.key)).toEqual(["ClerkReview", "OpenTask"]);
    });

    it("getUserTasksForProcessModelInCorrelation applies the lane rule", async () => {
      const correlationId = await threeTasks();
      const { userTasks } = await h.api.getUserTasksForProcessModelInCorrelation(
        as.manager,
        "Lanes",
        correlationId,
      );
      expect(keysOf(userTasks, (t) => t.key)).toEqual(["ManagerApproval", "OpenTask"]);
    });

    it("nested lanes: the outer lane's claim grants only the nodes in no inner lane", async () => {
      const { correlationId } = await start(h.api, as.office, "NestedLanes", "NestedStart");
      expect(await taskKeys(as.office, correlationId)).toEqual(["OfficeTask"]);
    });

    it("nested lanes: an inner lane's claim grants its nodes without the outer lane's claim", async () => {
      const { correlationId } = await start(h.api, as.clerk, "NestedLanes", "NestedStart");
      expect(await taskKeys(as.clerk, correlationId)).toEqual(["NestedClerkTask"]);
      expect(await taskKeys(as.both, correlationId)).toEqual(["NestedClerkTask", "NestedManagerTask"]);
    });

    it("nested lanes: 403 finishing an inner-lane task with only the outer lane's claim", async () => {
      const { correlationId } = await start(h.api, as.both, "NestedLanes", "NestedStart");
      const task = await waitingTask(h.api, as.both, correlationId, "NestedManagerTask");
      await expectErrorHiding(
        h.api.finishUserTask(as.office, "NestedLanes", correlationId, task.id, { formFields: {} }),
        403,
        ["NestedManagerTask"],
      );
    });

    it("403 finishing a task in a lane the caller lacks; the task keeps waiting", async () => {
      const correlationId = await threeTasks();
      const task = await waitingTask(h.api, as.manager, correlationId, "ManagerApproval");
      await expectErrorHiding(
        h.api.finishUserTask(as.clerk, "Lanes", correlationId, task.id, { formFields: { ok: true } }),
        403,
        ["ManagerApproval"],
      );
      await waitingTask(h.api, as.manager, correlationId, "ManagerApproval");
    });

    it("403 for an identity without claims finishing a Clerk-lane task", async () => {
      const correlationId = await threeTasks();
      const task = await waitingTask(h.api, as.clerk, correlationId, "ClerkReview");
      await expectErrorHiding(
        h.api.finishUserTask(as.none, "Lanes", correlationId, task.id, { formFields: { route: "clerk" } }),
        403,
        ["ClerkReview"],
      );
    });

    it("a hand-over across lanes: a clerk routes to a manager, who finishes", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Lanes", "ClerkStart");
      const review = await waitingTask(h.api, as.clerk, correlationId, "ClerkReview");
      await h.api.finishUserTask(as.clerk, "Lanes", correlationId, review.id, {
        formFields: { route: "manager" },
      });
      expect(await taskKeys(as.clerk, correlationId)).toEqual([]);
      const approval = await waitingTask(h.api, as.manager, correlationId, "ManagerApproval");
      expect(approval.tokenPayload).toEqual({ formFields: { route: "manager" } });
      await h.api.finishUserTask(as.manager, "Lanes", correlationId, approval.id, {
        formFields: { ok: true },
      });
      expect(
        (await h.api.getProcessResultForCorrelation(as.manager, "Lanes", correlationId)).endEventKey,
      ).toBe("ManagerEnd");
      await expectErrorHiding(h.api.getProcessResultForCorrelation(as.clerk, "Lanes", correlationId), 403, [
        "ManagerEnd",
      ]);
    });

    it("a clerk lists only the Clerk-lane waiting event", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Lanes", "EventStart");
      const { events } = await h.api.getEventsForCorrelation(as.clerk, correlationId);
      expect(events.map((e) => e.eventKey)).toEqual(["ClerkNote"]);
    });

    it("a manager lists only the Manager-lane waiting event, per model too", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Lanes", "EventStart");
      const { events } = await h.api.getEventsForProcessModelInCorrelation(
        as.manager,
        "Lanes",
        correlationId,
      );
      expect(events.map((e) => e.eventKey)).toEqual(["ManagerNote"]);
      expect(events[0]?.eventData).toEqual({ eventType: "message", eventName: "manager-note" });
    });

    it("an identity without claims lists none of the lane events", async () => {
      const { correlationId } = await start(h.api, as.none, "Lanes", "EventStart");
      expect((await h.api.getEventsForCorrelation(as.none, correlationId)).events).toEqual([]);
    });

    it("403 triggering an event in a lane the caller lacks; it keeps waiting", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Lanes", "EventStart");
      const event = await waitingEvent(h.api, as.manager, correlationId, "ManagerNote");
      await expectErrorHiding(
        h.api.triggerEvent(as.clerk, "Lanes", correlationId, event.eventId, { note: 1 }),
        403,
        ["ManagerNote"],
      );
      await waitingEvent(h.api, as.manager, correlationId, "ManagerNote");
    });

    it("each lane's identity triggers its own event and the instance finishes", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Lanes", "EventStart");
      const clerkNote = await waitingEvent(h.api, as.clerk, correlationId, "ClerkNote");
      await h.api.triggerEvent(as.clerk, "Lanes", correlationId, clerkNote.eventId);
      const managerNote = await waitingEvent(h.api, as.manager, correlationId, "ManagerNote");
      await h.api.triggerEvent(as.manager, "Lanes", correlationId, managerNote.eventId);
      const result = await h.api.getProcessResultForCorrelation(as.none, "Lanes", correlationId);
      expect(result.endEventKey).toBe("NotesDone");
    });
  });
}
