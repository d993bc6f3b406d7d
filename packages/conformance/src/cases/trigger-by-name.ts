import type { ConsumerContext } from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { expectBadRequest } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";
import { start } from "../steps.js";

export function triggerByNameCases(options: ConformanceOptions): void {
  describe("triggering by name (SPEC §11)", () => {
    const h = useApi(options);

    beforeEach(({ skip }) => {
      if (!h.supports.triggerByName) skip("triggerByName not supported");
    });

    const waitingKeys = async (context: ConsumerContext, correlationId: string) =>
      (await h.api.getEventsForCorrelation(context, correlationId)).events
        .map((event) => event.eventKey)
        .sort();

    it("a message with a correlation reaches only what waits there; read-your-writes, the payload is the token", async () => {
      const a = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const b = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      await expect(
        h.api.triggerMessageEvent(as.clerk, "confirmation", { confirmed: "by name" }, a.correlationId),
      ).resolves.toBeUndefined();
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MessageWait", a.correlationId);
      expect(result).toMatchObject({ endEventKey: "Confirmed", result: { confirmed: "by name" } });
      expect(await waitingKeys(as.clerk, b.correlationId)).toEqual(["Confirmation"]);
    });

    it("a message without a correlation reaches every correlation", async () => {
      const a = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const b = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      await h.api.triggerMessageEvent(as.clerk, "confirmation");
      for (const { correlationId } of [a, b]) expect(await waitingKeys(as.clerk, correlationId)).toEqual([]);
    });

    it("a message reaches a receive task; a signal a signal catch event", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Events", "EventsStart");
      await h.api.triggerMessageEvent(as.clerk, "document", { doc: 1 }, correlationId);
      expect(await waitingKeys(as.clerk, correlationId)).toEqual(["GoAhead", "PaymentReceived"]);
      await h.api.triggerSignalEvent(as.clerk, "go-ahead", { go: true });
      expect(await waitingKeys(as.clerk, correlationId)).toEqual(["PaymentReceived"]);
    });

    it("what the caller may not access is skipped silently; reaching nothing is no error", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Lanes", "EventStart");
      await expect(
        h.api.triggerMessageEvent(as.clerk, "manager-note", {}, correlationId),
      ).resolves.toBeUndefined();
      expect(await waitingKeys(as.both, correlationId)).toEqual(["ClerkNote", "ManagerNote"]);
      await h.api.triggerMessageEvent(as.clerk, "clerk-note", {}, correlationId);
      expect(await waitingKeys(as.both, correlationId)).toEqual(["ManagerNote"]);
      await expect(h.api.triggerMessageEvent(as.clerk, "no-such-message")).resolves.toBeUndefined();
      await expect(h.api.triggerSignalEvent(as.clerk, "no-such-signal")).resolves.toBeUndefined();
    });

    it("an empty name is a 400 naming it", async () => {
      await expectBadRequest(h.api.triggerMessageEvent(as.clerk, ""), /message/i);
      await expectBadRequest(h.api.triggerSignalEvent(as.clerk, ""), /signal/i);
    });
  });
}
