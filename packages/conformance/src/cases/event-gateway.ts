import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { keysOf, start, waitingEvent } from "../steps.js";

/** SPEC §6.1: an event-based gateway's targets wait at once, are listed by §4.4; the first wins. */
export function eventGatewayCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("event-based gateway (SPEC §6.1)", () => {
    const h = useApi(options);

    it("its message, signal and receive-task targets are listed as waiting events", async () => {
      const { correlationId } = await start(h.api, as.clerk, "EventGateway", "GatewayStart");
      const { events } = await h.api.getEventsForCorrelation(as.clerk, correlationId);
      expect(keysOf(events, (e) => e.eventKey)).toEqual(["GatewayApprove", "GatewayDocument", "GatewayVeto"]);
      expect((await waitingEvent(h.api, as.clerk, correlationId, "GatewayVeto")).eventData).toEqual({
        eventType: "signal",
        eventName: "gateway-veto",
      });
    });

    for (const [key, end] of [
      ["GatewayApprove", "GatewayApproved"],
      ["GatewayVeto", "GatewayVetoed"],
      ["GatewayDocument", "GatewayDocumented"],
    ] as const) {
      it(`the first target to occur wins and the others stop waiting (${key})`, async () => {
        const { correlationId } = await start(h.api, as.clerk, "EventGateway", "GatewayStart");
        const { events } = await h.api.getEventsForCorrelation(as.clerk, correlationId);
        const winner = events.find((event) => event.eventKey === key);
        const loser = events.find((event) => event.eventKey !== key);
        await h.api.triggerEvent(as.clerk, "EventGateway", correlationId, winner?.eventId as string, { key });
        const result = await h.api.getProcessResultForCorrelation(as.clerk, "EventGateway", correlationId);
        expect(result).toMatchObject({ endEventKey: end, result: { key } });
        expect((await h.api.getEventsForCorrelation(as.clerk, correlationId)).events).toEqual([]);
        await expectError(
          h.api.triggerEvent(as.clerk, "EventGateway", correlationId, loser?.eventId as string),
          404,
        );
      });
    }
  });
}
