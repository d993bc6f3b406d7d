import { afterEach, describe, expect, it } from "vitest";
import { EngineError } from "../src/types.js";
import { closeEngines, open, removeTempDirs, sqliteCount, tempDir } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const timerCount = (data: string) => sqliteCount(data, "SELECT COUNT(*) AS n FROM timers");

describe("event-based gateway", () => {
  it("waits for each target at once, listed under the targets' keys", async () => {
    const data = tempDir();
    const engine = await open({ data });
    const { instance } = await engine.start({ processModelKey: "EventGateway", startEventKey: "Start" });
    const events = await engine.listEvents({ correlationId: instance.correlationId });
    expect(events.map((event) => [event.key, event.eventType, event.eventName])).toEqual([
      ["Approve", "message", "approve"],
      ["Veto", "signal", "veto"],
      ["Document", "message", "document-in"],
    ]);
    expect(timerCount(data)).toBe(1);
  });

  for (const [key, end] of [
    ["Approve", "Approved"],
    ["Veto", "Vetoed"],
    ["Document", "Documented"],
  ] as const) {
    it(`the first to occur wins (${key}); the others are withdrawn in the same step`, async () => {
      const data = tempDir();
      const engine = await open({ data });
      const { instance } = await engine.start({ processModelKey: "EventGateway", startEventKey: "Start" });
      const events = await engine.listEvents({ correlationId: instance.correlationId });
      const winner = events.find((event) => event.key === key);
      const done = await engine.triggerEvent(winner?.id as string, { won: key });
      expect(done.instance).toMatchObject({ state: "finished", endEventKey: end, result: { won: key } });
      expect(await engine.listEvents({ correlationId: instance.correlationId })).toEqual([]);
      expect(timerCount(data)).toBe(0);
      const loser = events.find((event) => event.key !== key);
      await expect(engine.triggerEvent(loser?.id as string)).rejects.toThrow(EngineError);
    });
  }

  it("a timer target wins when it is due first", async () => {
    const engine = await open();
    const { instance } = await engine.start({
      processModelKey: "EventGatewaySoon",
      startEventKey: "SoonStart",
    });
    const ended = await engine.whenEnded(instance.processInstanceId);
    expect(ended).toMatchObject({ state: "finished", endEventKey: "SoonTimedOut" });
    expect(await engine.listEvents({ correlationId: instance.correlationId })).toEqual([]);
  });
});
