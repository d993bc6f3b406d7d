import {
  type AnyRoute,
  type ConsumerApi,
  type ConsumerContext,
  channelList,
  type ProcessStartRequestPayload,
  routes,
  type StartCallbackType,
} from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions, Supports } from "../options.js";
import { start, waitingEvent, waitingTask } from "../steps.js";

const ignore = () => {};

/** Each operation called the way that would succeed for a clerk, so only the token can make it fail. */
const operations: Record<
  keyof ConsumerApi,
  (api: ConsumerApi, context: ConsumerContext) => Promise<unknown>
> = {
  getProcessModels: (api, context) => api.getProcessModels(context),
  getProcessModelByKey: (api, context) => api.getProcessModelByKey(context, "Basic"),
  startProcessInstance: (api, context) =>
    api.startProcessInstance(context, "Basic", "StartA", { correlationId: newCorrelationId() }),
  getEventsForCorrelation: async (api, context) => {
    const { correlationId } = await start(api, as.clerk, "MessageWait", "MessageWaitStart");
    return api.getEventsForCorrelation(context, correlationId);
  },
  getEventsForProcessModelInCorrelation: async (api, context) => {
    const { correlationId } = await start(api, as.clerk, "MessageWait", "MessageWaitStart");
    return api.getEventsForProcessModelInCorrelation(context, "MessageWait", correlationId);
  },
  triggerEvent: async (api, context) => {
    const { correlationId } = await start(api, as.clerk, "MessageWait", "MessageWaitStart");
    const event = await waitingEvent(api, as.clerk, correlationId, "Confirmation");
    return api.triggerEvent(context, "MessageWait", correlationId, event.eventId, { x: 1 });
  },
  getUserTasksForCorrelation: async (api, context) => {
    const { correlationId } = await start(api, as.clerk, "Basic", "StartA");
    return api.getUserTasksForCorrelation(context, correlationId);
  },
  getUserTasksForProcessModel: (api, context) => api.getUserTasksForProcessModel(context, "Basic"),
  getUserTasksForProcessModelInCorrelation: async (api, context) => {
    const { correlationId } = await start(api, as.clerk, "Basic", "StartA");
    return api.getUserTasksForProcessModelInCorrelation(context, "Basic", correlationId);
  },
  finishUserTask: async (api, context) => {
    const { correlationId } = await start(api, as.clerk, "Basic", "StartA");
    const task = await waitingTask(api, as.clerk, correlationId, "Review");
    return api.finishUserTask(context, "Basic", correlationId, task.id, { formFields: { approved: true } });
  },
  getProcessResultForCorrelation: async (api, context) => {
    const { correlationId } = await start(api, as.clerk, "Basic", "StartB", { callback: 2 });
    return api.getProcessResultForCorrelation(context, "Basic", correlationId);
  },
  getWaitingUserTasksByIdentity: (api, context) => api.getWaitingUserTasksByIdentity(context),
  getUserTasksForProcessInstance: async (api, context) => {
    const { processInstanceId } = await start(api, as.clerk, "Basic", "StartA");
    return api.getUserTasksForProcessInstance(context, processInstanceId);
  },
  getProcessModelByProcessInstanceId: async (api, context) => {
    const { processInstanceId } = await start(api, as.clerk, "Basic", "StartA");
    return api.getProcessModelByProcessInstanceId(context, processInstanceId);
  },
  getProcessInstancesByIdentity: (api, context) => api.getProcessInstancesByIdentity(context),
  getEventsForProcessModel: (api, context) => api.getEventsForProcessModel(context, "MessageWait"),
  getApplicationInfo: (api, context) => api.getApplicationInfo(context),
  triggerMessageEvent: (api, context) => api.triggerMessageEvent(context, "no-such-message"),
  triggerSignalEvent: (api, context) => api.triggerSignalEvent(context, "no-such-signal"),
  // 401 is answered before anything else is looked at, so no task needs to exist.
  fetchAndLockExternalTasks: (api, context) =>
    api.fetchAndLockExternalTasks(context, "w-auth", "conformance.charge", 1, 0, 1000),
  extendLock: (api, context) => api.extendLock(context, "w-auth", "no-such-task", 1000),
  finishExternalTask: (api, context) => api.finishExternalTask(context, "w-auth", "no-such-task", null),
  handleBpmnError: (api, context) => api.handleBpmnError(context, "w-auth", "no-such-task", "declined"),
  handleServiceError: (api, context) => api.handleServiceError(context, "w-auth", "no-such-task", "down"),
  onBpmnEvent: (api, context) => api.onBpmnEvent(context, "Basic", "StartA", ignore),
  onActivity: (api, context) => api.onActivity(context, "Basic", "Review", ignore),
  onSystemEvent: (api, context) => api.onSystemEvent(context, "Basic", ignore),
  onSignal: (api, context) => api.onSignal(context, "broadcast", ignore),
  onProcessStarted: (api, context) => api.onProcessStarted(context, ignore),
  onProcessEnded: (api, context) => api.onProcessEnded(context, ignore, { processModelKey: "Basic" }),
  onProcessTerminated: (api, context) => api.onProcessTerminated(context, ignore),
  onProcessError: (api, context) => api.onProcessError(context, ignore),
  onUserTaskWaiting: (api, context) => api.onUserTaskWaiting(context, ignore),
  onUserTaskFinished: (api, context) => api.onUserTaskFinished(context, ignore),
  onBoundaryEventTriggered: (api, context) => api.onBoundaryEventTriggered(context, ignore),
  onIntermediateThrowEventTriggered: (api, context) => api.onIntermediateThrowEventTriggered(context, ignore),
  onIntermediateCatchEventReached: (api, context) => api.onIntermediateCatchEventReached(context, ignore),
  onIntermediateCatchEventFinished: (api, context) => api.onIntermediateCatchEventFinished(context, ignore),
  onUserTaskForIdentityWaiting: (api, context) => api.onUserTaskForIdentityWaiting(context, ignore),
  onUserTaskForIdentityFinished: (api, context) => api.onUserTaskForIdentityFinished(context, ignore),
};

