import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";
import { eventually, keysOf, start, waitingEvent, waitingTask } from "../steps.js";

/**
 * Execution semantics an implementation can get wrong while every simpler case passes: signals across
 * instances, a terminate end event's scope, timer durations, a join fed several tokens per flow (SPEC §6).
 */
export function semanticsCases(options: ConformanceOptions): void {
  describe("execution semantics across instances, scopes and time (SPEC §6)", () => {
    const h = useApi(options);
    const taskKeys = async (correlationId: string) =>
      keysOf((await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks, (t) => t.key);

    it("a thrown signal reaches the signal catch event waiting in another instance, in another correlation", async () => {
      const waiting = await start(h.api, as.clerk, "SignalRelay", "CatchStart");
      await waitingEvent(h.api, as.clerk, waiting.correlationId, "AwaitRelay");
      await start(h.api, as.clerk, "SignalRelay", "ThrowStart", { callback: 2 });
      const result = await eventually(() =>
        h.api.getProcessResultForCorrelation(as.clerk, "SignalRelay", waiting.correlationId),
      );
      expect(result).toMatchObject({ processInstanceId: waiting.processInstanceId, endEventKey: "Relayed" });
      expect((await h.api.getEventsForCorrelation(as.clerk, waiting.correlationId)).events).toEqual([]);
    });

    it("a terminate end event inside a sub-process ends only the sub-process: its waits go, the rest goes on", async () => {
      const { correlationId } = await start(h.api, as.clerk, "SubTerminate", "SubTerminateStart");
      // Not the whole instance (OuterWait stays), not leaving the sub-process's InnerWait behind.
      expect(await taskKeys(correlationId)).toEqual(["AfterInner", "OuterWait"]);
      await expectError(h.api.getProcessResultForCorrelation(as.clerk, "SubTerminate", correlationId), 409);
      for (const key of ["AfterInner", "OuterWait"]) {
        const task = await waitingTask(h.api, as.clerk, correlationId, key);
        await h.api.finishUserTask(as.clerk, "SubTerminate", correlationId, task.id, { formFields: {} });
      }
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "SubTerminate", correlationId);
      expect(result.endEventKey).toBe("OuterDone");
    });

    it("a timer waits for its timeDuration: of two racing timers the shorter fires first", async ({
      skip,
    }) => {
      if (!h.supports.timers) skip("timers not supported");
      // An order, not a time: PT0.3S fires before PT3S on any machine; ignoring durations fires the first-modelled.
      const answer = await start(h.api, as.clerk, "TimerRace", "RaceStart", { callback: 2 });
      expect(answer.endEventKey).toBe("ShortWon");
    });

    it("a parallel join fed two tokens on each incoming flow fires twice", async () => {
      const { correlationId } = await start(h.api, as.clerk, "JoinTwice", "TwiceStart");
      expect(await taskKeys(correlationId)).toEqual(["AfterJoin", "AfterJoin"]);
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      for (const task of userTasks) {
        await h.api.finishUserTask(as.clerk, "JoinTwice", correlationId, task.id, { formFields: {} });
      }
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "JoinTwice", correlationId);
      expect(result.endEventKey).toBe("JoinedTwice");
      expect(await taskKeys(correlationId)).toEqual([]);
    });
  });
}
