import type { NotificationMessage } from "@consumer-api/contracts";
import type { EngineEvent } from "@consumer-api/engine";
import { describe, expect, it } from "vitest";
import { type Subscriber, SubscriptionIndex } from "../src/notifications.js";

// The lane rule at dispatch time, for the channels where the api's subscribe already refuses an element in
// another lane (403): through the api the two checks agree, so only this test sees the dispatch check.
const base = { processModelKey: "Lanes", correlationId: "c-1", processInstanceId: "i-1" };
const activity: EngineEvent = {
  ...base,
  type: "activity.started",
  flowNodeKey: "ManagerApproval",
  flowNodeType: "bpmn:UserTask",
  lane: "Manager",
  payload: {},
};
const bpmnEvent: EngineEvent = {
  ...base,
  type: "event.reached",
  flowNodeKey: "ManagerEnd",
  flowNodeType: "bpmn:EndEvent",
  lane: "Manager",
  payload: {},
};

function subscriber(kind: Subscriber["kind"], key: string, claims: string[]) {
  const received: NotificationMessage[] = [];
  const entry: Subscriber = {
    kind,
    processModelKey: "Lanes",
    key,
    correlationId: undefined,
    identity: { userId: claims.join("+") || "nobody", claims },
    callback: (message) => {
      received.push(message);
    },
  };
  return { entry, received };
}

describe("SubscriptionIndex.dispatch", () => {
  for (const [kind, event, key] of [
    ["activity", activity, "ManagerApproval"],
    ["bpmnEvent", bpmnEvent, "ManagerEnd"],
  ] as const) {
    it(`delivers ${kind} messages about an element in a lane only to subscribers holding that lane`, () => {
      const index = new SubscriptionIndex();
      const clerk = subscriber(kind, key, ["Clerk"]);
      const manager = subscriber(kind, key, ["Manager"]);
      index.add(clerk.entry);
      index.add(manager.entry);
      index.dispatch(event);
      expect(manager.received).toHaveLength(1);
      expect(clerk.received).toEqual([]);
    });
  }
});
