import { ConflictError, InternalServerError, type UserTask } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import type { InternalConsumerApi } from "../src/index.js";
import { as, openTestApi, useTestApi } from "./helpers.js";

let api: InternalConsumerApi;
useTestApi((opened) => {
  api = opened;
});

const start = (context: { identity: string }, route: string, callback: 2 | 3, endEventKey?: string, n = 21) =>
  api.startProcessInstance(
    context,
    "Outcomes",
    "Start",
    { inputValues: { route, n } },
    callback,
    endEventKey,
  );

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

/** The correlation's user tasks once at least one is listed: a callback-2 start answers only later. */
async function listedTasks(correlationId: string): Promise<UserTask[]> {
  for (;;) {
    const tasks = (await api.getUserTasksForCorrelation(as.open, correlationId).catch(() => undefined))
      ?.userTasks;
    if (tasks !== undefined && tasks.length > 0) return tasks;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("callback 2: once the instance finished", () => {
  it("answers with the end event and the result when the caller may access the end event", async () => {
    const answer = await start(as.open, "open", 2);
    expect(answer).toEqual({
      correlationId: expect.any(String),
      processInstanceId: expect.any(String),
      endEventKey: "EndOpen",
      tokenPayload: { doubled: 42 },
    });
  });

  it("hides end event and result from a caller who may not access the end event", async () => {
    const hidden = await start(as.open, "secret", 2);
    expect(Object.keys(hidden).sort()).toEqual(["correlationId", "processInstanceId"]);
    const shown = await start(as.manager, "secret", 2);
    expect(shown.endEventKey).toBe("EndSecret");
    expect(shown.tokenPayload).toEqual({ route: "secret", n: 21 });
  });

  it("counts a terminate end event as ending through that end event", async () => {
    const answer = await start(as.open, "terminate", 2);
    expect(answer.endEventKey).toBe("EndTerminate");
  });

  it("500 naming the failure when the caller may access the failing element", async () => {
    const script = await rejection(start(as.open, "fail", 2));
    expect(script).toBeInstanceOf(InternalServerError);
    expect((script as InternalServerError).detail).toMatch(/FailOpen/);
    expect((script as InternalServerError).detail).toMatch(/open failure/);

    const errorEnd = await rejection(start(as.open, "error", 2));
    expect((errorEnd as InternalServerError).status).toBe(500);
    expect((errorEnd as InternalServerError).detail).toMatch(/EndError/);

    const gateway = await rejection(start(as.open, "nowhere", 2));
    expect((gateway as InternalServerError).status).toBe(500);
    expect((gateway as InternalServerError).detail).toMatch(/Route/);
  });

  it("500 with a generic detail when the failing element is in an inaccessible lane", async () => {
    const hidden = (await rejection(start(as.open, "failSecret", 2))) as InternalServerError;
    expect(hidden).toBeInstanceOf(InternalServerError);
    expect(hidden.detail).not.toMatch(/FailSecret|secret failure/);
    const shown = (await rejection(start(as.manager, "failSecret", 2))) as InternalServerError;
    expect(shown.detail).toMatch(/FailSecret/);
    expect(shown.detail).toMatch(/secret failure/);
  });

  it("waits without blocking: the waiting instance's task can be listed and finished meanwhile", async () => {
    const correlationId = `wait-${Date.now()}`;
    const waiting = api.startProcessInstance(
      as.open,
      "Outcomes",
      "Start",
      { correlationId, inputValues: { route: "wait" } },
      2,
    );
    let settled = false;
    waiting.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    // The instance is durable before the caller hears anything, so a concurrent caller finds its task.
    const tasks = await listedTasks(correlationId);
    expect(settled).toBe(false);
    await api.finishUserTask(as.open, "Outcomes", correlationId, tasks[0]?.id as string, {
      formFields: { comment: "done" },
    });
    expect(await waiting).toEqual({
      correlationId,
      processInstanceId: tasks[0]?.processInstanceId,
      endEventKey: "EndOpen",
      tokenPayload: { formFields: { comment: "done" } },
    });
  });
});

describe("a caller that gives up (its context's signal aborts)", () => {
  it("ends its callback-2 wait; the instance runs on and ends as modelled", async () => {
    const correlationId = `gave-up-${Date.now()}`;
    const caller = new AbortController();
    const waiting = api.startProcessInstance(
      { ...as.open, signal: caller.signal },
      "Outcomes",
      "Start",
      { correlationId, inputValues: { route: "wait" } },
      2,
    );
    const tasks = await listedTasks(correlationId);
    caller.abort();
    expect(await rejection(waiting)).toBeInstanceOf(InternalServerError);
    await api.finishUserTask(as.open, "Outcomes", correlationId, tasks[0]?.id as string, {
      formFields: { comment: "later" },
    });
    expect(await api.getProcessResultForCorrelation(as.open, "Outcomes", correlationId)).toMatchObject({
      endEventKey: "EndOpen",
      result: { formFields: { comment: "later" } },
    });
  });
});

describe("callback 3: once the instance finished through a given end event", () => {
  it("answers when the instance ends through the awaited end event", async () => {
    expect(await start(as.open, "open", 3, "EndOpen", 4)).toMatchObject({
      endEventKey: "EndOpen",
      tokenPayload: { doubled: 8 },
    });
    expect((await start(as.open, "terminate", 3, "EndTerminate")).endEventKey).toBe("EndTerminate");
  });

  it("409 when it ends through another end event, naming it only when accessible", async () => {
    const visible = (await rejection(start(as.open, "terminate", 3, "EndOpen"))) as ConflictError;
    expect(visible).toBeInstanceOf(ConflictError);
    expect(visible.detail).toMatch(/EndTerminate/);
    const hidden = (await rejection(start(as.open, "secret", 3, "EndOpen"))) as ConflictError;
    expect(hidden).toBeInstanceOf(ConflictError);
    expect(hidden.detail).not.toMatch(/EndSecret/);
    const managerView = (await rejection(start(as.manager, "secret", 3, "EndOpen"))) as ConflictError;
    expect(managerView.detail).toMatch(/EndSecret/);
  });

  it("500 when it fails before reaching the awaited end event", async () => {
    const failed = await rejection(start(as.open, "fail", 3, "EndOpen"));
    expect(failed).toBeInstanceOf(InternalServerError);
  });

  it("ignores endEventKey for callback types 1 and 2", async () => {
    const answer = await api.startProcessInstance(
      as.open,
      "Outcomes",
      "Start",
      { inputValues: { route: "open", n: 1 } },
      2,
      "NoSuchEnd",
    );
    expect(answer.endEventKey).toBe("EndOpen");
  });
});

describe("close while waiting", () => {
  it("rejects a pending callback-2 wait with a 500 instead of leaving the caller hanging", async () => {
    const own = await openTestApi();
    try {
      const correlationId = `close-${Date.now()}`;
      const waiting = own.api.startProcessInstance(
        as.open,
        "Outcomes",
        "Start",
        { correlationId, inputValues: { route: "wait" } },
        2,
      );
      const outcome = rejection(waiting);
      // Once the task is listed the instance waits on it, and so does the start call.
      while (!(await own.api.getUserTasksForCorrelation(as.open, correlationId).catch(() => undefined))) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      await own.api.close();
      expect(await outcome).toBeInstanceOf(InternalServerError);
    } finally {
      await own.dispose();
    }
  });
});
