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

/** The level-2 operations (SPEC §10, §12) this page uses where the client offers them. */
interface IdentityOperations {
  getWaitingUserTasksByIdentity?(
    context: ConsumerContext,
    offset?: number,
    limit?: number,
  ): Promise<{ userTasks: UserTask[]; totalCount?: number }>;
  onUserTaskForIdentityWaiting?(context: ConsumerContext, callback: () => void): Promise<Subscription>;
  onUserTaskForIdentityFinished?(context: ConsumerContext, callback: () => void): Promise<Subscription>;
}

/**
 * The best source the client offers: §10's own tasks, paged by the server, and §12's pushes of them; where a
 * server's client predates them, the level-1 source below.
 */
export function taskSource(api: ExternalConsumerApi, context: ConsumerContext): TaskSource {
  const level1 = processModelTaskSource(api, context);
  const level2 = api as ExternalConsumerApi & IdentityOperations;
  const own = level2.getWaitingUserTasksByIdentity?.bind(level2);
  const waiting = level2.onUserTaskForIdentityWaiting?.bind(level2);
  const finished = level2.onUserTaskForIdentityFinished?.bind(level2);
  return {
    page: own
      ? async (offset, limit) => {
          const list = await own(context, offset, limit);
          // Until §12 pushes them, the listed tasks' activity notifications tell of their moving on.
          level1.track(list.userTasks);
          return { tasks: list.userTasks, total: list.totalCount ?? offset + list.userTasks.length };
        }
      : level1.page,
    watch:
      waiting && finished
        ? async (onChange) => {
            const subscriptions = await Promise.all([
              waiting(context, onChange),
              finished(context, onChange),
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
