import { randomUUID } from "node:crypto";
import pg from "pg";
import type {
  BatchNews,
  Coordination,
  LeaseKind,
  NewsReceiver,
  Reservation,
  TransactionSql,
} from "./coordination.js";
import { checkOut } from "./pg-connections.js";

// Several nodes on one PostgreSQL database.
//
// News: a step writes its news into an outbox row, in its own transaction — it exists if and only if the
// step committed. After the commit the node pokes the others (NOTIFY, in a transaction of its own that
// needs no fsync), and every node reads the rows it has not seen yet. Per instance, ids are in step order:
// the next step of an instance can only take its row lock, and so write its row, after the previous one
// committed. So a node delivers what each read brings in id order, and its own step after a read made
// after that step's commit, at its id's place among them: whatever came before it in its instance is in
// that read. An id still invisible below visible ones belongs to a transaction that was running when it
// was read (so it is of another instance, and may come later); once every transaction running then has
// ended (the snapshot's xmin passed the xmax noted) an id still missing never comes.
//
// Most steps need not wait for that read: the step also records, per instance it has news of, the id of
// that news (consumer_api_instance_news), and learns the one before it, of whichever node. When every
// instance's previous news is this node's and published, or another node's already delivered here, or
// none (a new instance, or one whose last news is older than the outbox keeps), nothing of another node
// can come before it: it is published at once, without waiting for a read.
//
// Who receives what. A node reads the others' news only while something on it waits for any of it (a
// subscriber, a long poll: `attend`), and only then listens for pokes; the others poke only while another
// node listens. Measured with two nodes on the start-to-end workload, those reads and pokes were a third of
// the cluster's CPU per instance, and a node that serves starts and finishes of instances it runs itself
// needs none of them. Such a node still reads the outbox's ids at every sweep, so that once something waits
// it reads the news of at most a sweep back. News read by a read that began while nothing waited is
// dropped: it committed before anything here began to wait, so whatever then looks at the store finds it.
// A subscriber's own wait (`attend`'s promise) ends with the first read that began after it; the news that
// read brings, and any that was still committing then and comes later with a lower id, reaches long polls
// but brings subscribers no events: it is of steps that committed before they subscribed, or meanwhile.
//
// A wait for one instance (a callback-2/3 wait for its end, a caller waiting for its script job) needs only
// that instance's news: the node marks the instance as watched (`watch`: its name in the instance's
// consumer_api_instance_news row) before it looks at it, the statement that records a step's news returns
// the watchers of its instances, and the step's node wakes them after its commit (a NOTIFY naming node and
// instance); they look at the instance again. A wake lost (its sender died after the commit) is made up
// for at the watcher's next sweep, which looks for news of its watched instances since the last sweep.
//
// Why not NOTIFY inside the step's transaction, which PostgreSQL delivers in commit order: a transaction
// that notifies holds a database-wide lock from its commit's start until after its WAL flush, so every such
// commit waits for the one before it — measured here, 1096 → 351 commits per second with eight writers.
// The outbox row costs an INSERT and lets PostgreSQL group the commits' flushes as usual.
//
// A node alone writes no news at all: nobody would read it. Measured on the user-task round trip, the
// news statement was a fifth of the round trip's CPU. Being alone is decided by the database, not by what
// the node last heard: every node has a row in consumer_api_nodes, and a step that writes no news runs
// consumer_api_alone_v1() just before its commit instead, which takes a shared advisory lock (MEMBERS_LOCK)
// and fails the step (40001: run it again, with its news) if another node's row is there. A node joins by
// inserting its row under the same lock, exclusively: that waits for every step that passed the check and
// has not committed yet, and every check after it sees the row (the function's query takes a snapshot of
// its own, after the lock). So from the moment `start` returns, every step of every other node writes its
// news. A node leaves by deleting its row (close). A node that died leaves a row that its session lock
// (NODE_LOCK_CLASS, held by its listening connection) no longer holds; the others delete such a row once
// it has also not been renewed for a lease, and are alone again. A node that finds its own row deleted
// (cut off from the database for longer than a lease) joins again and has its watched instances looked at
// again; what its subscribers would have heard meanwhile of the others' steps is not made up for.
//
// Background work is held by leases (owner + expiry, PostgreSQL's clock, so nodes' clocks may differ): a
// node claims a due timer or an orphaned script job before it works on it; its heartbeat renews the script
// jobs it runs; a node that dies stops renewing, and once its leases expired any survivor's sweep claims the
// work. A lease decides who tries, not what happens: a timer or job taken twice still counts once, because
// the step that fires or finishes it takes its row.

export const NEWS_CHANNEL = "consumer_api_news";
/** A node that begins to listen for pokes says so here, where every node listens: they poke it from then on. */
export const HELLO_CHANNEL = "consumer_api_hello";
/** Wakes the nodes that watch an instance another node's step touched: JSON, [[node, instance], …]. */
export const WAKE_CHANNEL = "consumer_api_wake";

/** The instances a step's news is about. */
function instancesOf(news: BatchNews): string[] {
  return [
    ...new Set([
      ...news.events.map((event) => event.processInstanceId),
      ...news.ended.map((record) => record.processInstanceId),
    ]),
  ];
}
/** Outbox rows are read within moments by every node; kept this long for slow ones, then dropped. */
const OUTBOX_KEEP = "10 minutes";
/** A watched instance's row outlives the outbox's, so that its next step still wakes its watchers. */
const WATCH_KEEP = "1 day";
/** A NOTIFY's payload stays under this many bytes (PostgreSQL's limit is 8000). */
const WAKE_PAYLOAD_BYTES = 7000;
/** What the check raises when another node has joined: the store runs the step again. */
const SERIALIZATION_FAILURE = "40001";
/** The check (see join); versioned by name, so that a changed body is a new function every node migrates to. */
const ALONE_FUNCTION = "consumer_api_alone_v1";
/** The coordination's old rows are dropped this often (each node's beat), not at every beat. */
const CLEANUP_EVERY_MS = 60_000;
/** Rows per read; a full read is followed by another at once. */
const READ_LIMIT = 2000;
/** Migrations of the coordination's own tables, applied once under an advisory lock (nodes start at once). */
const SCHEMA_LOCK = 7_355_001;
/** Shared by a step that writes no news (its check), exclusive while a node joins. */
const MEMBERS_LOCK = 7_355_002;
/** With hashtext(node): held by a node's listening connection for as long as the node lives. */
const NODE_LOCK_CLASS = 7_355_003;

