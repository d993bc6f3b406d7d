import type { ConsumerContext } from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { expectBadRequest, expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start } from "../steps.js";

/** Lets the clock move on, so that instances started one after another begin waiting at distinct instants. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

/** The UTF-16 code unit order SPEC §9 sorts keys by (JavaScript's default sort). */
const ordinal = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function paginationCases(options: ConformanceOptions): void {
  describe("pagination (SPEC §9)", () => {
    const h = useApi(options);

    beforeEach(({ skip }) => {
      if (!h.supports.pagination) skip("pagination not supported");
    });

    /**
     * One correlation, six user tasks begun one after another: Clerk, Manager, lane-free, twice over.
     * A clerk sees four of them, in that order.
     */
    const sixTasks = async () => {
      const correlationId = newCorrelationId();
      const order: string[] = [];
      for (let i = 0; i < 2; i++) {
        for (const [context, startEvent] of [
          [as.clerk, "ClerkStart"],
          [as.manager, "ManagerStart"],
          [as.none, "OpenStart"],
        ] as const) {
          const { processInstanceId } = await start(h.api, context, "Lanes", startEvent, { correlationId });
          if (startEvent !== "ManagerStart") order.push(processInstanceId);
          await tick();
        }
      }
      return { correlationId, clerkOrder: order };
    };

    it("totalCount counts only what the caller may see, and the list is in the order the tasks began waiting", async () => {
      const { correlationId, clerkOrder } = await sixTasks();
      const list = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      expect(list.totalCount).toBe(4);
      expect(list.userTasks.map((task) => task.processInstanceId)).toEqual(clerkOrder);
      expect((await h.api.getUserTasksForCorrelation(as.both, correlationId)).totalCount).toBe(6);
      expect((await h.api.getUserTasksForCorrelation(as.none, correlationId)).totalCount).toBe(2);
    });

    it("pages of one partition the list; hidden tasks shift no offset", async () => {
      const { correlationId, clerkOrder } = await sixTasks();
      const paged: string[] = [];
      for (let offset = 0; offset < 4; offset++) {
        const page = await h.api.getUserTasksForCorrelation(as.clerk, correlationId, offset, 1);
        expect(page.totalCount).toBe(4);
        expect(page.userTasks).toHaveLength(1);
        paged.push(page.userTasks[0]?.processInstanceId as string);
      }
      expect(paged).toEqual(clerkOrder);
      const twoAndTwo = [
        ...(await h.api.getUserTasksForCorrelation(as.clerk, correlationId, 0, 2)).userTasks,
        ...(await h.api.getUserTasksForCorrelation(as.clerk, correlationId, 2, 2)).userTasks,
      ];
      expect(twoAndTwo.map((task) => task.processInstanceId)).toEqual(clerkOrder);
    });

    it("limit 0 returns no items, only totalCount; an offset at or past the end is an empty page", async () => {
      const { correlationId } = await sixTasks();
      expect(await h.api.getUserTasksForCorrelation(as.clerk, correlationId, 0, 0)).toEqual({
        userTasks: [],
        totalCount: 4,
      });
      for (const offset of [4, 1000]) {
        expect(await h.api.getUserTasksForCorrelation(as.clerk, correlationId, offset)).toEqual({
          userTasks: [],
          totalCount: 4,
        });
      }
      const tail = await h.api.getUserTasksForCorrelation(as.clerk, correlationId, 3);
      expect(tail.userTasks).toHaveLength(1);
    });

    it("every user task list pages: by model, by model in correlation", async () => {
      const { correlationId, clerkOrder } = await sixTasks();
      const inCorrelation = await h.api.getUserTasksForProcessModelInCorrelation(
        as.clerk,
        "Lanes",
        correlationId,
        1,
        2,
      );
      expect(inCorrelation.totalCount).toBe(4);
      expect(inCorrelation.userTasks.map((task) => task.processInstanceId)).toEqual(clerkOrder.slice(1, 3));
      const byModel = await h.api.getUserTasksForProcessModel(as.clerk, "Lanes", 0, 0);
      expect(byModel.userTasks).toEqual([]);
      expect(byModel.totalCount).toBeGreaterThanOrEqual(4);
    });

    it("process models are ordered by key and page", async () => {
      const all = await h.api.getProcessModels(as.clerk);
      const keys = all.processModels.map((model) => model.key);
      expect(keys).toEqual([...keys].sort(ordinal));
      expect(all.totalCount).toBe(keys.length);
      const second = await h.api.getProcessModels(as.clerk, 1, 2);
      expect(second.processModels.map((model) => model.key)).toEqual(keys.slice(1, 3));
      expect(second.totalCount).toBe(keys.length);
      // ManagerOnly is startable only from the Manager lane: not counted for a clerk.
      expect(keys).not.toContain("ManagerOnly");
      const manager = await h.api.getProcessModels(as.manager, 0, 0);
      expect(manager.totalCount).toBe((await h.api.getProcessModels(as.manager)).processModels.length);
    });

    it("events page, counted under the lane rule, in the order they began waiting", async () => {
      const correlationId = newCorrelationId();
      const instances: string[] = [];
      for (let i = 0; i < 3; i++) {
        instances.push(
          (await start(h.api, as.clerk, "Lanes", "EventStart", { correlationId })).processInstanceId,
        );
        await tick();
      }
      const clerk = await h.api.getEventsForCorrelation(as.clerk, correlationId);
      expect(clerk.totalCount).toBe(3);
      expect(clerk.events.map((event) => [event.eventKey, event.processInstanceId])).toEqual(
        instances.map((id) => ["ClerkNote", id]),
      );
      expect((await h.api.getEventsForCorrelation(as.both, correlationId)).totalCount).toBe(6);
      const page = await h.api.getEventsForProcessModelInCorrelation(as.clerk, "Lanes", correlationId, 2, 5);
      expect(page.events.map((event) => event.processInstanceId)).toEqual([instances[2]]);
      expect(page.totalCount).toBe(3);
    });

    const lists: [string, (context: ConsumerContext, offset?: number, limit?: number) => Promise<unknown>][] =
      [
        ["getProcessModels", (c, o, l) => h.api.getProcessModels(c, o, l)],
        [
          "getUserTasksForCorrelation",
          (c, o, l) => h.api.getUserTasksForCorrelation(c, newCorrelationId(), o, l),
        ],
        [
          "getUserTasksForProcessModel",
          (c, o, l) => h.api.getUserTasksForProcessModel(c, "NoSuchModel", o, l),
        ],
        [
          "getUserTasksForProcessModelInCorrelation",
          (c, o, l) =>
            h.api.getUserTasksForProcessModelInCorrelation(c, "NoSuchModel", newCorrelationId(), o, l),
        ],
        ["getEventsForCorrelation", (c, o, l) => h.api.getEventsForCorrelation(c, newCorrelationId(), o, l)],
        [
          "getEventsForProcessModelInCorrelation",
          (c, o, l) =>
            h.api.getEventsForProcessModelInCorrelation(c, "NoSuchModel", newCorrelationId(), o, l),
        ],
      ];

    // Checked after authentication and before any lookup: the unknown correlation or model would be a 404.
    for (const [name, call] of lists) {
      it(`${name}: 400 naming offset or limit for a negative or fractional value, before any lookup; 401 first`, async () => {
        await expectBadRequest(call(as.clerk, -1), "offset");
        await expectBadRequest(call(as.clerk, 1.5), "offset");
        await expectBadRequest(call(as.clerk, 0, -1), "limit");
        await expectBadRequest(call(as.clerk, undefined, 2.5), "limit");
        await expectError(call(as.invalid, -1), 401);
      });
    }
  });
}
