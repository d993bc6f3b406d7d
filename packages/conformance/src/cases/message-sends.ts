import { describe, expect, it } from "vitest";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { eventKeysIn, start, waitingTask } from "../steps.js";

/** SPEC §6.1: send tasks, message throw and end events deliver by name within the sender's correlation. */
export function messageSendCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).bpmnLevel2)("sending messages (SPEC §6.1)", () => {
    const h = useApi(options);
    const eventKeys = (correlationId: string) => eventKeysIn(h.api, as.clerk, correlationId);

    it("a send task starts a message start event in the sender's correlation; a throw event reaches only what waits there", async () => {
      const here = await start(h.api, as.clerk, "MessageReceiver", "ReceiverStart");
      const elsewhere = await start(h.api, as.clerk, "MessageReceiver", "ReceiverStart");
      await start(h.api, as.clerk, "MessageSender", "SenderStart", {
        correlationId: here.correlationId,
        inputValues: { order: 9 },
      });
      // Read-your-writes: delivered in the sender's step.
      const handle = await waitingTask(h.api, as.clerk, here.correlationId, "HandleOrder");
      expect(handle).toMatchObject({ processModelKey: "MessageStart", tokenPayload: { order: 9 } });
      expect(await eventKeys(here.correlationId)).toEqual(["WaitReply"]);
      expect(await eventKeys(elsewhere.correlationId)).toEqual(["WaitNotify"]);
    });

    it("a message end event reaches a receive task in the correlation, with the sender's payload", async () => {
      const here = await start(h.api, as.clerk, "MessageReceiver", "ReceiverStart");
      await start(h.api, as.clerk, "MessageSender", "SenderStart", { correlationId: here.correlationId });
      const confirm = await waitingTask(h.api, as.clerk, here.correlationId, "ConfirmSend");
      await h.api.finishUserTask(as.clerk, "MessageSender", here.correlationId, confirm.id, {
        formFields: {},
      });
      const sender = await h.api.getProcessResultForCorrelation(
        as.clerk,
        "MessageSender",
        here.correlationId,
      );
      expect(sender.endEventKey).toBe("Reply");
      const receiver = await h.api.getProcessResultForCorrelation(
        as.clerk,
        "MessageReceiver",
        here.correlationId,
      );
      expect(receiver).toMatchObject({ endEventKey: "Replied", result: { formFields: {} } });
    });
  });
}
