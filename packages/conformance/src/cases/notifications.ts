import {
  ForbiddenError,
  type NotificationCallback,
  type NotificationMessage,
  type Subscription,
} from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { about, collector, expectNothingAbout } from "../collector.js";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingEvent, waitingTask } from "../steps.js";

export function notificationCases(options: ConformanceOptions): void {
  describe("notifications (SPEC §5)", () => {
    const h = useApi(options);
    const subscribe = async (subscription: Promise<Subscription>) => h.track(await subscription);
    /**
     * Subscribing to an element in a lane the caller lacks may be refused with 403 (SPEC §5.1 lists it) or
     * accepted and stay silent; either way nothing may be delivered, and a 403 does not name the element.
     */
    const subscribeOrForbidden = async (subscription: Promise<Subscription>, hiddenKey: string) => {
      try {
        return h.track(await subscription);
      } catch (error) {
        if (error instanceof ForbiddenError && error.status === 403) {
          expect(error.detail, "the 403 detail names the inaccessible element").not.toContain(hiddenKey);
          return undefined;
        }
        throw error;
      }
    };
    /** A callback-2 start of Scripted (its script doubles `amount`), in a fresh correlation or the given one. */
    const runScripted = (correlationId?: string, amount = 1) =>
      start(h.api, as.clerk, "Scripted", "Start", { correlationId, callback: 2, inputValues: { amount } });
    /** Correlation-filtered subscriptions a Scripted run reaches, each with the key of the message it ends on. */
    const scriptedSubscriptions = [
      {
        method: "onBpmnEvent",
        model: "Scripted",
        key: "Done",
        subscribeTo: (cb: NotificationCallback, correlationId: string) =>
          h.api.onBpmnEvent(as.clerk, "Scripted", "Done", cb, { correlationId }),
      },
      {
        method: "onActivity",
        model: "Scripted",
        key: "finished",
        subscribeTo: (cb: NotificationCallback, correlationId: string) =>
          h.api.onActivity(as.clerk, "Scripted", "Double", cb, { correlationId }),
      },
      {
        method: "onSystemEvent",
        model: "Scripted",
        key: "ProcessInstanceFinishedSuccessfully",
        subscribeTo: (cb: NotificationCallback, correlationId: string) =>
          h.api.onSystemEvent(as.clerk, "Scripted", cb, { correlationId }),
      },
    ];

    beforeEach(({ skip }) => {
      if (!h.supports.notifications) skip("notifications not supported");
    });

    it("onBpmnEvent with a correlation filter: the start event was reached", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onBpmnEvent(as.clerk, "Basic", "StartA", c.callback, { correlationId }));
      const { processInstanceId } = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const message = await c.waitFor(about(correlationId, "StartA"), "for StartA");
      expect(message).toMatchObject({
        process_model_key: "Basic",
        event_key: "StartA",
        correlation_id: correlationId,
        process_instance_id: processInstanceId,
      });
    });

    it("onBpmnEvent with a correlation filter: an end event was reached", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onBpmnEvent(as.clerk, "Basic", "Echoed", c.callback, { correlationId }));
      const { processInstanceId } = await start(h.api, as.clerk, "Basic", "StartB", {
        correlationId,
        callback: 2,
      });
      const message = await c.waitFor(about(correlationId, "Echoed"), "for the end event Echoed");
      expect(message.process_instance_id).toBe(processInstanceId);
      expect(message.process_model_key).toBe("Basic");
    });

    it("onBpmnEvent without a correlation filter", async () => {
      const c = collector();
      await subscribe(h.api.onBpmnEvent(as.clerk, "Scripted", "Done", c.callback));
      const { correlationId } = await runScripted();
      await c.waitFor(about(correlationId, "Done"), "for the end event Done");
      expect(c.messages.every((m) => m.process_model_key === "Scripted" && m.event_key === "Done")).toBe(
        true,
      );
    });

    it("onBpmnEvent: a waiting message event was triggered", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(
        h.api.onBpmnEvent(as.clerk, "MessageWait", "Confirmation", c.callback, { correlationId }),
      );
      await start(h.api, as.clerk, "MessageWait", "MessageWaitStart", { correlationId });
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId, { ok: 1 });
      await c.waitFor(about(correlationId, "Confirmation"), "for the triggered event Confirmation");
    });

    it("onBpmnEvent: a signal throw event was reached, for an identity holding its lane", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onBpmnEvent(as.manager, "Signals", "Broadcast", c.callback, { correlationId }));
      await start(h.api, as.manager, "Signals", "Start", { correlationId, callback: 2 });
      await c.waitFor(about(correlationId, "Broadcast"), "for the throw event Broadcast");
    });

    it("onBpmnEvent: a timer catch event", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onBpmnEvent(as.clerk, "Timer", "Wait", c.callback, { correlationId }));
      await start(h.api, as.clerk, "Timer", "Start", { correlationId, callback: 2 });
      await c.waitFor(about(correlationId, "Wait"), "for the timer event Wait");
    });

    it("onActivity with a correlation filter: a user task started and finished", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onActivity(as.clerk, "Basic", "Review", c.callback, { correlationId }));
      const { processInstanceId } = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const started = await c.waitFor(about(correlationId, "started"), "Review started");
      expect(started).toMatchObject({
        process_model_key: "Basic",
        correlation_id: correlationId,
        process_instance_id: processInstanceId,
      });
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      await c.waitFor(about(correlationId, "finished"), "Review finished");
    });

    it("onActivity without a correlation filter: a script task started and finished", async () => {
      const c = collector();
      await subscribe(h.api.onActivity(as.clerk, "Scripted", "Double", c.callback));
      const { correlationId } = await start(h.api, as.clerk, "Scripted", "Start", {
        callback: 2,
        inputValues: { amount: 2 },
      });
      await c.waitFor(about(correlationId, "started"), "Double started");
      await c.waitFor(about(correlationId, "finished"), "Double finished");
    });

    it("onActivity: a manual task passes through", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onActivity(as.clerk, "Scripted", "Pack", c.callback, { correlationId }));
      await start(h.api, as.clerk, "Scripted", "Start", {
        correlationId,
        callback: 2,
        inputValues: { amount: 3 },
      });
      await c.waitFor(about(correlationId, "finished"), "Pack finished");
    });

    it("onActivity: an embedded sub-process started and finished", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onActivity(as.clerk, "Embedded", "Handle", c.callback, { correlationId }));
      await start(h.api, as.clerk, "Embedded", "EmbeddedStart", { correlationId });
      await c.waitFor(about(correlationId, "started"), "Handle started");
      const task = await waitingTask(h.api, as.clerk, correlationId, "InnerTask");
      await h.api.finishUserTask(as.clerk, "Embedded", correlationId, task.id, { formFields: { qty: 2 } });
      await c.waitFor(about(correlationId, "finished"), "Handle finished");
    });

    it("onSystemEvent with a correlation filter: started and finished successfully", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Basic", c.callback, { correlationId }));
      const { processInstanceId } = await start(h.api, as.clerk, "Basic", "StartB", {
        correlationId,
        callback: 2,
      });
      const started = await c.waitFor(
        about(correlationId, "ProcessInstanceStarted"),
        "ProcessInstanceStarted",
      );
      expect(started).toMatchObject({ process_model_key: "Basic", process_instance_id: processInstanceId });
      await c.waitFor(
        about(correlationId, "ProcessInstanceFinishedSuccessfully"),
        "ProcessInstanceFinishedSuccessfully",
      );
      expect(c.messages.some((m) => m.event_key === "ProcessInstanceTerminated")).toBe(false);
    });

    it("onSystemEvent without a correlation filter", async () => {
      const c = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Scripted", c.callback));
      const { correlationId } = await start(h.api, as.clerk, "Scripted", "Start", {
        callback: 2,
        inputValues: { amount: 4 },
      });
      await c.waitFor(about(correlationId, "ProcessInstanceStarted"), "ProcessInstanceStarted");
      await c.waitFor(
        about(correlationId, "ProcessInstanceFinishedSuccessfully"),
        "ProcessInstanceFinishedSuccessfully",
      );
    });

    it("a correlation filter with slashes, reserved and non-ASCII characters", async () => {
      const correlationId = `${newCorrelationId()}/ä b?#%`;
      const c = collector();
      const subscription = await subscribe(
        h.api.onSystemEvent(as.clerk, "Basic", c.callback, { correlationId }),
      );
      expect(subscription.channel).toBe(
        `/process_model/Basic/correlations/${encodeURIComponent(correlationId)}/system_events`,
      );
      await start(h.api, as.clerk, "Basic", "StartB", { correlationId, callback: 2 });
      await c.waitFor(
        about(correlationId, "ProcessInstanceFinishedSuccessfully"),
        "ProcessInstanceFinishedSuccessfully",
      );
    });

    it("each message arrives once per subscription", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Basic", c.callback, { correlationId }));
      await start(h.api, as.clerk, "Basic", "StartB", { correlationId, callback: 2 });
      await c.waitFor(
        about(correlationId, "ProcessInstanceFinishedSuccessfully"),
        "ProcessInstanceFinishedSuccessfully",
      );
      expect(c.messages.map((m) => m.event_key)).toEqual([
        "ProcessInstanceStarted",
        "ProcessInstanceFinishedSuccessfully",
      ]);
    });

    for (const [what, model, startEvent, inputValues, expectedStatus] of [
      ["a terminate end event", "Endings", "TerminateStart", undefined, undefined],
      ["an error end event", "Endings", "ErrorStart", undefined, 500],
      ["a script failure", "Scripted", "FailStart", undefined, 500],
      ["a gateway without a matching path", "NoMatch", "NoMatchStart", { amount: 0 }, 500],
    ] as const) {
      it(`onSystemEvent: ProcessInstanceTerminated after ${what}`, async () => {
        const correlationId = newCorrelationId();
        const c = collector();
        await subscribe(h.api.onSystemEvent(as.clerk, model, c.callback, { correlationId }));
        const run = start(h.api, as.clerk, model, startEvent, { correlationId, callback: 2, inputValues });
        if (expectedStatus === undefined) await run;
        else await expectError(run, expectedStatus);
        await c.waitFor(about(correlationId, "ProcessInstanceTerminated"), "ProcessInstanceTerminated");
        expect(c.messages.some((m) => m.event_key === "ProcessInstanceFinishedSuccessfully")).toBe(false);
      });
    }

    it("onSignal: a thrown signal, keyed by its name", async () => {
      const c = collector();
      await subscribe(h.api.onSignal(as.clerk, "broadcast", c.callback));
      const { correlationId, processInstanceId } = await start(h.api, as.clerk, "Signals", "Start", {
        callback: 2,
      });
      const message = await c.waitFor(about(correlationId), "signal broadcast");
      expect(message).toMatchObject({
        process_model_key: "Signals",
        event_key: "broadcast",
        correlation_id: correlationId,
        process_instance_id: processInstanceId,
      });
    });

    it("onSignal: a signal without a name is keyed by its id", async () => {
      const c = collector();
      await subscribe(h.api.onSignal(as.clerk, "Sig_Unnamed", c.callback));
      const { correlationId } = await start(h.api, as.clerk, "Signals", "UnnamedStart", { callback: 2 });
      const message = await c.waitFor(about(correlationId), "signal Sig_Unnamed");
      expect(message.event_key).toBe("Sig_Unnamed");
    });

    it("onSignal reaches every identity, even one lacking the throwing event's lane", async () => {
      const listeners = { clerk: collector(), manager: collector(), both: collector(), none: collector() };
      for (const [role, c] of Object.entries(listeners)) {
        await subscribe(h.api.onSignal(as[role as keyof typeof listeners], "broadcast", c.callback));
      }
      const { correlationId } = await start(h.api, as.none, "Signals", "Start", { callback: 2 });
      for (const [role, c] of Object.entries(listeners)) {
        await c.waitFor(about(correlationId, "broadcast"), `signal broadcast for ${role}`);
      }
    });

    for (const { method, key, subscribeTo } of scriptedSubscriptions) {
      it(`${method}: the correlation filter keeps out messages of other correlations`, async () => {
        const mine = newCorrelationId();
        const c = collector();
        await subscribe(subscribeTo(c.callback, mine));
        const other = await runScripted();
        // Our own instance runs after the other one finished, so its message is the witness that delivery moved on.
        await runScripted(mine);
        await c.waitFor(about(mine, key), "for our own correlation");
        expectNothingAbout(c, other.correlationId, "messages of another correlation");
        expect(c.messages.every((m) => m.correlation_id === mine)).toBe(true);
      });
    }

    for (const { method, model, key, subscribeTo } of [
      ...scriptedSubscriptions,
      {
        method: "onSignal",
        model: "Signals",
        key: "broadcast",
        subscribeTo: (cb: NotificationCallback) => h.api.onSignal(as.clerk, "broadcast", cb),
      },
    ]) {
      it(`${method}: unsubscribe stops a subscription that was receiving; another on the channel keeps receiving`, async () => {
        const correlationId = newCorrelationId();
        const stopped = collector();
        const kept = collector();
        const subscription = await subscribe(subscribeTo(stopped.callback, correlationId));
        await subscribe(subscribeTo(kept.callback, correlationId));
        const run = () =>
          start(h.api, as.clerk, model, "Start", {
            correlationId,
            callback: 2,
            inputValues: { amount: 1 },
          });
        const of = (processInstanceId: string) => (m: NotificationMessage) =>
          about(correlationId, key)(m) && m.process_instance_id === processInstanceId;
        const first = await run();
        // Proves the subscription delivers, so silence after unsubscribing means something.
        await stopped.waitFor(of(first.processInstanceId), "before unsubscribing");
        await subscription.unsubscribe();
        const second = await run();
        await kept.waitFor(of(second.processInstanceId), "for the subscription that stayed");
        expect(stopped.messages.filter((m) => m.process_instance_id === second.processInstanceId)).toEqual(
          [],
        );
      });
    }

    it("unsubscribe stops delivery", async () => {
      const correlationId = newCorrelationId();
      const stopped = collector();
      const witness = collector();
      const subscription = await subscribe(
        h.api.onSystemEvent(as.clerk, "Scripted", stopped.callback, { correlationId }),
      );
      await subscribe(h.api.onBpmnEvent(as.clerk, "Scripted", "Start", witness.callback, { correlationId }));
      await subscription.unsubscribe();
      await runScripted(correlationId);
      // The witness hears the start event of a second instance, begun after the first one had finished.
      const second = await runScripted(correlationId);
      await witness.waitFor(
        (m) => m.correlation_id === correlationId && m.process_instance_id === second.processInstanceId,
        "for the witness",
      );
      expect(stopped.messages).toEqual([]);
    });

    it("a throwing callback stalls neither the engine nor other subscribers", async () => {
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(
        h.api.onSystemEvent(
          as.clerk,
          "Scripted",
          () => {
            throw new Error("a subscriber that fails");
          },
          { correlationId },
        ),
      );
      await subscribe(h.api.onSystemEvent(as.clerk, "Scripted", c.callback, { correlationId }));
      await runScripted(correlationId);
      await runScripted(correlationId, 2);
      await c.waitFor(
        (m) =>
          m.event_key === "ProcessInstanceFinishedSuccessfully" &&
          c.messages.filter((x) => x.event_key === m.event_key).length === 2,
        "for both instances",
      );
    });

    it("a slow callback stalls neither the engine nor other subscribers", async () => {
      const correlationId = newCorrelationId();
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const c = collector();
      try {
        await subscribe(h.api.onSystemEvent(as.clerk, "Scripted", () => held, { correlationId }));
        await subscribe(h.api.onSystemEvent(as.clerk, "Scripted", c.callback, { correlationId }));
        await runScripted(correlationId);
        const second = await runScripted(correlationId, 2);
        await c.waitFor(
          (m) =>
            m.process_instance_id === second.processInstanceId &&
            m.event_key === "ProcessInstanceFinishedSuccessfully",
          "for the second instance while another subscriber is still busy",
        );
      } finally {
        release();
      }
    });

    it("two subscriptions to one channel are independent: unsubscribing one keeps the other", async () => {
      const correlationId = newCorrelationId();
      const kept = collector();
      const dropped = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Basic", kept.callback, { correlationId }));
      const other = await subscribe(
        h.api.onSystemEvent(as.clerk, "Basic", dropped.callback, { correlationId }),
      );
      await start(h.api, as.clerk, "Basic", "StartB", { correlationId, callback: 2 });
      await kept.waitFor(
        about(correlationId, "ProcessInstanceFinishedSuccessfully"),
        "for the first subscription",
      );
      await dropped.waitFor(
        about(correlationId, "ProcessInstanceFinishedSuccessfully"),
        "for the second subscription",
      );
      await other.unsubscribe();
      const later = await start(h.api, as.clerk, "Basic", "StartB", { correlationId, callback: 2 });
      await kept.waitFor(
        (m) =>
          m.process_instance_id === later.processInstanceId &&
          m.event_key === "ProcessInstanceFinishedSuccessfully",
        "for the kept subscription after the other one left",
      );
      expect(dropped.messages.filter((m) => m.process_instance_id === later.processInstanceId)).toEqual([]);
    });

    it("an activity in a lane the subscriber lacks is not delivered; one holding the lane gets it", async () => {
      const correlationId = newCorrelationId();
      const hidden = collector();
      const privileged = collector();
      const witness = collector();
      await subscribeOrForbidden(
        h.api.onActivity(as.clerk, "Lanes", "ManagerApproval", hidden.callback, { correlationId }),
        "ManagerApproval",
      );
      await subscribe(
        h.api.onActivity(as.manager, "Lanes", "ManagerApproval", privileged.callback, { correlationId }),
      );
      await subscribe(h.api.onActivity(as.clerk, "Lanes", "OpenTask", witness.callback, { correlationId }));
      await start(h.api, as.manager, "Lanes", "ManagerStart", { correlationId });
      await privileged.waitFor(about(correlationId, "started"), "ManagerApproval started for the manager");
      await start(h.api, as.clerk, "Lanes", "OpenStart", { correlationId });
      await witness.waitFor(about(correlationId, "started"), "OpenTask started for the clerk");
      expectNothingAbout(hidden, correlationId, "a Manager-lane activity delivered to a clerk");
    });

    it("a BPMN event in a lane the subscriber lacks is not delivered; one holding the lane gets it", async () => {
      const correlationId = newCorrelationId();
      const hidden = collector();
      const privileged = collector();
      const witness = collector();
      await subscribeOrForbidden(
        h.api.onBpmnEvent(as.clerk, "Lanes", "ManagerEnd", hidden.callback, { correlationId }),
        "ManagerEnd",
      );
      await subscribe(
        h.api.onBpmnEvent(as.both, "Lanes", "ManagerEnd", privileged.callback, { correlationId }),
      );
      await subscribe(h.api.onBpmnEvent(as.clerk, "Lanes", "OpenStart", witness.callback, { correlationId }));
      await start(h.api, as.clerk, "Lanes", "ClerkStart", {
        correlationId,
        callback: 2,
        inputValues: { direct: "manager" },
      });
      await privileged.waitFor(
        about(correlationId, "ManagerEnd"),
        "ManagerEnd for an identity holding the lane",
      );
      await start(h.api, as.clerk, "Lanes", "OpenStart", { correlationId });
      await witness.waitFor(about(correlationId, "OpenStart"), "OpenStart for the clerk");
      expectNothingAbout(hidden, correlationId, "a Manager-lane end event delivered to a clerk");
    });

    it("a subscription's channel is the channel of SPEC §5", async () => {
      const ignore = () => {};
      const channels = [
        await subscribe(h.api.onBpmnEvent(as.clerk, "Basic", "StartA", ignore)),
        await subscribe(h.api.onBpmnEvent(as.clerk, "Basic", "StartA", ignore, { correlationId: "c-1" })),
        await subscribe(h.api.onActivity(as.clerk, "Basic", "Review", ignore)),
        await subscribe(h.api.onActivity(as.clerk, "Basic", "Review", ignore, { correlationId: "c-1" })),
        await subscribe(h.api.onSystemEvent(as.clerk, "Basic", ignore)),
        await subscribe(h.api.onSystemEvent(as.clerk, "Basic", ignore, { correlationId: "c-1" })),
        await subscribe(h.api.onSignal(as.clerk, "broadcast", ignore)),
      ].map((s) => s.channel);
      expect(channels).toEqual([
        "/process_model/Basic/events/StartA/process_notifications",
        "/process_model/Basic/correlations/c-1/events/StartA/process_notifications",
        "/process_model/Basic/activities/Review/process_notifications",
        "/process_model/Basic/correlations/c-1/activities/Review/process_notifications",
        "/process_model/Basic/system_events",
        "/process_model/Basic/correlations/c-1/system_events",
        "/signals/broadcast/process_notifications",
      ]);
    });

    it("a timer fires and the instance finishes after a callback-1 start", async ({ skip }) => {
      if (!h.supports.timers) skip("timers not supported");
      const correlationId = newCorrelationId();
      const c = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Timer", c.callback, { correlationId }));
      await start(h.api, as.clerk, "Timer", "Start", { correlationId, inputValues: { t: 2 } });
      await c.waitFor(about(correlationId, "ProcessInstanceFinishedSuccessfully"), "after the timer");
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Timer", correlationId);
      expect(result).toMatchObject({ endEventKey: "Elapsed", result: { t: 2 } });
    });
  });
}