export const DEFAULT_LEASE_MS = 5000;
export const DEFAULT_SWEEP_MS = 1000;

export interface PgCoordinationOptions {
  connectionString: string;
  /** This node's name in leases and news; a fresh one per process by default (a restart is a new node). */
  nodeId?: string;
  /**
   * How long a lease outlives its holder's last heartbeat: a dead node's work is taken over within
   * leaseMs + sweepMs. Default 5000.
   */
  leaseMs?: number;
  /** How often the engine looks for work left by a dead node, and every node reads the outbox unpoked. Default 1000. */
  sweepMs?: number;
}

interface OutboxRow {
  id: string;
  node: string;
  news: BatchNews;
}

/**
 * A local step whose commit is not answered yet, so its number is not known here: it may come before news
 * of its instances read meanwhile (another node's step that waited for its row lock) and before a local
 * step of them whose commit was answered first. Such news waits until it is answered.
 */
interface Pending {
  instances: readonly string[];
}

/** A local step that announced news: its id holds back other nodes' later ids until it is published. */
interface OwnSlot {
  /** The news before it of the instances it has news of, by any node. */
  before: readonly { id: bigint; node: string }[];
  /** The instances it has news of. */
  instances: readonly string[];
  /** Everything before it is delivered; it waits for a local step of its instances still committing. */
  waitsForPending?: boolean;
  /** Set once it committed. */
  publish?: () => void;
  /** Reads started before then may miss what came before it: it waits for a read started later. */
  after?: number;
  done?: () => void;
}

/**
 * A local step that wrote no news (its node alone): while something here observes the order, it is
 * published only after the unpublished alone steps of its instances announced before it — for one instance,
 * announce order is commit order (a step announces holding the instance's row lock).
 */
interface AloneStep {
  instances: readonly string[];
  /** Set once it committed and waits for one before it. */
  publish?: () => void;
  done?: () => void;
}

/** What the node's own announcement makes of a step. */
const WROTE_NO_NEWS = Symbol("alone");

export class PgCoordination implements Coordination {
  readonly clustered = true;
  readonly nodeId: string;
  readonly sweepMs: number;
  readonly leaseMs: number;
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private receiver: NewsReceiver | undefined;
  private readonly held = new Map<LeaseKind, Set<string>>();
  private timersHandle: NodeJS.Timeout[] = [];
  private closed = false;

  /** Every id up to `low` is delivered or will never come. */
  private low = 0n;
  /** Ids above `low` already read (any node's), or known never to come. */
  private readonly seen = new Set<bigint>();
  /** Missing ids above `low`, with the snapshot xmax of the read that found them missing. */
  private readonly holes = new Map<bigint, bigint>();
  /** Other nodes' news read and not yet delivered, by id, ascending. */
  private buffer: { id: bigint; news: BatchNews; instances: readonly string[] }[] = [];
  /** Instances with a local step whose commit is not answered yet (see `Pending`), and how many. */
  private readonly pending = new Map<string, number>();
  /** This node's announced steps, by id, until published or rolled back. */
  private readonly own = new Map<bigint, OwnSlot>();
  private readsStarted = 0;
  private readsDone = 0;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private poking = false;
  private pokeAgain = false;
  /**
   * Whether another node listens for pokes: until the beat finds none, and again as soon as another node's
   * hello (sent when it begins to listen) arrives.
   */
  private othersListen = true;
  /** The listening connection's backend, which the beat leaves out when it counts the listeners. */
  private listenerPid: number | undefined;
  /** Hellos of other nodes heard so far. */
  private heardOthers = 0;
  /** Whether this node receives the others' news: something here waits for it (see `attend`). */
  private attending = false;
  /** attend() was called since the last beat: the beat does not stop receiving then. */
  private attendedSinceBeat = false;
  /** Every id up to here was looked at for watched instances (see `lookAtWatched`). */
  private watchedUpTo = 0n;
  private wakes: [string, string][] = [];
  private waking = false;
  /** Instances no longer watched here, whose mark goes with the next statement (see `unwatch`). */
  private readonly unwatched = new Set<string>();
  private unwatching = false;
  /** Marks being written (see `watch`), by instance. */
  private readonly marking = new Map<string, Promise<void>>();
  private cleanedAt = 0;
  /** News of ids up to here brings no events: it committed before the subscribers here subscribed. */
  private floor = 0n;
  /** The subscribers' wait (`attend`): for the first read that began after it. */
  private attendRead: { generation: number; done: () => void } | undefined;
  private attendReady: Promise<void> | undefined;
  /**
   * Whether this node's steps write no news: no other node had a row when last looked. Only a guess — the
   * check before each commit decides (see join) — so false is always safe.
   */
  private alone = false;
  /** Checks before a commit that found another node (they count, so that an older look does not undo them). */
  private othersFound = 0;
  /** Since when this node's looks at the members have reached the database without a failure. */
  private reachedSince: number | undefined;
  /** Whether the listening connection holds this node's session lock (see lookAtMembers). */
  private nodeLocked = false;
  private beating = false;
  /** Per instance, its alone steps not published yet, in announce order. */
  private readonly aloneSteps = new Map<string, AloneStep[]>();

