import { SystemEventKey } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import type { InternalConsumerApi } from "../src/index.js";
import { as, Inbox, useTestApi } from "./helpers.js";

let api: InternalConsumerApi;
useTestApi((opened) => {
  api = opened;
});

const finishedOf = (processInstanceId: string) => (m: { event_key: string; process_instance_id: string }) =>
  m.process_instance_id === processInstanceId &&
  (m.event_key === SystemEventKey.ProcessInstanceFinishedSuccessfully ||
    m.event_key === SystemEventKey.ProcessInstanceTerminated);

describe("system events", () => {
  it("gives each subscriber its own copy of a message, and a callback's changes reach no one else", async () => {
    const meddler = (message: { payload?: unknown }) => {
      const payload = message.payload as { doubled?: unknown } | undefined;
      if (payload && typeof payload === "object") payload.doubled = "changed by a subscriber";
    };
    const inbox = new Inbox();
    const subs = [
      await api.onSystemEvent(as.open, "Outcomes", meddler),
      await api.onSystemEvent(as.open, "Outcomes", inbox.callback),
    ];
    try {
      const answer = await api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { inputValues: { route: "open", n: 2 } },
        2,
      );
      expect(answer.tokenPayload).toEqual({ doubled: 4 });
      const finished = await inbox.next(finishedOf(answer.processInstanceId));
      expect(finished.payload).toEqual({ doubled: 4 });
    } finally {
      for (const sub of subs) await sub.unsubscribe();
    }
  });

  it("reports started and finished, with the payload, to identities that may access the elements", async () => {
    const open = new Inbox();
    const manager = new Inbox();
    const subs = [
      await api.onSystemEvent(as.open, "Outcomes", open.callback),
      await api.onSystemEvent(as.manager, "Outcomes", manager.callback),
    ];
    try {
      const visible = await api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { inputValues: { route: "open", n: 2 } },
        2,
      );
      const finished = await open.next(finishedOf(visible.processInstanceId));
      expect(finished).toEqual({
        process_model_key: "Outcomes",
        event_key: "ProcessInstanceFinishedSuccessfully",
        correlation_id: visible.correlationId,
        process_instance_id: visible.processInstanceId,
        payload: { doubled: 4 },
      });
      expect(open.keys(visible.processInstanceId)).toEqual([
        "ProcessInstanceStarted",
        "ProcessInstanceFinishedSuccessfully",
      ]);
      expect(open.messages[0]?.payload).toEqual({ route: "open", n: 2 });

      // EndSecret lies in Managers: the open identity hears the start but not the end.
      const secret = await api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { inputValues: { route: "secret" } },
        2,
      );
      await manager.next(finishedOf(secret.processInstanceId));
      expect(manager.keys(secret.processInstanceId)).toEqual([
        "ProcessInstanceStarted",
        "ProcessInstanceFinishedSuccessfully",
      ]);
      expect(open.keys(secret.processInstanceId)).toEqual(["ProcessInstanceStarted"]);

      // A failure in the Managers lane is a termination only managers hear of; an open failure everyone does.
      const failSecret = await api
        .startProcessInstance(as.open, "Outcomes", "Start", { inputValues: { route: "failSecret" } })
        .catch(() => undefined);
      const failOpen = await api.startProcessInstance(as.open, "Outcomes", "Start", {
        inputValues: { route: "fail" },
      });
      await open.next(finishedOf(failOpen.processInstanceId));
      expect(open.keys(failOpen.processInstanceId)).toEqual([
        "ProcessInstanceStarted",
        "ProcessInstanceTerminated",
      ]);
      await manager.next(finishedOf(failOpen.processInstanceId));
      expect(manager.keys(failSecret?.processInstanceId)).toContain("ProcessInstanceTerminated");
      expect(open.keys(failSecret?.processInstanceId)).toEqual(["ProcessInstanceStarted"]);
    } finally {
      for (const s of subs) await s.unsubscribe();
    }
  });

  it("filters by correlation when asked to", async () => {
    const filtered = new Inbox();
    const all = new Inbox();
    const subs = [
      await api.onSystemEvent(as.open, "Outcomes", filtered.callback, { correlationId: "wanted" }),
      await api.onSystemEvent(as.open, "Outcomes", all.callback),
    ];
    try {
      const other = await api.startProcessInstance(as.open, "Outcomes", "Start", {
        correlationId: "other",
        inputValues: { route: "open", n: 1 },
      });
      const wanted = await api.startProcessInstance(as.open, "Outcomes", "Start", {
        correlationId: "wanted",
        inputValues: { route: "open", n: 1 },
      });
      await filtered.next(finishedOf(wanted.processInstanceId));
      await all.next(finishedOf(other.processInstanceId));
      expect(filtered.messages.every((m) => m.correlation_id === "wanted")).toBe(true);
      expect(all.messages.some((m) => m.correlation_id === "other")).toBe(true);
    } finally {
      for (const s of subs) await s.unsubscribe();
    }
  });
});