/** The capability (SPEC §14) a method belongs to, where it is not level 1's: the route table's, else these. */
const CAPABILITY_OF: Partial<Record<keyof ConsumerApi, keyof Supports>> = {
  ...Object.fromEntries(channelList.map((channel) => [channel.method, channel.capability])),
  onUserTaskForIdentityWaiting: "moreNotifications",
  onUserTaskForIdentityFinished: "moreNotifications",
  getApplicationInfo: "applicationInfo",
};

const unsupported = (supports: Supports, name: keyof ConsumerApi): string | undefined => {
  const capability = CAPABILITY_OF[name] ?? (routes as Partial<Record<string, AnyRoute>>)[name]?.capability;
  return capability !== undefined && !supports[capability] ? `${capability} not supported` : undefined;
};

export function authCases(options: ConformanceOptions): void {
  describe("authentication (SPEC §2)", () => {
    const h = useApi(options);

    for (const [name, call] of Object.entries(operations)) {
      it(`${name}: 401 for an unknown token`, async ({ skip }) => {
        const reason = unsupported(h.supports, name as keyof ConsumerApi);
        if (reason) skip(reason);
        await expectError(call(h.api, as.invalid), 401);
      });
    }

    for (const name of [
      "getProcessModels",
      "startProcessInstance",
      "finishUserTask",
      "onSystemEvent",
    ] as const) {
      it(`${name}: 401 for an empty token`, async ({ skip }) => {
        const reason = unsupported(h.supports, name);
        if (reason) skip(reason);
        await expectError(operations[name](h.api, { identity: "" }), 401);
      });
    }

    it("an identity without claims is authenticated", async () => {
      const { processModels } = await h.api.getProcessModels(as.none);
      expect(processModels.length).toBeGreaterThan(0);
    });

    it("401 comes before 404: unknown token and unknown model", async () => {
      await expectError(h.api.getProcessModelByKey(as.invalid, "NoSuchModel"), 401);
    });

    it("401 comes before 403: unknown token and a model of another lane", async () => {
      await expectError(h.api.startProcessInstance(as.invalid, "ManagerOnly", "ManagerOnlyStart"), 401);
    });

    it("401 comes before 400: unknown token and an invalid start payload", async () => {
      const payload = { correlationId: 42 } as unknown as ProcessStartRequestPayload;
      await expectError(h.api.startProcessInstance(as.invalid, "Basic", "StartA", payload), 401);
    });

    it("401 comes before 400: unknown token and an unknown callback type", async () => {
      await expectError(
        h.api.startProcessInstance(as.invalid, "Basic", "StartA", {}, 9 as StartCallbackType),
        401,
      );
    });

    it("401 comes before 400: unknown token and an invalid form result", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await expectError(
        h.api.finishUserTask(as.invalid, "Basic", correlationId, task.id, {
          formFields: { approved: "maybe" },
        }),
        401,
      );
    });

    it("a start rejected with 401 creates no instance", async () => {
      const correlationId = newCorrelationId();
      await expectError(h.api.startProcessInstance(as.invalid, "Basic", "StartA", { correlationId }), 401);
      await expectError(h.api.getUserTasksForCorrelation(as.clerk, correlationId), 404);
    });

    it("a finish rejected with 401 leaves the task waiting", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await expectError(
        h.api.finishUserTask(as.invalid, "Basic", correlationId, task.id, { formFields: { approved: true } }),
        401,
      );
      expect((await waitingTask(h.api, as.clerk, correlationId, "Review")).id).toBe(task.id);
    });
  });
}
