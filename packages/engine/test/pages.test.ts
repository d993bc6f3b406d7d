import { afterEach, describe, expect, it, vi } from "vitest";
import type { Engine, WaitingUserTask } from "../src/types.js";
import { closeEngines, open, removeTempDirs } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

/** Order waits on Review in lane "Managers"; Parallel waits on user tasks in no lane. */
async function seed(engine: Engine): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: `o${i}` });
    await engine.start({ processModelKey: "Parallel", startEventKey: "Start", correlationId: `p${i}` });
  }
}

const byWaitOrder = (a: WaitingUserTask, b: WaitingUserTask) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
const ids = (tasks: { id: string }[]) => tasks.map((task) => task.id);

describe("pages of waiting user tasks (SPEC §9)", () => {
  it("counts and lists only the lanes given, plus no lane, in the order the tasks began waiting", async () => {
    const engine = await open();
    await seed(engine);
    const all = (await engine.listUserTasks({})).sort(byWaitOrder);
    const open_ = all.filter((task) => task.lane === null);
    expect(open_.length).toBeGreaterThan(0);
    expect(open_.length).toBeLessThan(all.length);

    expect(await engine.pageUserTasks({}, { offset: 0 })).toEqual({ items: all, totalCount: all.length });
    const none = await engine.pageUserTasks({ lanes: [] }, { offset: 0 });
    expect(ids(none.items)).toEqual(ids(open_));
    expect(none.totalCount).toBe(open_.length);
    const managers = await engine.pageUserTasks({ lanes: ["Managers", "Nobody"] }, { offset: 0 });
    expect(ids(managers.items)).toEqual(ids(all));
    expect(managers.totalCount).toBe(all.length);
  });

  it("pages partition the list, over one lane range and merged over several", async () => {
    const engine = await open();
    await seed(engine);
    for (const lanes of [[], ["Managers"]]) {
      const whole = await engine.pageUserTasks({ lanes }, { offset: 0 });
      const pages: WaitingUserTask[] = [];
      for (let offset = 0; offset < whole.totalCount; offset += 3) {
        const page = await engine.pageUserTasks({ lanes }, { offset, limit: 3 });
        expect(page.totalCount).toBe(whole.totalCount);
        expect(page.items.length).toBeLessThanOrEqual(3);
        pages.push(...page.items);
      }
      expect(ids(pages)).toEqual(ids(whole.items));
    }
  });

  it("every-model pages descend the per-second counts: tasks across hours, minutes, seconds and one millisecond", async () => {
    const engine = await open();
    // The clock only: the engine stamps created_at from Date; its timers are not involved.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const moments = [
        "2026-01-01T08:59:59.999Z",
        "2026-01-01T09:00:00.000Z",
        "2026-01-01T09:00:00.000Z",
        "2026-01-01T09:00:01.500Z",
        "2026-01-01T09:01:00.000Z",
        "2026-01-01T11:30:00.000Z",
        "2026-01-02T00:00:00.000Z",
      ];
      for (const [i, moment] of moments.entries()) {
        vi.setSystemTime(new Date(moment));
        await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", correlationId: `t${i}` });
        await engine.start({ processModelKey: "Parallel", startEventKey: "Start", correlationId: `u${i}` });
      }
    } finally {
      vi.useRealTimers();
    }
    const all = (await engine.listUserTasks({})).sort(byWaitOrder);
    for (const lanes of [[], ["Managers"]]) {
      const expected = lanes.length === 0 ? all.filter((task) => task.lane === null) : all;
      for (const limit of [1, 2, 5]) {
        for (let offset = 0; offset <= expected.length; offset++) {
          const page = await engine.pageUserTasks({ lanes }, { offset, limit });
          expect(page.totalCount).toBe(expected.length);
          expect(ids(page.items), `lanes ${lanes}, offset ${offset}, limit ${limit}`).toEqual(
            ids(expected.slice(offset, offset + limit)),
          );
        }
      }
    }
    // A finished task leaves the counts and the pages.
    const [first] = all;
    await engine.finishUserTask(first?.id as string, { formFields: {} });
    const rest = (await engine.listUserTasks({})).sort(byWaitOrder);
    expect(ids(rest)).not.toContain(first?.id);
    const after = await engine.pageUserTasks({ lanes: ["Managers"] }, { offset: 1, limit: 100 });
    expect(after.totalCount).toBe(rest.length);
    expect(ids(after.items)).toEqual(ids(rest.slice(1)));
  });

  it("limit 0 gives only the count; an offset at or past the end an empty page", async () => {
    const engine = await open();
    await seed(engine);
    const total = (await engine.pageUserTasks({ lanes: ["Managers"] }, { offset: 0 })).totalCount;
    expect(await engine.pageUserTasks({ lanes: ["Managers"] }, { offset: 0, limit: 0 })).toEqual({
      items: [],
      totalCount: total,
    });
    expect(await engine.pageUserTasks({ lanes: ["Managers"] }, { offset: total, limit: 5 })).toEqual({
      items: [],
      totalCount: total,
    });
  });

  it("filters by model, correlation and process instance", async () => {
    const engine = await open();
    await seed(engine);
    const order = await engine.pageUserTasks(
      { processModelKey: "Order", lanes: ["Managers"] },
      { offset: 0 },
    );
    expect(order.totalCount).toBe(4);
    expect(order.items.every((task) => task.processModelKey === "Order")).toBe(true);
    expect(
      (await engine.pageUserTasks({ processModelKey: "Order", lanes: [] }, { offset: 0 })).totalCount,
    ).toBe(0);
    const first = order.items[0] as WaitingUserTask;
    expect(
      ids((await engine.pageUserTasks({ processInstanceId: first.processInstanceId }, { offset: 0 })).items),
    ).toEqual([first.id]);
    expect(
      (
        await engine.pageUserTasks(
          { correlationId: "p1", processModelKey: "Parallel", lanes: [] },
          { offset: 0 },
        )
      ).totalCount,
    ).toBe((await engine.listUserTasks({ correlationId: "p1" })).length);
  });

  it("pages waiting events the same way", async () => {
    const engine = await open();
    await engine.start({ processModelKey: "Messages", startEventKey: "Start", correlationId: "e1" });
    await engine.start({ processModelKey: "SignalWait", startEventKey: "Start", correlationId: "e1" });
    const all = await engine.listEvents({ correlationId: "e1" });
    const page = await engine.pageEvents({ correlationId: "e1", lanes: [] }, { offset: 1, limit: 1 });
    const visible = all.filter((event) => event.lane === null);
    expect(page.totalCount).toBe(visible.length);
    expect(page.items).toHaveLength(1);
  });
});

