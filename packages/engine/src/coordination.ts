import type { EngineEvent, InstanceRecord, LaneName } from "./types.js";

// What the engine must share with the other nodes on the same store, and nothing else: the store's rows are
// the truth, so every guarantee that a query or a row lock gives (read-your-writes, one winner per waiting
// thing, signals and messages by name) needs no coordination at all. What rows do not give is (a) news of a
// step to the nodes that did not run it — their subscribers, callback-2/3 waiters, long polls and timer
// schedulers — and (b) who of several live nodes does a piece of background work (a due timer, a durable
// script job), and who takes it over when that node dies.

/** What one committed batch of steps tells the other nodes. */
export interface BatchNews {
  /** Notifications, in step order. */
  events: EngineEvent[];
  /** Instances that ended: callback-2/3 waiters elsewhere are answered with them. */
  ended: InstanceRecord[];
  /** External tasks created: long polls elsewhere for their topic look again. */
  tasks: { topic: string; lane: LaneName }[];
  /** The earliest due time (epoch ms) of a timer the batch armed, so that other schedulers wake for it too. */
  timerDue?: number;
}

/** What the engine is told of the other nodes' steps. */
export interface NewsReceiver {
  /** Another node's step, while something here attends (see `attend`). */
  news(news: BatchNews): void;
  /** Whether something here still waits for all the news: asked now and then; when not, receiving stops. */
  attends(): boolean;
  /** The instances watched here now (see `watch`). */
  watched(): Iterable<string>;
  /** Another node's step touched a watched instance: look at it again. */
  touched(instanceId: string): void;
}

/** Background work one node at a time holds: a due timer or timer start event firing, a script job running. */
export type LeaseKind = "timer" | "start-timer" | "script-job";

/** Runs SQL inside the step's own transaction (the PostgreSQL store's): it commits, or not, with the step. */
/** SQL in the step's transaction; a name makes it a prepared statement (its text must then never vary). */
export type TransactionSql = (
  text: string,
  values: unknown[],
  name?: string,
) => Promise<Record<string, unknown>[]>;

/** A local step's place among the news of every node. */
export interface Reservation {
  /**
   * Inside the step's transaction, at its end: its news, and leases on the script jobs it created, written
   * by statements that `sql` sends with the commit (so they cost no round trip of their own).
   * A step the store runs again (a retry) announces again; the last announcement is the one that counts.
   */
  announce(news: BatchNews, scriptJobs: readonly string[], sql: TransactionSql | undefined): Promise<void>;
  /**
   * After the step committed: runs its own publishing in its place — after every other node's step of the
   * same instance that came before it. Resolves once `publish` ran.
   */
  deliver(publish: () => void): Promise<void>;
  /** The step failed (rolled back): nothing to publish, and nothing after it waits for it. */
  abandon(): void;
}

export interface Coordination {
  /** Whether other nodes may share the store: then the engine also looks for their work (`sweepMs`). */
  readonly clustered: boolean;
  /** How often (ms) the engine looks for work a dead node left. */
  readonly sweepMs: number;
  /**
   * Starts. The other nodes' news is received, each step's once, in each instance's step order, while
   * something here waits for all of it (`attend`); watched instances (`watch`) are reported when another
   * node's step touched them.
   */
  start(receiver: NewsReceiver): Promise<void>;
  /**
   * Something here waits for all the other nodes' news (a subscriber, a long poll): news read from now on
   * is received. Called before it looks at the store, so that what committed before is there and what
   * commits after reaches it. A subscriber waits for the promise: the news of every step that begins after
   * it resolves reaches it, and nothing that committed before it subscribed does.
   */
  attend(): Promise<void>;
  /**
   * Something here waits for one instance (its end, or its script job): once this resolves, every step
   * another node commits on it is reported (`touched`). Called before it looks at the instance.
   */
  watch(instanceId: string): Promise<void>;
  /** Nothing here waits for the instance any more (see `watch`). */
  unwatch(instanceId: string): void;
  /** One per local step, before it begins. */
  reserve(): Reservation;
  /** Of these keys, the ones this node now holds: free, or held by a node whose lease expired. */
  claim(kind: LeaseKind, keys: readonly string[]): Promise<Set<string>>;
  /** Done with (or given up) work it held: another node may take it at once. */
  release(kind: LeaseKind, keys: readonly string[]): Promise<void>;
  /** Stops receiving and gives up every lease this node holds, so that the others take its work over now. */
  close(): Promise<void>;
}

export function hasNews(news: BatchNews): boolean {
  return (
    news.events.length > 0 || news.ended.length > 0 || news.tasks.length > 0 || news.timerDue !== undefined
  );
}

/** One node alone on its store (the SQLite file is locked to one process): nothing to share. */
export class InProcessCoordination implements Coordination {
  readonly clustered = false;
  readonly sweepMs = Number.POSITIVE_INFINITY;

  async start(): Promise<void> {}

  attend(): Promise<void> {
    return Promise.resolve();
  }

  watch(): Promise<void> {
    return Promise.resolve();
  }

  unwatch(): void {}

  reserve(): Reservation {
    return {
      announce: async () => {},
      deliver: async (publish) => publish(),
      abandon: () => {},
    };
  }

  async claim(_kind: LeaseKind, keys: readonly string[]): Promise<Set<string>> {
    return new Set(keys);
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {}
}
