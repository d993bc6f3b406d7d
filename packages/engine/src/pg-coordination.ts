import { randomUUID } from "node:crypto";
import pg from "pg";
import {
  type BatchNews,
  type Coordination,
  hasNews,
  type LeaseKind,
  type TransactionSql,
} from "./coordination.js";

// Several nodes on one PostgreSQL database. News travels by NOTIFY, sent inside the batch's own transaction:
// PostgreSQL delivers it only if the batch commits, and delivers the notifications of different
// transactions in the order they committed — so two steps of one instance, which row locks keep from
// overlapping, reach every listener in step order with no sequence numbers to reorder by. A payload over
// NOTIFY's limit goes to an outbox row written in the same transaction; the notification then carries its
// id, and a listener reads it before it delivers anything that came after.
//
// Background work is held by leases (owner + expiry, PostgreSQL's clock, so nodes' clocks may differ): a
// node claims a due timer or an orphaned script job before it works on it; its heartbeat renews the script
// jobs it runs; a node that dies stops renewing, and once its leases expired any survivor's sweep claims the
// work. A lease decides who tries, not what happens: a timer or job taken twice still counts once, because
// the step that fires or finishes it takes its row.

export const NEWS_CHANNEL = "consumer_api_news";
/** NOTIFY takes less than 8000 bytes; the envelope's own fields fit in the rest. */
const NOTIFY_PAYLOAD_LIMIT = 7900;
/** Outbox rows are read within moments by every listener; kept this long for slow ones, then dropped. */
const OUTBOX_KEEP = "10 minutes";
/** Migrations of the coordination's own tables, applied once under an advisory lock (nodes start at once). */
const SCHEMA_LOCK = 7_355_001;

export const DEFAULT_LEASE_MS = 5000;
export const DEFAULT_SWEEP_MS = 1000;

export interface PgCoordinationOptions {
  connectionString: string;
  /** This node's name in leases; a fresh one per process by default (a restarted node is a new node). */
  nodeId?: string;
  /**
   * How long a lease outlives its holder's last heartbeat: a dead node's work is taken over within
   * leaseMs + sweepMs. Default 5000.
   */
  leaseMs?: number;
  /** How often the engine looks for work left by a dead node. Default 1000. */
  sweepMs?: number;
}

interface Envelope {
  /** The node that sent it. */
  n: string;
  /** The news itself, when it fits. */
  b?: BatchNews;
  /** Else the outbox row holding it. */
  o?: string;
}

interface Slot {
  run?: () => void;
}