describe("instances by starter (SPEC §10)", () => {
  it("records who started an instance and pages their instances in start order, any state", async () => {
    const engine = await open();
    const a = await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", starterId: "ann" });
    await engine.start({ processModelKey: "Order", startEventKey: "StartWeb", starterId: "bob" });
    await engine.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    const b = await engine.start({ processModelKey: "Parallel", startEventKey: "Start", starterId: "ann" });
    expect(a.instance.starterId).toBe("ann");
    const ann = await engine.pageInstancesByStarter("ann", { offset: 0 });
    expect(ann.totalCount).toBe(2);
    expect(ann.items.map((i) => i.processInstanceId)).toEqual([
      a.instance.processInstanceId,
      b.instance.processInstanceId,
    ]);
    expect((await engine.getInstance(a.instance.processInstanceId))?.starterId).toBe("ann");
    expect((await engine.pageInstancesByStarter("ann", { offset: 1, limit: 5 })).items).toHaveLength(1);
    expect(await engine.pageInstancesByStarter("ann", { offset: 0, limit: 0 })).toEqual({
      items: [],
      totalCount: 2,
    });
    expect(await engine.pageInstancesByStarter("nobody", { offset: 0 })).toEqual({
      items: [],
      totalCount: 0,
    });
    expect((await engine.modelOfInstance(b.instance.processInstanceId))?.key).toBe("Parallel");
    expect(await engine.modelOfInstance("unknown")).toBeUndefined();
  });
});