describe("BPMN events, activities and signals", () => {
  it("reports reached events and activity start / finish, matched by key", async () => {
    const end = new Inbox();
    const start = new Inbox();
    const activity = new Inbox();
    const subs = [
      await api.onBpmnEvent(as.open, "Outcomes", "EndOpen", end.callback),
      await api.onBpmnEvent(as.open, "Outcomes", "Start", start.callback),
      await api.onActivity(as.open, "Outcomes", "Double", activity.callback),
    ];
    try {
      const run = await api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { inputValues: { route: "open", n: 3 } },
        2,
      );
      const reached = await end.next((m) => m.process_instance_id === run.processInstanceId);
      expect(reached).toMatchObject({
        process_model_key: "Outcomes",
        event_key: "EndOpen",
        correlation_id: run.correlationId,
        payload: { doubled: 6 },
      });
      await start.next((m) => m.process_instance_id === run.processInstanceId);
      await activity.next(
        (m) => m.process_instance_id === run.processInstanceId && m.event_key === "finished",
      );
      expect(activity.keys(run.processInstanceId)).toEqual(["started", "finished"]);
      expect(end.keys(run.processInstanceId)).toEqual(["EndOpen"]);
    } finally {
      for (const s of subs) await s.unsubscribe();
    }
  });

  it("reports triggered events, filtered by lane, and signals to everyone", async () => {
    const clerk = new Inbox();
    const signal = new Inbox();
    const subs = [
      await api.onBpmnEvent(as.clerk, "Events", "GoClerk", clerk.callback),
      // The throwing element lies in Managers; signals still reach every authenticated identity.
      await api.onSignal(as.open, "events-done", signal.callback),
    ];
    try {
      const run = await api.startProcessInstance(as.open, "Events", "StartEvents");
      const events = (await api.getEventsForCorrelation(as.clerk, run.correlationId)).events;
      for (const e of events) {
        await api.triggerEvent(as.clerk, "Events", run.correlationId, e.eventId, { from: e.eventKey });
      }
      const thrown = await signal.next((m) => m.process_instance_id === run.processInstanceId);
      expect(thrown).toMatchObject({
        process_model_key: "Events",
        event_key: "events-done",
        correlation_id: run.correlationId,
      });
      await clerk.next((m) => m.process_instance_id === run.processInstanceId);
      expect(clerk.keys(run.processInstanceId).every((k) => k === "GoClerk")).toBe(true);
    } finally {
      for (const s of subs) await s.unsubscribe();
    }
  });
});

describe("delivery guarantees", () => {
  it("a throwing, a rejecting and a never-settling callback do not block another subscriber or the engine", async () => {
    const good = new Inbox();
    let calls = 0;
    const subs = [
      await api.onSystemEvent(as.open, "Outcomes", () => {
        calls++;
        throw new Error("boom");
      }),
      await api.onSystemEvent(as.open, "Outcomes", async () => {
        calls++;
        throw new Error("async boom");
      }),
      await api.onSystemEvent(as.open, "Outcomes", () => {
        calls++;
        return new Promise<void>(() => {});
      }),
      await api.onSystemEvent(as.open, "Outcomes", good.callback),
    ];
    try {
      const run = await api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { inputValues: { route: "open", n: 1 } },
        2,
      );
      expect(run.endEventKey).toBe("EndOpen");
      await good.next(finishedOf(run.processInstanceId));
      expect(good.keys(run.processInstanceId)).toEqual([
        "ProcessInstanceStarted",
        "ProcessInstanceFinishedSuccessfully",
      ]);
      expect(calls).toBeGreaterThanOrEqual(6);
      // And the engine still serves everyone afterwards.
      const again = await api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { inputValues: { route: "open", n: 2 } },
        2,
      );
      await good.next(finishedOf(again.processInstanceId));
    } finally {
      for (const s of subs) await s.unsubscribe();
    }
  });

  it("unsubscribe stops delivery, is idempotent, and leaves other subscribers alone", async () => {
    const leaving = new Inbox();
    const staying = new Inbox();
    const leave = await api.onSystemEvent(as.open, "Outcomes", leaving.callback);
    const stay = await api.onSystemEvent(as.open, "Outcomes", staying.callback);
    try {
      const first = await api.startProcessInstance(as.open, "Outcomes", "Start", {
        inputValues: { route: "open", n: 1 },
      });
      await leaving.next(finishedOf(first.processInstanceId));
      await leave.unsubscribe();
      await leave.unsubscribe();
      const second = await api.startProcessInstance(as.open, "Outcomes", "Start", {
        inputValues: { route: "open", n: 1 },
      });
      await staying.next(finishedOf(second.processInstanceId));
      expect(leaving.keys(second.processInstanceId)).toEqual([]);
      expect(staying.keys(second.processInstanceId)).toHaveLength(2);
    } finally {
      await stay.unsubscribe();
    }
  });

  it("a callback may unsubscribe itself while being called", async () => {
    const other = new Inbox();
    let selfCalls = 0;
    const self = await api.onSystemEvent(as.open, "Outcomes", () => {
      selfCalls++;
      void self.unsubscribe();
    });
    const sub = await api.onSystemEvent(as.open, "Outcomes", other.callback);
    try {
      const run = await api.startProcessInstance(as.open, "Outcomes", "Start", {
        inputValues: { route: "open", n: 1 },
      });
      await other.next(finishedOf(run.processInstanceId));
      expect(selfCalls).toBe(1);
    } finally {
      await sub.unsubscribe();
    }
  });
});
