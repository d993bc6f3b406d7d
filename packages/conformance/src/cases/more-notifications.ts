import type {
  BoundaryEventNotificationMessage,
  CatchEventNotificationMessage,
  NotificationMessage,
  ProcessErrorNotificationMessage,
  Subscription,
  UserTaskNotificationMessage,
} from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { about, collector } from "../collector.js";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingEvent, waitingTask } from "../steps.js";

/** §5's message shape with what a §12 channel adds. */
const messageOf = (
  processModelKey: string,
  eventKey: string,
  correlationId: string,
  processInstanceId: string,
  fields: Record<string, unknown> = {},
) => ({
  process_model_key: processModelKey,
  event_key: eventKey,
  correlation_id: correlationId,
  process_instance_id: processInstanceId,
  ...fields,
});

/**
 * SPEC §12: one case or more per channel, scoped to a correlation (so cases stay independent) unless the
 * case is about the wider scopes. Absence is proven by a witness: a later message to the same subscriber.
 */
export function moreNotificationCases(options: ConformanceOptions): void {
  describe("more notifications (SPEC §12)", () => {
    const h = useApi(options);
    const subscribe = async (subscription: Promise<Subscription>) => h.track(await subscription);
    const inCorrelation = (processModelKey: string, correlationId: string) => ({
      processModelKey,
      correlationId,
    });
    const ofInstance = (processInstanceId: string) => (m: NotificationMessage) =>
      m.process_instance_id === processInstanceId;

    beforeEach(({ skip }) => {
      if (!h.supports.moreNotifications) skip("moreNotifications not supported");
    });

    it("process_started: the start event and the start token payload, in a correlation", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onProcessStarted(as.clerk, c.callback, inCorrelation("Basic", correlationId)));
      const { processInstanceId } = await start(h.api, as.clerk, "Basic", "StartA", {
        correlationId,
        inputValues: { order: 7 },
      });
      const message = await c.waitFor(about(correlationId, "StartA"), "process_started for StartA");
      expect(message).toEqual(
        messageOf("Basic", "StartA", correlationId, processInstanceId, { payload: { order: 7 } }),
      );
    });

    it("process_started unscoped reaches every model's starts; scoped to a model, only that model's", async () => {
      const every = collector();
      const basicOnly = collector();
      await subscribe(h.api.onProcessStarted(as.clerk, every.callback));
      await subscribe(h.api.onProcessStarted(as.clerk, basicOnly.callback, { processModelKey: "Basic" }));
      const scripted = await start(h.api, as.clerk, "Scripted", "Start", { inputValues: { amount: 1 } });
      const basic = await start(h.api, as.clerk, "Basic", "StartA");
      await every.waitFor(ofInstance(scripted.processInstanceId), "process_started of Scripted, unscoped");
      await every.waitFor(ofInstance(basic.processInstanceId), "process_started of Basic, unscoped");
      await basicOnly.waitFor(ofInstance(basic.processInstanceId), "process_started of Basic, for Basic");
      expect(
        basicOnly.messages.filter((m) => m.process_model_key !== "Basic"),
        "a subscription to Basic received another model's start",
      ).toEqual([]);
    });

    it("process_ended: the end event and the result", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onProcessEnded(as.clerk, c.callback, inCorrelation("Basic", correlationId)));
      const answer = await start(h.api, as.clerk, "Basic", "StartB", {
        correlationId,
        callback: 2,
        inputValues: { n: 1 },
      });
      const message = await c.waitFor(about(correlationId, "Echoed"), "process_ended at Echoed");
      expect(message).toEqual(
        messageOf("Basic", "Echoed", correlationId, answer.processInstanceId, {
          payload: { echoed: { n: 1 } },
        }),
      );
    });

    it("process_terminated: the terminate end event and the token payload, and no process_ended", async () => {
      const correlationId = newCorrelationId();
      const terminated = collector();
      const ended = collector();
      const scope = inCorrelation("Endings", correlationId);
      await subscribe(h.api.onProcessTerminated(as.clerk, terminated.callback, scope));
      await subscribe(h.api.onProcessEnded(as.clerk, ended.callback, scope));
      const aborted = await start(h.api, as.clerk, "Endings", "TerminateStart", {
        correlationId,
        callback: 2,
        inputValues: { x: 1 },
      });
      const message = await terminated.waitFor(about(correlationId, "Abort"), "process_terminated at Abort");
      expect(message).toEqual(
        messageOf("Endings", "Abort", correlationId, aborted.processInstanceId, {
          payload: { prepared: true, input: { x: 1 } },
        }),
      );
      const witness = await start(h.api, as.clerk, "Endings", "NormalStart", { correlationId, callback: 2 });
      await ended.waitFor(ofInstance(witness.processInstanceId), "process_ended of a later instance");
      expect(ended.messages.filter(ofInstance(aborted.processInstanceId))).toEqual([]);
    });

    it("process_error: where it failed and the error message, no payload", async () => {
      const correlationId = newCorrelationId();
      const errors = collector<ProcessErrorNotificationMessage>();
      await subscribe(
        h.api.onProcessError(as.clerk, errors.callback, inCorrelation("Scripted", correlationId)),
      );
      await expectError(start(h.api, as.clerk, "Scripted", "FailStart", { correlationId, callback: 2 }), 500);
      const message = await errors.waitFor(about(correlationId, "Explode"), "process_error at Explode");
      expect(message.process_model_key).toBe("Scripted");
      expect(typeof message.error_message).toBe("string");
      expect(message.error_message.length).toBeGreaterThan(0);
      expect(message).not.toHaveProperty("payload");
    });

    it("an error end event is process_error, not process_terminated; a terminate end event the reverse", async () => {
      const correlationId = newCorrelationId();
      const errors = collector<ProcessErrorNotificationMessage>();
      const terminated = collector();
      const scope = inCorrelation("Endings", correlationId);
      await subscribe(h.api.onProcessError(as.clerk, errors.callback, scope));
      await subscribe(h.api.onProcessTerminated(as.clerk, terminated.callback, scope));
      await expectError(start(h.api, as.clerk, "Endings", "ErrorStart", { correlationId, callback: 2 }), 500);
      const failed = await errors.waitFor(
        about(correlationId, "Fail"),
        "process_error at the error end event",
      );
      expect(failed.error_message.length).toBeGreaterThan(0);
      const aborted = await start(h.api, as.clerk, "Endings", "TerminateStart", {
        correlationId,
        callback: 2,
      });
      await terminated.waitFor(
        ofInstance(aborted.processInstanceId),
        "process_terminated of a later instance",
      );
      expect(terminated.messages.filter(ofInstance(failed.process_instance_id))).toEqual([]);
      expect(errors.messages.filter(ofInstance(aborted.processInstanceId))).toEqual([]);
    });

    it("process_error reaches only callers who may access where it failed", async () => {
      const correlationId = newCorrelationId();
      const clerk = collector<ProcessErrorNotificationMessage>();
      const both = collector<ProcessErrorNotificationMessage>();
      await subscribe(h.api.onProcessError(as.clerk, clerk.callback, inCorrelation("Lanes", correlationId)));
      await subscribe(h.api.onProcessError(as.both, both.callback, inCorrelation("Lanes", correlationId)));
      // Started in the Clerk lane, failed at ManagerCheck in the Manager lane.
      const failing = start(h.api, as.clerk, "Lanes", "ClerkStart", {
        correlationId,
        callback: 2,
        inputValues: { direct: "fail" },
      });
      await expectError(failing, 500);
      const failed = await both.waitFor(
        about(correlationId, "ManagerCheck"),
        "process_error at ManagerCheck for an identity holding its lane",
      );
      expect(failed.error_message.length).toBeGreaterThan(0);
      // The witness: a failure in no lane (Scripted's Explode) reaches the clerk.
      const witnessCorrelation = newCorrelationId();
      await subscribe(
        h.api.onProcessError(as.clerk, clerk.callback, inCorrelation("Scripted", witnessCorrelation)),
      );
      await expectError(
        start(h.api, as.clerk, "Scripted", "FailStart", { correlationId: witnessCorrelation, callback: 2 }),
        500,
      );
      await clerk.waitFor(about(witnessCorrelation, "Explode"), "a later process_error for the clerk");
      expect(
        clerk.messages.filter(about(correlationId)),
        "a Manager-lane failure delivered to a clerk",
      ).toEqual([]);
    });

    it("user_task_waiting names the task by its listed id, with the token payload", async () => {
      const correlationId = newCorrelationId();
      const c = collector<UserTaskNotificationMessage>();
      await subscribe(h.api.onUserTaskWaiting(as.clerk, c.callback, inCorrelation("Basic", correlationId)));
      const { processInstanceId } = await start(h.api, as.clerk, "Basic", "StartA", {
        correlationId,
        inputValues: { order: 3 },
      });
      const message = await c.waitFor(about(correlationId, "Review"), "user_task_waiting for Review");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      expect(message).toEqual(
        messageOf("Basic", "Review", correlationId, processInstanceId, {
          user_task_id: task.id,
          payload: { order: 3 },
        }),
      );
    });

    it("user_task_finished names the task, with the result { formFields }", async () => {
      const correlationId = newCorrelationId();
      const c = collector<UserTaskNotificationMessage>();
      await subscribe(h.api.onUserTaskFinished(as.clerk, c.callback, inCorrelation("Basic", correlationId)));
      const { processInstanceId } = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      const message = await c.waitFor(about(correlationId, "Review"), "user_task_finished for Review");
      expect(message).toEqual(
        messageOf("Basic", "Review", correlationId, processInstanceId, {
          user_task_id: task.id,
          payload: { formFields: { approved: true } },
        }),
      );
    });

    it("an instance's notifications arrive in the order of its steps", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      const scope = inCorrelation("Basic", correlationId);
      await subscribe(h.api.onProcessStarted(as.clerk, c.callback, scope));
      await subscribe(h.api.onUserTaskWaiting(as.clerk, c.callback, scope));
      await subscribe(h.api.onUserTaskFinished(as.clerk, c.callback, scope));
      await subscribe(h.api.onProcessEnded(as.clerk, c.callback, scope));
      await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      await c.waitFor(about(correlationId, "Approved"), "process_ended at Approved");
      expect(c.messages.map((m) => m.event_key)).toEqual(["StartA", "Review", "Review", "Approved"]);
      expect(c.messages.filter((m) => "user_task_id" in m)).toHaveLength(2);
    });

    it("onUserTaskForIdentityWaiting: the caller's tasks in every model, not those of lanes it lacks", async () => {
      const correlationId = newCorrelationId();
      const c = collector<UserTaskNotificationMessage>();
      await subscribe(h.api.onUserTaskForIdentityWaiting(as.clerk, c.callback));
      // ManagerApproval lies in the Manager lane: hidden from a clerk, though a clerk started the instance.
      const lanes = await start(h.api, as.clerk, "Lanes", "ClerkStart", { correlationId });
      const clerkReview = await c.waitFor(ofInstance(lanes.processInstanceId), "the clerk's ClerkReview");
      expect(clerkReview.event_key).toBe("ClerkReview");
      await h.api.finishUserTask(as.clerk, "Lanes", correlationId, clerkReview.user_task_id, {
        formFields: { route: "manager" },
      });
      await waitingTask(h.api, as.manager, correlationId, "ManagerApproval");
      const basic = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const review = await c.waitFor(ofInstance(basic.processInstanceId), "the clerk's Basic Review");
      expect(review.event_key).toBe("Review");
      expect(
        c.messages.filter((m) => m.event_key === "ManagerApproval"),
        "a Manager-lane task pushed to a clerk",
      ).toEqual([]);
      if (h.supports.instanceQueries) {
        const own = await h.api.getWaitingUserTasksByIdentity(as.clerk);
        const ids = new Set(own.userTasks.map((task) => task.id));
        expect(
          ids.has(review.user_task_id),
          "the pushed task is one of getWaitingUserTasksByIdentity's",
        ).toBe(true);
      }
    });

    it("onUserTaskForIdentityFinished: the caller's finished tasks, not those of lanes it lacks", async () => {
      const correlationId = newCorrelationId();
      const c = collector<UserTaskNotificationMessage>();
      await subscribe(h.api.onUserTaskForIdentityFinished(as.clerk, c.callback));
      const hidden = await start(h.api, as.manager, "Lanes", "ManagerStart", { correlationId });
      const approval = await waitingTask(h.api, as.manager, correlationId, "ManagerApproval");
      await h.api.finishUserTask(as.manager, "Lanes", correlationId, approval.id, {
        formFields: { ok: true },
      });
      const basic = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const review = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, review.id, {
        formFields: { approved: false },
      });
      const message = await c.waitFor(ofInstance(basic.processInstanceId), "the clerk's finished Review");
      expect(message.user_task_id).toBe(review.id);
      expect(message.payload).toEqual({ formFields: { approved: false } });
      expect(
        c.messages.filter(ofInstance(hidden.processInstanceId)),
        "a Manager-lane finish pushed to a clerk",
      ).toEqual([]);
    });

    it("boundary_event_triggered: the boundary event, its activity and the payload it continues with", async ({
      skip,
    }) => {
      if (!h.supports.bpmnLevel2) skip("bpmnLevel2 not supported");
      const correlationId = newCorrelationId();
      const c = collector<BoundaryEventNotificationMessage>();
      await subscribe(
        h.api.onBoundaryEventTriggered(as.clerk, c.callback, inCorrelation("BoundaryTask", correlationId)),
      );
      const { processInstanceId } = await start(h.api, as.clerk, "BoundaryTask", "BoundaryTaskStart", {
        correlationId,
      });
      const cancel = await waitingEvent(h.api, as.clerk, correlationId, "BoundaryCancel");
      await h.api.triggerEvent(as.clerk, "BoundaryTask", correlationId, cancel.eventId, { reason: "late" });
      const message = await c.waitFor(about(correlationId, "BoundaryCancel"), "boundary_event_triggered");
      expect(message).toEqual(
        messageOf("BoundaryTask", "BoundaryCancel", correlationId, processInstanceId, {
          attached_to_key: "Work",
          payload: { reason: "late" },
        }),
      );
    });

    it("intermediate_throw_event_triggered: the throw event and the token payload, under the lane rule", async () => {
      const correlationId = newCorrelationId();
      const clerk = collector();
      const manager = collector();
      const scope = inCorrelation("Signals", correlationId);
      await subscribe(h.api.onIntermediateThrowEventTriggered(as.clerk, clerk.callback, scope));
      await subscribe(h.api.onIntermediateThrowEventTriggered(as.manager, manager.callback, scope));
      // Broadcast lies in the Manager lane; ThrowUnnamed in none.
      const hidden = await start(h.api, as.manager, "Signals", "Start", {
        correlationId,
        callback: 2,
        inputValues: { loud: true },
      });
      const message = await manager.waitFor(about(correlationId, "Broadcast"), "Broadcast for the manager");
      expect(message).toEqual(
        messageOf("Signals", "Broadcast", correlationId, hidden.processInstanceId, {
          payload: { loud: true },
        }),
      );
      await start(h.api, as.clerk, "Signals", "UnnamedStart", { correlationId, callback: 2 });
      await clerk.waitFor(about(correlationId, "ThrowUnnamed"), "ThrowUnnamed, in no lane, for the clerk");
      expect(
        clerk.messages.filter(ofInstance(hidden.processInstanceId)),
        "a Manager-lane throw for a clerk",
      ).toEqual([]);
    });

    it("intermediate_catch_event_reached names the listed event id; _finished carries the trigger payload", async () => {
      const correlationId = newCorrelationId();
      const reached = collector<CatchEventNotificationMessage>();
      const finished = collector();
      const scope = inCorrelation("MessageWait", correlationId);
      await subscribe(h.api.onIntermediateCatchEventReached(as.clerk, reached.callback, scope));
      await subscribe(h.api.onIntermediateCatchEventFinished(as.clerk, finished.callback, scope));
      const { processInstanceId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart", {
        correlationId,
        inputValues: { before: 1 },
      });
      const arrival = await reached.waitFor(about(correlationId, "Confirmation"), "catch event reached");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      expect(arrival).toEqual(
        messageOf("MessageWait", "Confirmation", correlationId, processInstanceId, {
          event_id: event.eventId,
          payload: { before: 1 },
        }),
      );
      expect(finished.messages, "finished before it was triggered").toEqual([]);
      await h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId, { after: 2 });
      const done = await finished.waitFor(about(correlationId, "Confirmation"), "catch event finished");
      expect(done).toEqual(
        messageOf("MessageWait", "Confirmation", correlationId, processInstanceId, { payload: { after: 2 } }),
      );
    });

    it("a timer catch event is reached without an event id and finished when it fires", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const correlationId = newCorrelationId();
      const reached = collector<CatchEventNotificationMessage>();
      const finished = collector();
      const scope = inCorrelation("Timer", correlationId);
      await subscribe(h.api.onIntermediateCatchEventReached(as.clerk, reached.callback, scope));
      await subscribe(h.api.onIntermediateCatchEventFinished(as.clerk, finished.callback, scope));
      await start(h.api, as.clerk, "Timer", "Start", { correlationId, callback: 2 });
      const arrival = await reached.waitFor(about(correlationId, "Wait"), "the timer catch event reached");
      expect(arrival).not.toHaveProperty("event_id");
      await finished.waitFor(about(correlationId, "Wait"), "the timer catch event finished");
    });

    it("unsubscribe stops a §12 subscription that was receiving", async () => {
      const c = collector();
      const witness = collector();
      const correlationId = newCorrelationId();
      const scope = inCorrelation("Basic", correlationId);
      const subscription = await subscribe(h.api.onProcessStarted(as.clerk, c.callback, scope));
      await subscribe(h.api.onProcessStarted(as.clerk, witness.callback, scope));
      const first = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      await c.waitFor(ofInstance(first.processInstanceId), "the first start, while subscribed");
      await subscription.unsubscribe();
      const second = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      await witness.waitFor(ofInstance(second.processInstanceId), "the second start, for the witness");
      expect(c.messages.filter(ofInstance(second.processInstanceId))).toEqual([]);
    });

    it("correlationId without processModelKey is a 400 naming it; an unknown model a 404", async () => {
      const ignore = () => {};
      const bad = await expectError(
        h.api.onUserTaskWaiting(as.clerk, ignore, { correlationId: newCorrelationId() }),
        400,
      );
      expect(bad.detail).toContain("correlationId");
      await expectError(h.api.onProcessEnded(as.clerk, ignore, { processModelKey: "NoSuchModel" }), 404);
      await expectError(h.api.onProcessError(as.clerk, ignore, { processModelKey: "Draft" }), 404);
    });
  });
}
