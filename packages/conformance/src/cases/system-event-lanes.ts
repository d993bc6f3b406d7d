import type { Subscription } from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { collector } from "../collector.js";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start } from "../steps.js";

/**
 * The lane rule at dispatch time (SPEC §5: a caller receives only messages about elements it may access).
 * A system-event channel covers a whole model, so every identity may subscribe to it; each message is then
 * about one element — the start event (ProcessInstanceStarted), the end event it finished through, or the
 * element where it failed (ProcessInstanceTerminated, as §4.3's detail rule) — and reaches only identities
 * that may access that element. Absence is proven by a witness: a later message to the same subscriber.
 */
export function systemEventLaneCases(options: ConformanceOptions): void {
  describe("system events under the lane rule at dispatch time (SPEC §5)", () => {
    const h = useApi(options);
    const subscribe = async (subscription: Promise<Subscription>) => h.track(await subscription);

    beforeEach(({ skip }) => {
      if (!h.supports.notifications) skip("notifications not supported");
    });

    it("ProcessInstanceStarted does not reach a subscriber that may not access the start event", async () => {
      const correlationId = newCorrelationId();
      const clerk = collector();
      const manager = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Lanes", clerk.callback, { correlationId }));
      await subscribe(h.api.onSystemEvent(as.manager, "Lanes", manager.callback, { correlationId }));
      const hidden = await start(h.api, as.manager, "Lanes", "ManagerStart", { correlationId });
      const isHidden = (m: { process_instance_id: string }) =>
        m.process_instance_id === hidden.processInstanceId;
      await manager.waitFor(
        (m) => isHidden(m) && m.event_key === "ProcessInstanceStarted",
        "ProcessInstanceStarted for the manager, who may access ManagerStart",
      );
      const witness = await start(h.api, as.clerk, "Lanes", "OpenStart", { correlationId });
      await clerk.waitFor(
        (m) =>
          m.process_instance_id === witness.processInstanceId && m.event_key === "ProcessInstanceStarted",
        "ProcessInstanceStarted of a lane-free start event for the clerk",
      );
      expect(clerk.messages.filter(isHidden), "a Manager-lane start delivered to a clerk").toEqual([]);
    });

    it("ProcessInstanceTerminated does not reach a subscriber that may not access where it failed", async () => {
      const correlationId = newCorrelationId();
      const clerk = collector();
      const both = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Lanes", clerk.callback, { correlationId }));
      await subscribe(h.api.onSystemEvent(as.both, "Lanes", both.callback, { correlationId }));
      // Started in the Clerk lane, failed at ManagerCheck in the Manager lane.
      const failing = start(h.api, as.clerk, "Lanes", "ClerkStart", {
        correlationId,
        callback: 2,
        inputValues: { direct: "fail" },
      });
      await expectError(failing, 500);
      const failed = await both.waitFor(
        (m) => m.event_key === "ProcessInstanceTerminated",
        "ProcessInstanceTerminated for an identity holding the failing script's lane",
      );
      const witness = await start(h.api, as.clerk, "Lanes", "OpenStart", { correlationId });
      await clerk.waitFor(
        (m) =>
          m.process_instance_id === witness.processInstanceId && m.event_key === "ProcessInstanceStarted",
        "a later message for the clerk",
      );
      expect(
        clerk.messages.filter(
          (m) =>
            m.process_instance_id === failed.process_instance_id &&
            m.event_key === "ProcessInstanceTerminated",
        ),
        "a failure in the Manager lane delivered to a clerk",
      ).toEqual([]);
    });

    it("ProcessInstanceFinishedSuccessfully does not reach a subscriber that may not access the end event", async () => {
      const correlationId = newCorrelationId();
      const clerk = collector();
      const both = collector();
      await subscribe(h.api.onSystemEvent(as.clerk, "Lanes", clerk.callback, { correlationId }));
      await subscribe(h.api.onSystemEvent(as.both, "Lanes", both.callback, { correlationId }));
      // A clerk's instance that finishes through ManagerEnd, in the Manager lane.
      const hidden = await start(h.api, as.clerk, "Lanes", "ClerkStart", {
        correlationId,
        callback: 2,
        inputValues: { direct: "manager" },
      });
      const isHidden = (m: { process_instance_id: string; event_key: string }) =>
        m.process_instance_id === hidden.processInstanceId &&
        m.event_key === "ProcessInstanceFinishedSuccessfully";
      await both.waitFor(isHidden, "ProcessInstanceFinishedSuccessfully for an identity holding the lane");
      const witness = await start(h.api, as.clerk, "Lanes", "OpenStart", { correlationId });
      await clerk.waitFor(
        (m) =>
          m.process_instance_id === witness.processInstanceId && m.event_key === "ProcessInstanceStarted",
        "a later message for the clerk",
      );
      expect(clerk.messages.filter(isHidden), "a Manager-lane end delivered to a clerk").toEqual([]);
    });
  });
}