  constructor(private readonly options: PgCoordinationOptions) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.sweepMs = options.sweepMs ?? DEFAULT_SWEEP_MS;
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 3 });
    // An idle connection the server dropped must not crash the process: the next query reconnects.
    this.pool.on("error", () => {});
  }

  async start(receiver: NewsReceiver): Promise<void> {
    this.receiver = receiver;
    await migrate(this.pool);
    // News from before this node started is not its business.
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT coalesce(max(id), 0)::text AS id FROM consumer_api_outbox",
    );
    this.low = BigInt(rows[0]?.id ?? 0);
    this.watchedUpTo = this.low;
    await this.listen();
    await this.join();
    // Counted now, not at the first beat: a node alone would otherwise poke nobody after every step until then.
    await this.countListeners();
    const every = (ms: number, run: () => void) => {
      const handle = setInterval(run, ms);
      handle.unref();
      this.timersHandle.push(handle);
    };
    every(Math.max(100, Math.floor(this.leaseMs / 3)), () => void this.beat());
    // A poke or a wake lost (a dropped connection, a node that died before it sent it) is made up for here.
    every(this.sweepMs, () => {
      this.read();
      void this.lookAtWatched();
    });
  }

  attend(): Promise<void> {
    this.attendedSinceBeat = true;
    if (this.closed) return Promise.resolve();
    if (this.attending) return this.attendReady ?? Promise.resolve();
    this.attending = true;
    // The first read that begins from now on: the one in flight, if any, began too early.
    const read = new Promise<void>((done) => {
      this.attendRead = { generation: this.readsStarted + 1, done };
    });
    this.read();
    const ready: Promise<void> = Promise.all([this.listenForPokes(), read]).then(() => {
      if (this.attendReady === ready) this.attendReady = undefined;
    });
    this.attendReady = ready;
    return ready;
  }

  /** Nothing here waits for news any more: stop receiving it, and tell the others to stop poking. */
  private unattend(): void {
    this.attending = false;
    this.attendRead?.done();
    this.attendRead = undefined;
    this.attendReady = undefined;
    this.listener?.query(`UNLISTEN ${NEWS_CHANNEL}`).catch(() => {});
    // Nothing here observes the order any more: what waited to be delivered goes now.
    const buffered = this.buffer;
    this.buffer = [];
    for (const entry of buffered) this.deliverNews(entry);
    const waiting = [...this.own].filter(([, slot]) => slot.publish).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [ownId, slot] of waiting) {
      this.own.delete(ownId);
      this.run(slot.publish as () => void, slot.done);
    }
    this.publishAllAlone();
  }

  async watch(instanceId: string): Promise<void> {
    if (this.closed) return;
    const marked = this.mark(instanceId);
    this.marking.set(instanceId, marked);
    try {
      await marked;
    } finally {
      if (this.marking.get(instanceId) === marked) this.marking.delete(instanceId);
    }
  }

  private async mark(instanceId: string): Promise<void> {
    try {
      await this.pool.query({
        name: "watchInstance",
        text: `INSERT INTO consumer_api_instance_news (instance_id, news_id, node, at, waiters)
               VALUES ($1, 0, '', now(), ARRAY[$2])
               ON CONFLICT (instance_id) DO UPDATE
                 SET waiters = array_append(consumer_api_instance_news.waiters, $2), at = now()
                 WHERE NOT $2 = ANY(consumer_api_instance_news.waiters)`,
        values: [instanceId, this.nodeId],
      });
    } catch {
      // Not marked: receive all the news instead, for a while.
      await this.attend();
    }
  }

  unwatch(instanceId: string): void {
    if (this.closed) return;
    this.unwatched.add(instanceId);
    this.scheduleUnwatch();
  }

  /** The marks of instances no longer watched go in one statement, gathered over a turn of the event loop. */
  private scheduleUnwatch(): void {
    if (this.unwatching || this.unwatched.size === 0) return;
    this.unwatching = true;
    setImmediate(() => {
      void this.removeMarks().finally(() => {
        this.unwatching = false;
        this.scheduleUnwatch();
      });
    });
  }

  private async removeMarks(): Promise<void> {
    const watched = new Set(this.receiver?.watched() ?? []);
    const ids: string[] = [];
    for (const id of this.unwatched) {
      // Watched again meanwhile: the mark stays. Its mark still being written: removed after that.
      if (this.marking.has(id)) continue;
      this.unwatched.delete(id);
      if (!watched.has(id)) ids.push(id);
    }
    if (ids.length === 0 || this.closed) {
      // Only marks still being written are left: look again once they are.
      if (this.unwatched.size > 0) await Promise.all(this.marking.values());
      return;
    }
    try {
      await this.pool.query({
        name: "unwatchInstances",
        text: `UPDATE consumer_api_instance_news SET waiters = array_remove(waiters, $2)
               WHERE instance_id = ANY($1::text[]) AND $2 = ANY(waiters)`,
        values: [ids, this.nodeId],
      });
    } catch {
      // Left marked: the instance's later steps wake this node for nothing, and the row goes in a day.
    }
  }

  /** Wakes the other nodes that watch instances a local step just touched (see `watch`). */
  private wake(watched: readonly [string, readonly string[]][]): void {
    for (const [instanceId, nodes] of watched) {
      for (const node of nodes) if (node !== this.nodeId) this.wakes.push([node, instanceId]);
    }
    if (this.waking || this.wakes.length === 0 || this.closed) return;
    this.waking = true;
    let bytes = 2;
    let count = 0;
    for (const wake of this.wakes) {
      bytes += Buffer.byteLength(JSON.stringify(wake)) + 1;
      if (count > 0 && bytes > WAKE_PAYLOAD_BYTES) break;
      count++;
    }
    this.notify(WAKE_CHANNEL, JSON.stringify(this.wakes.splice(0, count)))
      .catch(() => {
        // Their sweep finds it (lookAtWatched).
      })
      .finally(() => {
        this.waking = false;
        this.wake([]);
      });
  }

  /**
   * Every sweep: the watched instances that another node's step touched since the last look, reported —
   * so that a wake lost (the waker died after its commit, a dropped connection) is made up for. Only news
   * up to `low` is looked at: every step below it has committed or never will.
   */
  private async lookAtWatched(): Promise<void> {
    const watched = [...(this.receiver?.watched() ?? [])];
    const since = this.watchedUpTo;
    const upTo = this.low;
    if (watched.length === 0 || upTo <= since) {
      this.watchedUpTo = upTo;
      return;
    }
    try {
      const { rows } = await this.pool.query<{ instance_id: string }>({
        name: "lookAtWatched",
        text: `SELECT instance_id FROM consumer_api_instance_news
               WHERE instance_id = ANY($1::text[]) AND news_id > $2`,
        values: [watched, since.toString()],
      });
      this.watchedUpTo = upTo;
      for (const row of rows) this.receiver?.touched(row.instance_id);
    } catch {
      // The next sweep looks again, from the same place.
    }
  }

  /** Listens for the others' pokes, and tells them (a hello) that one listens here now. */
  private async listenForPokes(): Promise<void> {
    const listener = this.listener;
    if (!listener) return; // Listening again after a lost connection does it.
    try {
      await listener.query(`LISTEN ${NEWS_CHANNEL}`);
      await this.notify(HELLO_CHANNEL);
    } catch {
      // The sweep reads meanwhile.
    }
  }

  /** A NOTIFY carries nothing to keep: no fsync for it (synchronous_commit off in its own transaction). */
  private notify(channel: string, payload = this.nodeId): Promise<unknown> {
    return this.pool.query(
      `BEGIN; SET LOCAL synchronous_commit TO OFF; NOTIFY ${channel}, ${pg.escapeLiteral(payload)}; COMMIT`,
    );
  }

  reserve(): Reservation {
    let id: bigint | undefined;
    let pending: Pending | undefined;
    let answered: Promise<void> | undefined;
    /** Other nodes watching the step's instances: woken once it committed (deliver). */
    let watched: [string, string[]][] = [];
    let alone: AloneStep | undefined;
    // A step the store ran again rolled its earlier row back: that id never comes.
    const drop = () => {
      watched = [];
      if (alone) this.leaveAloneSteps(alone);
      alone = undefined;
      if (pending) this.settlePending(pending);
      pending = undefined;
      if (id === undefined) return;
      this.own.delete(id);
      if (id > this.low) this.seen.add(id);
      id = undefined;
      this.drain();
    };
    // Synchronous when it can publish at once (nothing before it left to deliver).
    const deliverNow = (publish: () => void): Promise<void> => {
      this.wake(watched);
      watched = [];
      if (alone) {
        const step = alone;
        alone = undefined;
        step.publish = publish;
        if (this.closed || !this.attending || this.firstOfItsInstances(step)) {
          this.publishAlone(step);
          return Promise.resolve();
        }
        return new Promise<void>((done) => {
          step.done = done;
        });
      }
      const slot = id === undefined ? undefined : this.own.get(id);
      if (!slot || this.closed) {
        publish();
        return Promise.resolve();
      }
      // The others are poked either way: they read this step's news.
      this.poke();
      const ownId = id as bigint;
      return new Promise<void>((done) => {
        slot.publish = publish;
        slot.done = done;
        this.place(ownId, slot);
      });
    };
    return {
      announce: async (news, scriptJobs, sql) => {
        drop();
        const instances = instancesOf(news);
        const mine: Pending = { instances };
        const answer = this.announce(news, scriptJobs, instances, sql);
        if (answer === WROTE_NO_NEWS) {
          alone = { instances };
          for (const instance of instances) {
            const queue = this.aloneSteps.get(instance);
            if (queue) queue.push(alone);
            else this.aloneSteps.set(instance, [alone]);
          }
          return;
        }
        if (!answer) return;
        // Its number comes with the commit's answer; until then its instances' news waits (see `Pending`).
        pending = mine;
        this.addPending(mine);
        const settled = answer.then(
          (announced) => {
            if (pending !== mine) return;
            id = announced.id;
            this.own.set(announced.id, { before: announced.before, instances });
            watched = announced.watched;
            this.settlePending(mine);
            pending = undefined;
          },
          () => {
            if (pending === mine) drop();
          },
        );
        answered = settled;
        void settled.then(() => {
          if (answered === settled) answered = undefined;
        });
      },
      deliver: (publish) =>
        answered === undefined ? deliverNow(publish) : answered.then(() => deliverNow(publish)),
      abandon: drop,
    };
  }

  /**
   * A committed local step (its `publish` set): published now when what came before it is delivered and no
   * local step of its instances is still committing; else it waits behind that step (`settlePending`), or
   * for a read started after now (`drain`).
   */
  private place(ownId: bigint, slot: OwnSlot): void {
    // While nothing here waits for news, nothing here observes the order either.
    const beforeDelivered = !this.attending || slot.before.every((before) => this.delivered(before));
    if (!this.attending || (beforeDelivered && !this.touchesPending(slot.instances))) {
      this.own.delete(ownId);
      this.run(slot.publish as () => void, slot.done);
      // Other nodes' news read meanwhile may have waited behind it.
      this.drain();
      return;
    }
    slot.waitsForPending = beforeDelivered;
    if (beforeDelivered) return;
    slot.after = this.readsStarted;
    this.read();
  }

  private addPending(entry: Pending): void {
    for (const instance of entry.instances) this.pending.set(instance, (this.pending.get(instance) ?? 0) + 1);
  }

  /** A local step's commit was answered (or it failed): what waited for it goes on. */
  private settlePending(entry: Pending): void {
    for (const instance of entry.instances) {
      const left = (this.pending.get(instance) ?? 1) - 1;
      if (left > 0) this.pending.set(instance, left);
      else this.pending.delete(instance);
    }
    this.goOn();
  }

  /** What waited for a local step of its instances (see touchesPending) goes on if it can. */
  private goOn(): void {
    for (const [ownId, slot] of [...this.own]) {
      if (!slot.waitsForPending || this.own.get(ownId) !== slot || this.touchesPending(slot.instances))
        continue;
      this.place(ownId, slot);
    }
    this.drain();
  }

  /** Whether a local step of these instances is still committing, or committed (alone) and unpublished. */
  private touchesPending(instances: readonly string[]): boolean {
    return (
      (this.pending.size > 0 && instances.some((instance) => this.pending.has(instance))) ||
      (this.aloneSteps.size > 0 && instances.some((instance) => this.aloneSteps.has(instance)))
    );
  }

  /**
   * Whether a local step of these instances that writes news is still committing or not published yet: a
   * later step of them then writes its news too, and its number orders it behind that one.
   */
  private ownStepsUnpublished(instances: readonly string[]): boolean {
    if (instances.some((instance) => this.pending.has(instance))) return true;
    for (const slot of this.own.values())
      if (slot.instances.some((instance) => instances.includes(instance))) return true;
    return false;
  }

  private firstOfItsInstances(step: AloneStep): boolean {
    return step.instances.every((instance) => this.aloneSteps.get(instance)?.[0] === step);
  }

  /** An alone step published or rolled back: the ones after it in its instances go on. */
  private leaveAloneSteps(step: AloneStep): void {
    for (const instance of step.instances) {
      const queue = this.aloneSteps.get(instance);
      const at = queue?.indexOf(step) ?? -1;
      if (!queue || at < 0) continue;
      queue.splice(at, 1);
      if (queue.length === 0) this.aloneSteps.delete(instance);
    }
    for (const instance of step.instances) {
      const next = this.aloneSteps.get(instance)?.[0];
      if (next?.publish && this.firstOfItsInstances(next)) this.publishAlone(next);
    }
    this.goOn();
  }

  private publishAlone(step: AloneStep): void {
    const publish = step.publish as () => void;
    step.publish = undefined;
    this.run(publish, step.done);
    this.leaveAloneSteps(step);
  }

  /** Nothing observes the order any more (or the node closes): every alone step that waited goes now. */
  private publishAllAlone(): void {
    const waiting = new Set([...this.aloneSteps.values()].flat().filter((step) => step.publish));
    for (const step of waiting) if (step.publish) this.publishAlone(step);
  }

  async claim(kind: LeaseKind, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0 || this.closed) return new Set();
    // Two nodes claiming one key at once: one inserts, the other waits on the key and then finds a lease
    // that has not expired — exactly one of them gets it back.
    const { rows } = await this.pool.query<{ key: string }>(
      `INSERT INTO consumer_api_leases (kind, key, owner, expires_at)
       SELECT $1, key, $2, now() + $3 * interval '1 millisecond' FROM unnest($4::text[]) AS key
       ON CONFLICT (kind, key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
         WHERE consumer_api_leases.expires_at < now()
       RETURNING key`,
      [kind, this.nodeId, this.leaseMs, keys],
    );
    const won = new Set(rows.map((row) => row.key));
    if (kind === "script-job") this.hold(kind, [...won]);
    return won;
  }

  async release(kind: LeaseKind, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const held = this.held.get(kind);
    for (const key of keys) held?.delete(key);
    if (this.closed) return;
    await this.pool
      .query("DELETE FROM consumer_api_leases WHERE kind = $1 AND owner = $2 AND key = ANY($3::text[])", [
        kind,
        this.nodeId,
        keys,
      ])
      .then(
        () => {},
        () => {
          // Left to expire: another node then takes it as after a crash.
        },
      );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Local steps that committed are still published, in their place.
    await this.reading;
    if ([...this.own.values()].some((slot) => slot.publish)) {
      this.read();
      await this.reading;
    }
    this.closed = true;
    // A subscriber waiting to be listening is not left waiting: nothing comes any more.
    this.attendRead?.done();
    this.attendRead = undefined;
    for (const handle of this.timersHandle) clearInterval(handle);
    for (const slot of this.own.values()) if (slot.publish) this.run(slot.publish, slot.done);
    this.own.clear();
    this.publishAllAlone();
    const listener = this.listener;
    this.listener = undefined;
    try {
      await this.pool.query(
        `WITH leases AS (DELETE FROM consumer_api_leases WHERE owner = $1)
         DELETE FROM consumer_api_nodes WHERE node = $1`,
        [this.nodeId],
      );
    } catch {
      // They expire instead.
    }
    await listener?.end().catch(() => {});
    await this.pool.end();
  }

  /** Queues the step's statements for its commit; its news's number and what came before it, once committed. */
  private announce(
    news: BatchNews,
    scriptJobs: readonly string[],
    instances: readonly string[],
    sql: TransactionSql | undefined,
  ):
    | Promise<{ id: bigint; before: { id: bigint; node: string }[]; watched: [string, string[]][] }>
    | typeof WROTE_NO_NEWS
    | undefined {
    if (!sql)
      throw new Error("the PostgreSQL coordination announces inside a PostgreSQL store's transaction");
    if (scriptJobs.length > 0) {
      // Its answer is not needed; a failure fails the commit.
      sql(
        `INSERT INTO consumer_api_leases (kind, key, owner, expires_at)
         SELECT 'script-job', key, $1, now() + $2 * interval '1 millisecond' FROM unnest($3::text[]) AS key
         ON CONFLICT (kind, key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at`,
        [this.nodeId, this.leaseMs, scriptJobs],
        "leaseScriptJobs",
      ).catch(() => {});
      this.hold("script-job", scriptJobs);
    }
    if (!hasNews(news)) return undefined;
    // While something here waits for news (a subscriber, a long poll), the news is written even alone: its
    // numbers put this node's own steps in commit order too.
    if (this.alone && !this.attending && !this.ownStepsUnpublished(instances)) {
      // Nobody reads news: none written. The check fails the commit if another node joined meanwhile; the
      // step then runs again, and announces its news (`alone` is false from now on).
      sql(`SELECT ${ALONE_FUNCTION}($1)`, [this.nodeId], "checkAlone").catch((error: { code?: string }) => {
        if (error?.code !== SERIALIZATION_FAILURE) return;
        this.alone = false;
        this.othersFound++;
      });
      return WROTE_NO_NEWS;
    }
    // The transaction has its id before the row takes its number (pg_current_xact_id() assigns it), so that
    // a reader who finds the number missing knows the transaction was running then.
    // One statement: the row, and per instance the news before it (read in the statement's snapshot, before
    // the upsert of the same statement replaces it). The instance rows are locked by the step, so the news
    // before is committed.
    const answer = sql(
      `WITH row AS (
         INSERT INTO consumer_api_outbox (node, news) SELECT $1, $2::json WHERE pg_current_xact_id() IS NOT NULL
         RETURNING id),
       before AS (
         SELECT news_id, node FROM consumer_api_instance_news WHERE instance_id = ANY($3::text[])),
       marked AS (
         INSERT INTO consumer_api_instance_news (instance_id, news_id, node, at)
         SELECT instance_id, row.id, $1, now() FROM row, unnest($3::text[]) AS instance_id
         ON CONFLICT (instance_id) DO UPDATE SET news_id = EXCLUDED.news_id, node = EXCLUDED.node, at = EXCLUDED.at
         RETURNING instance_id, waiters)
       SELECT row.id::text AS id,
         (SELECT coalesce(json_agg(json_build_array(news_id::text, node)), '[]'::json) FROM before) AS before,
         (SELECT coalesce(json_agg(json_build_array(instance_id, waiters)), '[]'::json) FROM marked
           WHERE cardinality(waiters) > 0) AS watched
       FROM row`,
      [this.nodeId, JSON.stringify(news), instances],
      "announceNews",
    );
    return answer.then((rows) => {
      const row = rows[0] as { id: string; before: [string, string][]; watched: [string, string[]][] };
      return {
        id: BigInt(row.id),
        before: row.before.map(([id, node]) => ({ id: BigInt(id), node })),
        watched: row.watched,
      };
    });
  }

  /** Reads the outbox now, or once more after the read under way (which may have started too early). */
  private read(): void {
    if (this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readOnce()
      .catch(() => {
        // The next poke or sweep reads again.
      })
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain) {
          this.readAgain = false;
          this.read();
        }
      });
  }

  private async readOnce(): Promise<void> {
    const generation = ++this.readsStarted;
    // Read while nothing here waits, only the ids count: that news committed before anything here waited.
    const withNews = this.attending;
    const { rows } = await this.pool.query<{ xmin: string; xmax: string; rows: OutboxRow[] }>({
      // Prepared: it runs after every poke, and planning it cost as much as running it.
      name: "readOutbox",
      text: `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
              pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
              (SELECT coalesce(json_agg(r ORDER BY r.n), '[]'::json)
                 FROM (SELECT id AS n, id::text AS id, node,
                              CASE WHEN node = $2 OR NOT $3 THEN NULL ELSE news END AS news
                       FROM consumer_api_outbox
                       WHERE id > $1 ORDER BY id LIMIT ${READ_LIMIT}) r) AS rows`,
      // This node's own rows count (their ids), their news is not read back.
      values: [this.low.toString(), this.nodeId, withNews],
    });
    const answer = rows[0];
    if (!answer) return;
    // Something began to wait since this read began: its snapshot may be later than that (it waited for a
    // connection), so what it brings may have committed after the waiter looked. Read again, with news.
    if (!withNews && this.attending) {
      this.readAgain = true;
      return;
    }
    for (const row of answer.rows) {
      const id = BigInt(row.id);
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (row.node !== this.nodeId && withNews && this.attending)
        this.buffer.push({ id, news: row.news, instances: instancesOf(row.news) });
    }
    const attendRead = this.attendRead;
    if (attendRead && this.attending && generation >= attendRead.generation) {
      const last = answer.rows.at(-1);
      const highest = last === undefined ? this.low : BigInt(last.id);
      if (highest > this.floor) this.floor = highest;
      if (this.low > this.floor) this.floor = this.low;
      // A truncated read is followed by another at once: the wait ends with the one that read it all.
      if (answer.rows.length < READ_LIMIT) {
        this.attendRead = undefined;
        attendRead.done();
      }
    }
    this.buffer.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // A truncated read has not brought everything committed before it: the next one (at once) will.
    if (answer.rows.length < READ_LIMIT) this.readsDone = generation;
    this.advance(answer.rows, BigInt(answer.xmin), BigInt(answer.xmax));
    this.drain();
    if (answer.rows.length === READ_LIMIT) this.readAgain = true;
  }

  /**
   * Delivers in id order: another node's news once no announced local step below it is unpublished, a local
   * step once it committed and a read started after that is done (it brought what came before it).
   */
  private drain(): void {
    for (;;) {
      const ownId = this.lowestOwn();
      const next = this.buffer[0];
      if (next && (ownId === undefined || next.id < ownId)) {
        if (this.touchesPending(next.instances)) return;
        this.buffer.shift();
        this.deliverNews(next);
        continue;
      }
      if (ownId === undefined) return;
      const slot = this.own.get(ownId) as OwnSlot;
      if (!slot.publish || slot.after === undefined || this.readsDone <= slot.after) return;
      this.own.delete(ownId);
      this.run(slot.publish, slot.done);
    }
  }

  private deliverNews(entry: { id: bigint; news: BatchNews }): void {
    // Of a step that committed before the subscribers here subscribed (see `floor`): no events for them.
    const news = entry.id <= this.floor ? { ...entry.news, events: [] } : entry.news;
    try {
      this.receiver?.news(news);
    } catch {
      // A failing delivery must not stop the ones after it.
    }
  }

  /** Whether news of an instance (`before` a local step's) has been delivered here: published or read and passed on. */
  private delivered(before: { id: bigint; node: string }): boolean {
    if (before.node === this.nodeId) return !this.own.has(before.id);
    if (before.id <= this.low) return true;
    return this.seen.has(before.id) && !this.buffer.some((entry) => entry.id === before.id);
  }

  private lowestOwn(): bigint | undefined {
    let lowest: bigint | undefined;
    for (const id of this.own.keys()) if (lowest === undefined || id < lowest) lowest = id;
    return lowest;
  }

  /** Moves `low` up past what was read and past the holes that can no longer fill. */
  private advance(rows: readonly OutboxRow[], xmin: bigint, xmax: bigint): void {
    const last = rows.length > 0 ? BigInt((rows[rows.length - 1] as OutboxRow).id) : this.low;
    for (let id = this.low + 1n; id < last; id++) {
      if (!this.seen.has(id) && !this.holes.has(id)) this.holes.set(id, xmax);
    }
    for (const [id, noted] of this.holes) {
      if (this.seen.has(id)) this.holes.delete(id);
      else if (xmin >= noted) {
        // Every transaction running when it was found missing has ended: it never comes.
        this.holes.delete(id);
        this.seen.add(id);
      }
    }
    let low = this.low;
    while (this.seen.has(low + 1n)) {
      low++;
      this.seen.delete(low);
    }
    this.low = low;
  }

  private run(publish: () => void, done: (() => void) | undefined): void {
    try {
      publish();
    } catch {
      // A failing delivery must not stop the ones after it.
    } finally {
      done?.();
    }
  }

  /** Tells the other nodes to read; at most one poke in flight, and one more for what came meanwhile. */
  private poke(): void {
    if (this.closed) return;
    // Alone on the database, nobody reads a poke.
    if (!this.othersListen) return;
    if (this.poking) {
      this.pokeAgain = true;
      return;
    }
    this.poking = true;
    this.notify(NEWS_CHANNEL)
      .catch(() => {
        // The others read at their next sweep.
      })
      .finally(() => {
        this.poking = false;
        if (this.pokeAgain) {
          this.pokeAgain = false;
          this.poke();
        }
      });
  }

  private hold(kind: LeaseKind, keys: readonly string[]): void {
    const held = this.held.get(kind) ?? new Set<string>();
    for (const key of keys) held.add(key);
    this.held.set(kind, held);
  }

  /** Renews the script jobs this node runs; the timers it claimed are fired within one lease, never renewed. */
  private async beat(): Promise<void> {
    // A beat still waiting (a slow database) is not overtaken: its verdicts would come after newer ones.
    if (this.beating) return;
    this.beating = true;
    try {
      await this.beatOnce();
    } finally {
      this.beating = false;
    }
  }

  private async beatOnce(): Promise<void> {
    if (this.attending && !this.attendedSinceBeat && !this.closed && this.receiver?.attends() === false)
      this.unattend();
    this.attendedSinceBeat = false;
    const jobs = [...(this.held.get("script-job") ?? [])];
    try {
      if (jobs.length > 0) {
        await this.pool.query(
          `UPDATE consumer_api_leases SET expires_at = now() + $2 * interval '1 millisecond'
           WHERE kind = 'script-job' AND owner = $1 AND key = ANY($3::text[])`,
          [this.nodeId, this.leaseMs, jobs],
        );
      }
      await this.countListeners();
      await this.lookAtMembers();
      await this.lockNode().catch(() => {
        // Tried again at the next beat.
      });
      // Each is a scan of its table: once a minute is soon enough for rows kept ten minutes.
      if (Date.now() - this.cleanedAt < CLEANUP_EVERY_MS) return;
      this.cleanedAt = Date.now();
      await this.pool.query(
        `DELETE FROM consumer_api_leases WHERE expires_at < now() - interval '1 minute';
         DELETE FROM consumer_api_outbox WHERE created_at < now() - interval '${OUTBOX_KEEP}';
         DELETE FROM consumer_api_instance_news WHERE at < now() - interval '${OUTBOX_KEEP}'
           AND (cardinality(waiters) = 0 OR at < now() - interval '${WATCH_KEEP}')`,
      );
    } catch {
      // A missed beat is made up by the next one; a lease that expired meanwhile is taken over, which counts once.
      // Cut off from the database, maybe with the others: they get a lease to come back (see lookAtMembers).
      this.reachedSince = undefined;
    }
  }

  /**
   * Puts this node's row in consumer_api_nodes under MEMBERS_LOCK, taken exclusively: that waits for the
   * other nodes' steps that found no other node and have not committed yet, and their later checks find it.
   */
  private async join(): Promise<void> {
    const found = this.othersFound;
    // One round trip: while the lock is held or waited for, every node's check before a commit waits.
    const node = pg.escapeLiteral(this.nodeId);
    const answer = (await this.pool.query(
      `BEGIN ISOLATION LEVEL READ COMMITTED;
       SELECT pg_advisory_xact_lock(${MEMBERS_LOCK});
       INSERT INTO consumer_api_nodes (node, seen_at) VALUES (${node}, now())
         ON CONFLICT (node) DO UPDATE SET seen_at = now();
       SELECT EXISTS (SELECT 1 FROM consumer_api_nodes WHERE node <> ${node}) AS others;
       COMMIT`,
    )) as unknown as pg.QueryResult[];
    const others = answer.find(
      (result) => result.command === "SELECT" && result.fields[0]?.name === "others",
    );
    this.judgeAlone(others?.rows[0]?.others !== false, found);
  }

  /**
   * At every beat: renews this node's row, deletes the rows of dead nodes (their session lock is free and
   * they were not renewed for a lease), and looks whether another node is there. Only once this node has
   * itself reached the database for a lease: after an outage of the database (every session ended), the
   * others get a lease to come back before they are taken for dead.
   */
  private async lookAtMembers(): Promise<void> {
    const found = this.othersFound;
    this.reachedSince ??= Date.now();
    let rows: { present: boolean; others: boolean }[];
    try {
      ({ rows } = await this.pool.query<{ present: boolean; others: boolean }>({
        name: "lookAtMembers",
        text: `WITH me AS (UPDATE consumer_api_nodes SET seen_at = now() WHERE node = $1 RETURNING node),
                    gone AS (DELETE FROM consumer_api_nodes
                             WHERE $4 AND node <> $1
                               AND pg_postmaster_start_time() < now() - $2 * interval '1 millisecond'
                               -- The lock tried last: a try on a row it keeps would take a reconnecting
                               -- node's lock from it for the moment.
                               AND CASE WHEN seen_at < now() - $2 * interval '1 millisecond'
                                        THEN pg_try_advisory_xact_lock($3, hashtext(node)) ELSE false END
                             RETURNING node)
               SELECT EXISTS (SELECT 1 FROM me) AS present,
                      EXISTS (SELECT 1 FROM consumer_api_nodes
                              WHERE node <> $1 AND node NOT IN (SELECT node FROM gone)) AS others`,
        values: [this.nodeId, this.leaseMs, NODE_LOCK_CLASS, Date.now() - this.reachedSince >= this.leaseMs],
      }));
    } catch (error) {
      this.reachedSince = undefined;
      throw error;
    }
    const row = rows[0];
    if (row && !row.present && !this.closed) {
      // Taken for dead (cut off from the database for longer than a lease): the others may have written
      // no news since, so a wake of a watched instance may be lost. Back in, and look at them again.
      this.alone = false;
      await this.join();
      for (const id of this.receiver?.watched() ?? []) this.receiver?.touched(id);
      return;
    }
    this.judgeAlone(row?.others !== false, found);
  }

  /** Takes this node's session lock on the listening connection, if it does not hold it yet. */
  private async lockNode(): Promise<void> {
    const listener = this.listener;
    if (this.nodeLocked || !listener) return;
    // With the LISTEN in the same query while attending: the others count the sessions whose last query
    // ends listening to the news channel (countListeners), and see this one so at every moment.
    const lock = `SELECT pg_try_advisory_lock(${NODE_LOCK_CLASS}, hashtext(${pg.escapeLiteral(this.nodeId)})) AS locked`;
    const answer = (await listener.query(
      this.attending ? `${lock}; LISTEN ${NEWS_CHANNEL}` : lock,
    )) as unknown as pg.QueryResult | pg.QueryResult[];
    if (this.listener !== listener) return;
    const results = Array.isArray(answer) ? answer : [answer];
    this.nodeLocked = results[0]?.rows[0]?.locked === true;
  }

  /** Alone when no other node was found — unless a check before a commit found one since the look began. */
  private judgeAlone(others: boolean, foundBefore: number): void {
    if (others) this.alone = false;
    else if (this.othersFound === foundBefore) this.alone = true;
  }

  /**
   * Whether any other session listens on the news channel (another node): its last query is that LISTEN,
   * alone or at the end of its lock attempt (lockNode). A session of another role whose query this one may
   * not see counts as one: pokes then go on, which is only the cost of a poke.
   */
  private async countListeners(): Promise<void> {
    if (this.listenerPid === undefined) {
      this.othersListen = true;
      return;
    }
    const heard = this.heardOthers;
    try {
      const { rows } = await this.pool.query<{ others: boolean }>({
        name: "countListeners",
        text: `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                 WHERE pid <> $1 AND datname = current_database()
                   AND (query IN ($2, '<insufficient privilege>') OR right(query, length($2::text) + 2) = '; ' || $2)) AS others`,
        values: [this.listenerPid, `LISTEN ${NEWS_CHANNEL}`],
      });
      // A poke heard meanwhile is newer than the count.
      this.othersListen = rows[0]?.others !== false || this.heardOthers !== heard;
    } catch {
      this.othersListen = true;
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on("notification", (message) => {
      if (message.payload === this.nodeId) return;
      if (message.channel === WAKE_CHANNEL) {
        let wakes: unknown;
        try {
          wakes = JSON.parse(message.payload ?? "[]");
        } catch {
          return; // Not ours to read; the sweep makes up for anything lost.
        }
        if (!Array.isArray(wakes)) return;
        for (const wake of wakes) {
          if (Array.isArray(wake) && wake[0] === this.nodeId && typeof wake[1] === "string")
            this.receiver?.touched(wake[1]);
        }
      } else if (message.channel === HELLO_CHANNEL) {
        // Another node listens from now on: it reads what this node committed before it heard the hello.
        this.othersListen = true;
        this.heardOthers++;
        this.poke();
      } else if (message.channel === NEWS_CHANNEL && this.attending) this.read();
    });
    client.on("error", () => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      this.listenerPid = undefined;
      this.nodeLocked = false;
      this.reachedSince = undefined;
      void client.end().catch(() => {});
      // The database went away: listen again once it is back; the sweep reads meanwhile.
      const retry = () => {
        if (this.closed) return;
        this.listen().catch(() => setTimeout(retry, this.sweepMs).unref());
      };
      setTimeout(retry, this.sweepMs).unref();
    });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    // The news channel last: the others count the sessions whose last statement listens to it.
    await client.query(`LISTEN ${HELLO_CHANNEL}; LISTEN ${WAKE_CHANNEL}`);
    this.listenerPid = rows[0]?.pid;
    this.listener = client;
    // Its session lock says this node lives (see lookAtMembers). Not had while an earlier session of this
    // node that the database has not seen gone yet still holds it: tried again at every beat.
    this.nodeLocked = false;
    await this.lockNode();
    if (this.attending) await this.listenForPokes();
  }
}

