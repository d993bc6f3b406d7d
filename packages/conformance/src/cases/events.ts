import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { keysOf, start, waitingEvent } from "../steps.js";

export function eventCases(options: ConformanceOptions): void {
  describe("waiting BPMN events (SPEC §4.4, §4.5)", () => {
    const h = useApi(options);

    it("getEventsForCorrelation lists message and signal catch events and receive tasks that wait", async () => {
      const { correlationId, processInstanceId } = await start(h.api, as.clerk, "Events", "EventsStart");
      const { events } = await h.api.getEventsForCorrelation(as.clerk, correlationId);
      expect(keysOf(events, (e) => e.eventKey)).toEqual(["AwaitDocument", "GoAhead", "PaymentReceived"]);
      const byKey = new Map(events.map((e) => [e.eventKey, e]));
      expect(byKey.get("PaymentReceived")?.eventData).toEqual({ eventType: "message", eventName: "payment" });
      expect(byKey.get("GoAhead")?.eventData).toEqual({ eventType: "signal", eventName: "go-ahead" });
      expect(byKey.get("AwaitDocument")?.eventData).toEqual({ eventType: "message", eventName: "document" });
      for (const event of events) {
        expect(event.processInstanceId).toBe(processInstanceId);
        expect(event.processModelKey).toBe("Events");
        expect(event.correlationId).toBe(correlationId);
        expect(typeof event.eventId).toBe("string");
      }
    });

    it("every waiting occurrence has its own eventId", async () => {
      const correlationId = newCorrelationId();
      await start(h.api, as.clerk, "Events", "EventsStart", { correlationId });
      await start(h.api, as.clerk, "Events", "EventsStart", { correlationId });
      const { events } = await h.api.getEventsForCorrelation(as.clerk, correlationId);
      expect(events).toHaveLength(6);
      expect(new Set(events.map((e) => e.eventId)).size).toBe(6);
    });

    it("getEventsForProcessModelInCorrelation lists only that model's events", async () => {
      const correlationId = newCorrelationId();
      await start(h.api, as.clerk, "Events", "EventsStart", { correlationId });
      await start(h.api, as.clerk, "MessageWait", "MessageWaitStart", { correlationId });
      const { events } = await h.api.getEventsForProcessModelInCorrelation(
        as.clerk,
        "MessageWait",
        correlationId,
      );
      expect(events.map((e) => e.eventKey)).toEqual(["Confirmation"]);
      expect(events[0]?.eventData).toEqual({ eventType: "message", eventName: "confirmation" });
    });

    it("a correlation whose instances wait on no event lists none", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      expect((await h.api.getEventsForCorrelation(as.clerk, correlationId)).events).toEqual([]);
      expect(
        (await h.api.getEventsForProcessModelInCorrelation(as.clerk, "Basic", correlationId)).events,
      ).toEqual([]);
    });

    it("getEventsForCorrelation: 404 for an unknown correlation", async () => {
      await expectError(h.api.getEventsForCorrelation(as.clerk, newCorrelationId()), 404);
    });

    it("getEventsForProcessModelInCorrelation: 404 for an unknown correlation", async () => {
      await expectError(
        h.api.getEventsForProcessModelInCorrelation(as.clerk, "Events", newCorrelationId()),
        404,
      );
    });

    it("getEventsForProcessModelInCorrelation: 404 for an unknown model", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Events", "EventsStart");
      await expectError(
        h.api.getEventsForProcessModelInCorrelation(as.clerk, "NoSuchModel", correlationId),
        404,
      );
    });

    it("getEventsForProcessModelInCorrelation: 404 for a model not in the correlation", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Events", "EventsStart");
      await expectError(
        h.api.getEventsForProcessModelInCorrelation(as.clerk, "MessageWait", correlationId),
        404,
      );
    });

    it("triggerEvent answers and the event no longer waits", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await expect(
        h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId),
      ).resolves.toBeUndefined();
      expect((await h.api.getEventsForCorrelation(as.clerk, correlationId)).events).toEqual([]);
    });

    it("the trigger payload becomes the token payload, readable right after the trigger", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart", {
        inputValues: { before: true },
      });
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId, {
        paid: 42,
        by: "card",
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MessageWait", correlationId);
      expect(result.endEventKey).toBe("Confirmed");
      expect(result.result).toEqual({ paid: 42, by: "card" });
    });

    it("a trigger without payload keeps the token payload", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart", {
        inputValues: { kept: "yes" },
      });
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MessageWait", correlationId);
      expect(result.result).toEqual({ kept: "yes" });
    });

    it("any JSON value is a trigger payload", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId, [
        1,
        "two",
        { three: 3 },
      ]);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MessageWait", correlationId);
      expect(result.result).toEqual([1, "two", { three: 3 }]);
    });

    it("message, signal and receive-task events each continue the instance with their payload", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Events", "EventsStart");
      for (const [key, payload] of [
        ["PaymentReceived", { payment: 1 }],
        ["GoAhead", { go: 2 }],
        ["AwaitDocument", { document: 3 }],
      ] as const) {
        const event = await waitingEvent(h.api, as.clerk, correlationId, key);
        await h.api.triggerEvent(as.clerk, "Events", correlationId, event.eventId, payload);
      }
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Events", correlationId);
      expect(result.endEventKey).toBe("Collected");
      expect(result.result).toEqual({ payment: { payment: 1 }, go: { go: 2 }, document: { document: 3 } });
    });

    it("triggerEvent: 404 when the event no longer waits", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId);
      await expectError(h.api.triggerEvent(as.clerk, "MessageWait", correlationId, event.eventId), 404);
    });

    it("triggerEvent: 404 for an unknown event", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      await expectError(h.api.triggerEvent(as.clerk, "MessageWait", correlationId, "no-such-event"), 404);
    });

    it("triggerEvent: 404 for an unknown model", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await expectError(h.api.triggerEvent(as.clerk, "NoSuchModel", correlationId, event.eventId), 404);
    });

    it("triggerEvent: 404 for an unknown correlation", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await expectError(h.api.triggerEvent(as.clerk, "MessageWait", newCorrelationId(), event.eventId), 404);
    });

    it("triggerEvent: 404 for an event of another correlation", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const other = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      await expectError(h.api.triggerEvent(as.clerk, "MessageWait", other.correlationId, event.eventId), 404);
      await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
    });
  });
}
