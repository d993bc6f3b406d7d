import type { ExternalTaskRow } from "./store.js";
import type { LaneName } from "./types.js";

// Long-polling fetch-and-lock calls waiting for an external task. A waiting poller costs a set entry and a
// timer; nothing polls the store. A step that creates a task wakes one matching poller per task, after its
// commit, in the order they started waiting (waking every poller for one task would make all of them run a
// lock step for one winner). A woken poller that does not go on to try a lock — it was cancelled, or answered
// with other tasks — passes its wake-ups on, so a task is never left unannounced while someone waits for it.
// Better still, a poller that sleeps is handed the new task by the creating step's own commit (the engine locks
// it for the poller in that transaction): it answers right after that commit, with no commit of its own.

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Wake {
  topic: string;
  lane: LaneName;
}

/** What a long-polling fetch asks for. */
export interface PollRequest {
  workerId: string;
  topics: readonly string[];
  lanes: readonly string[];
  maxTasks: number;
  lockDurationMs: number;
}

export class ExternalTaskPoller {
  /** The wake-ups this poller received and has not yet acted on. */
  wakes: Wake[] = [];
  /** Tasks locked for it by another step's commit: its answer. */
  delivered: ExternalTaskRow[] | undefined;
  readonly topics: ReadonlySet<string>;
  readonly lanes: ReadonlySet<string>;
  /** Set while it sleeps. */
  private sleeping: { wake(): void; fail(error: Error): void } | undefined;

  constructor(readonly request: PollRequest) {
    this.topics = new Set(request.topics);
    this.lanes = new Set(request.lanes);
  }

  get isSleeping(): boolean {
    return this.sleeping !== undefined;
  }

  deliver(tasks: ExternalTaskRow[]): void {
    this.delivered = tasks;
    this.sleeping?.wake();
  }

  matches(wake: Wake): boolean {
    return this.topics.has(wake.topic) && (wake.lane === null || this.lanes.has(wake.lane));
  }

  woken(wake: Wake): void {
    this.wakes.push(wake);
    this.sleeping?.wake();
  }

  fail(error: Error): void {
    this.sleeping?.fail(error);
  }

  /** Resolves when woken (at once if it already was) or after `ms`; rejects on abort. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.wakes.length > 0) {
        resolve();
        return;
      }
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const settle = (error?: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.sleeping = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => settle(signal?.reason ?? new Error("aborted"));
      // setTimeout fires at once beyond 2^31-1 ms; a longer wait is cut there, and the caller looks again.
      const timer = setTimeout(() => settle(), Math.min(ms, MAX_TIMEOUT_MS));
      this.sleeping = { wake: () => settle(), fail: (error) => settle(error) };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

export class ExternalTaskPollers {
  private readonly waiting = new Set<ExternalTaskPoller>();

  /** Pollers registered and not released. */
  get size(): number {
    return this.waiting.size;
  }

  /** Registered before the caller looks at the store, so that a task committed in between still wakes it. */
  register(request: PollRequest): ExternalTaskPoller {
    const poller = new ExternalTaskPoller(request);
    this.waiting.add(poller);
    return poller;
  }

  /** The poller is about to try a lock again: what woke it is being acted on. */
  retry(poller: ExternalTaskPoller): void {
    poller.wakes = [];
  }

  /** The poller stops waiting; wake-ups it did not act on go to the next matching pollers. */
  release(poller: ExternalTaskPoller): void {
    this.waiting.delete(poller);
    const unused = poller.wakes;
    poller.wakes = [];
    for (const wake of unused) this.wake(wake.topic, wake.lane);
  }

  /**
   * Sleeping pollers to hand new tasks to, at most one per task, in the order they started waiting. Only
   * sleeping ones: a poller whose own lock step is under way answers with what that step finds.
   */
  sleepingFor(created: readonly Wake[]): ExternalTaskPoller[] {
    const chosen = new Set<ExternalTaskPoller>();
    for (const wake of created) {
      for (const poller of this.waiting) {
        if (
          !chosen.has(poller) &&
          poller.isSleeping &&
          poller.delivered === undefined &&
          poller.matches(wake)
        ) {
          chosen.add(poller);
          break;
        }
      }
    }
    return [...chosen];
  }

  wake(topic: string, lane: LaneName): void {
    const wake = { topic, lane };
    for (const poller of this.waiting) {
      if (poller.wakes.length === 0 && poller.matches(wake)) {
        poller.woken(wake);
        return;
      }
    }
    // Every matching poller is already woken and about to look: the task will be seen without another wake.
    for (const poller of this.waiting) {
      if (poller.matches(wake)) {
        poller.wakes.push(wake);
        return;
      }
    }
  }

  close(error: Error): void {
    for (const poller of this.waiting) poller.fail(error);
    this.waiting.clear();
  }
}