export class PgCoordination implements Coordination {
  readonly nodeId: string;
  readonly sweepMs: number;
  readonly leaseMs: number;
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private onNews: ((news: BatchNews) => void) | undefined;
  /** Local reservations and received news, delivered strictly in this order. */
  private readonly slots: Slot[] = [];
  private readonly held = new Map<LeaseKind, Set<string>>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: PgCoordinationOptions) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.sweepMs = options.sweepMs ?? DEFAULT_SWEEP_MS;
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 2 });
    // An idle connection the server dropped must not crash the process: the next query reconnects.
    this.pool.on("error", () => {});
  }

  async start(onNews: (news: BatchNews) => void): Promise<void> {
    this.onNews = onNews;
    await migrate(this.pool);
    await this.listen();
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  reserve(): (deliver: () => void) => void {
    const slot: Slot = {};
    this.slots.push(slot);
    return (deliver) => {
      slot.run = deliver;
      this.drain();
    };
  }

  async announce(
    news: BatchNews,
    scriptJobs: readonly string[],
    sql: TransactionSql | undefined,
  ): Promise<void> {
    if (!sql)
      throw new Error("the PostgreSQL coordination announces inside a PostgreSQL store's transaction");
    if (scriptJobs.length > 0) {
      await sql(
        `INSERT INTO consumer_api_leases (kind, key, owner, expires_at)
         SELECT 'script-job', key, $1, now() + $2 * interval '1 millisecond' FROM unnest($3::text[]) AS key
         ON CONFLICT (kind, key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at`,
        [this.nodeId, this.leaseMs, scriptJobs],
      );
      this.hold("script-job", scriptJobs);
    }
    if (!hasNews(news)) return;
    const inline = JSON.stringify({ n: this.nodeId, b: news } satisfies Envelope);
    if (Buffer.byteLength(inline) <= NOTIFY_PAYLOAD_LIMIT) {
      await sql("SELECT pg_notify($1, $2)", [NEWS_CHANNEL, inline]);
      return;
    }
    await sql(
      `WITH row AS (INSERT INTO consumer_api_outbox (news) VALUES ($1) RETURNING id)
       SELECT pg_notify($2, json_build_object('n', $3::text, 'o', id::text)::text) FROM row`,
      [JSON.stringify(news), NEWS_CHANNEL, this.nodeId],
    );
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
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    const listener = this.listener;
    this.listener = undefined;
    try {
      await this.pool.query("DELETE FROM consumer_api_leases WHERE owner = $1", [this.nodeId]);
    } catch {
      // They expire instead.
    }
    await listener?.end().catch(() => {});
    await this.pool.end();
  }

  private hold(kind: LeaseKind, keys: readonly string[]): void {
    const held = this.held.get(kind) ?? new Set<string>();
    for (const key of keys) held.add(key);
    this.held.set(kind, held);
  }

  /** Renews the script jobs this node runs; the timers it claimed are fired within one lease, never renewed. */
  private async beat(): Promise<void> {
    const jobs = [...(this.held.get("script-job") ?? [])];
    try {
      if (jobs.length > 0) {
        await this.pool.query(
          `UPDATE consumer_api_leases SET expires_at = now() + $2 * interval '1 millisecond'
           WHERE kind = 'script-job' AND owner = $1 AND key = ANY($3::text[])`,
          [this.nodeId, this.leaseMs, jobs],
        );
      }
      await this.pool.query(
        `DELETE FROM consumer_api_leases WHERE expires_at < now() - interval '1 minute';
         DELETE FROM consumer_api_outbox WHERE created_at < now() - interval '${OUTBOX_KEEP}'`,
      );
    } catch {
      // A missed beat is made up by the next one; a lease that expired meanwhile is taken over, which counts once.
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on("notification", (message) => {
      if (message.channel === NEWS_CHANNEL && message.payload) this.received(message.payload);
    });
    client.on("error", () => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => {});
      // The database went away: listen again once it is back. What was sent meanwhile is not received.
      const retry = () => {
        if (this.closed) return;
        this.listen().catch(() => setTimeout(retry, this.sweepMs).unref());
      };
      setTimeout(retry, this.sweepMs).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${NEWS_CHANNEL}`);
    this.listener = client;
  }

  private received(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    // Its own news this node published itself, in its reserved place.
    if (envelope.n === this.nodeId || this.closed) return;
    const slot: Slot = {};
    this.slots.push(slot);
    const deliver = (news: BatchNews) => {
      slot.run = () => this.onNews?.(news);
      this.drain();
    };
    if (envelope.b) {
      deliver(envelope.b);
      return;
    }
    const read = (attempt: number): void => {
      this.pool
        .query<{ news: string }>("SELECT news FROM consumer_api_outbox WHERE id = $1", [envelope.o])
        .then(({ rows }) => {
          const row = rows[0];
          if (row) deliver(JSON.parse(row.news) as BatchNews);
          else slot.run = () => {};
        })
        .catch(() => {
          if (this.closed || attempt >= 3) slot.run = () => {};
          else setTimeout(() => read(attempt + 1), 50 * (attempt + 1)).unref();
        })
        .finally(() => this.drain());
    };
    read(0);
  }

  private drain(): void {
    while (this.slots[0]?.run) {
      const slot = this.slots.shift() as Slot;
      try {
        slot.run?.();
      } catch {
        // A failing delivery must not stop the ones after it.
      }
    }
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS consumer_api_outbox (
        id bigserial PRIMARY KEY,
        news text NOT NULL,
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
    `);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
