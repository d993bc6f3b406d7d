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
  /** Starts receiving the other nodes' news, each step's once, in each instance's step order. */
  start(onNews: (news: BatchNews) => void): Promise<void>;
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