function hasNews(news: BatchNews): boolean {
  return (
    news.events.length > 0 || news.ended.length > 0 || news.tasks.length > 0 || news.timerDue !== undefined
  );
}

async function migrate(pool: pg.Pool): Promise<void> {
  const connection = await checkOut(pool);
  const client = connection.client;
  try {
    // Each statement's own snapshot: the look below sees what a migration that held the lock before made.
    await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
    // Each object looked for on its own, and only what is missing made: DDL on a table in use would wait
    // for the running steps' transactions on it (ALTER TABLE takes its lock even when it changes nothing).
    const { rows } = await client.query<{ base: boolean; waiters: boolean; alone: boolean }>(
      `SELECT to_regclass('consumer_api_outbox_created') IS NOT NULL AS base,
         EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = to_regclass('consumer_api_instance_news') AND attname = 'waiters') AS waiters,
         to_regprocedure('${ALONE_FUNCTION}(text)') IS NOT NULL AS alone`,
    );
    const has = rows[0] ?? { base: false, waiters: false, alone: false };
    if (!has.base) {
      await client.query(`
        CREATE TABLE IF NOT EXISTS consumer_api_outbox (
          id bigserial PRIMARY KEY,
          node text NOT NULL,
          news json NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE IF NOT EXISTS consumer_api_leases (
          kind text NOT NULL,
          key text NOT NULL,
          owner text NOT NULL,
          expires_at timestamptz NOT NULL,
          PRIMARY KEY (kind, key)
        );
        CREATE INDEX IF NOT EXISTS consumer_api_leases_owner ON consumer_api_leases (owner);
        CREATE TABLE IF NOT EXISTS consumer_api_instance_news (
          instance_id text PRIMARY KEY,
          news_id bigint NOT NULL,
          node text NOT NULL,
          at timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS consumer_api_outbox_created ON consumer_api_outbox (created_at);
      `);
    }
    if (!has.waiters) {
      // The nodes that watch the instance (see watch): a step of another node wakes them.
      await client.query(
        "ALTER TABLE consumer_api_instance_news ADD COLUMN IF NOT EXISTS waiters text[] NOT NULL DEFAULT '{}'",
      );
    }
    if (!has.alone) {
      // The nodes of the cluster (see join), and the check of a step that writes no news.
      await client.query(`
        CREATE TABLE IF NOT EXISTS consumer_api_nodes (
          node text PRIMARY KEY,
          seen_at timestamptz NOT NULL
        );
        CREATE FUNCTION ${ALONE_FUNCTION}(me text) RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
        BEGIN
          PERFORM pg_advisory_xact_lock_shared(${MEMBERS_LOCK});
          -- A query of its own, so a snapshot of its own: taken after the lock, it sees a node that joined
          -- while this waited for it.
          PERFORM 1 FROM consumer_api_nodes WHERE node <> me LIMIT 1;
          IF FOUND THEN
            RAISE EXCEPTION 'another node joined the cluster: the step runs again, with its news'
              USING ERRCODE = '${SERIALIZATION_FAILURE}';
          END IF;
        END
        $fn$;
      `);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    connection.release();
  }
}
