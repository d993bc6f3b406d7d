// Where "my tasks" come from, and what tells the page they changed. The one place that knows which API
// operations stand for the caller's tasks (SPEC §10) and their notifications (§12).
import type { ExternalConsumerApi } from "@consumer-api/client-external";
import type { ConsumerContext, Subscription, UserTask } from "@consumer-api/contracts";

export interface TaskPage {
  tasks: UserTask[];
  /** How many tasks wait for the caller in all, across the pages. */
  total: number;
}

export interface TaskSource {
  page(offset: number, limit: number): Promise<TaskPage>;
  /** Calls onChange whenever the caller's tasks may have changed; resolves once it listens. */
  watch(onChange: () => void): Promise<{ stop(): Promise<void> }>;
}

/**
 * The best source the server offers (its SPEC §14 capabilities; none where it has no /info): §10's own
 * tasks, paged by the server, and §12's pushes of them; else the level-1 source below.
 */
export async function taskSource(api: ExternalConsumerApi, context: ConsumerContext): Promise<TaskSource> {
  const capabilities = await api.getApplicationInfo(context).then(
    (info) => info.capabilities,
    () => [] as string[],
  );
  const level1 = processModelTaskSource(api, context);
  const pushed = capabilities.includes("moreNotifications");
  return {
    page: capabilities.includes("instanceQueries")
      ? async (offset, limit) => {
          const list = await api.getWaitingUserTasksByIdentity(context, offset, limit);
          // Without §12's pushes, the listed tasks' activity notifications tell of their moving on.
          if (!pushed) level1.track(list.userTasks);
          return { tasks: list.userTasks, total: list.totalCount ?? offset + list.userTasks.length };
        }
      : level1.page,
    watch: pushed
      ? async (onChange) => {
          const subscriptions = await Promise.all([
            api.onUserTaskForIdentityWaiting(context, onChange),
            api.onUserTaskForIdentityFinished(context, onChange),
          ]);
          return {
            stop: async () => void (await Promise.allSettled(subscriptions.map((s) => s.unsubscribe()))),
          };
        }
      : level1.watch,
  };
}

/**
 * Level 1 (§4.6, §5): the tasks of every model the caller may start, watched through each model's system
 * events and each listed task's activity notifications. The engine publishes after its state is durable,
 * so a list read on a notification already holds the task it announces. Tasks of models the caller may not
 * start stay out of sight: that is what §10's getWaitingUserTasksByIdentity adds.
 */
export function processModelTaskSource(
  api: ExternalConsumerApi,
  context: ConsumerContext,
): TaskSource & { track(tasks: readonly UserTask[]): void } {
  const watchedActivities = new Set<string>();
  let onActivity: ((model: string, key: string) => void) | undefined;

  const track = (tasks: readonly UserTask[]) => {
    for (const task of tasks) onActivity?.(task.processModelKey, task.key);
  };

  return {
    track,
    async page(offset, limit) {
      const { processModels } = await api.getProcessModels(context);
      const lists = await Promise.all(
        processModels.map((model) => api.getUserTasksForProcessModel(context, model.key)),
      );
      const all = lists.flatMap((list) => list.userTasks);
      track(all);
      return { tasks: all.slice(offset, offset + limit), total: all.length };
    },

    async watch(onChange) {
      const subscriptions: Promise<Subscription>[] = [];
      onActivity = (model, key) => {
        const id = JSON.stringify([model, key]);
        if (watchedActivities.has(id)) return;
        watchedActivities.add(id);
        subscriptions.push(api.onActivity(context, model, key, onChange));
      };
      const { processModels } = await api.getProcessModels(context);
      for (const model of processModels) {
        subscriptions.push(api.onSystemEvent(context, model.key, onChange));
      }
      await Promise.all(subscriptions);
      return {
        async stop() {
          onActivity = undefined;
          const settled = await Promise.allSettled(subscriptions);
          await Promise.allSettled(
            settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.unsubscribe()] : [])),
          );
        },
      };
    },
  };
}
