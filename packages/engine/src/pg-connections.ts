import type pg from "pg";

/**
 * Connections that must not go back to the pool: a `PREPARE` of theirs failed part way (PREPARE is not
 * transactional, so which of its statements now exist on the connection is unknown).
 */
const unusable = new WeakSet<pg.PoolClient>();

/** Marks a connection to be dropped, not reused, when it is released. */
export function markUnusable(client: pg.PoolClient): void {
  unusable.add(client);
}

/** A connection taken from a pool, and how to give it back. */
export interface CheckedOut {
  readonly client: pg.PoolClient;
  /** Back to the pool — or dropped: with `error`, after it failed while out, or when marked unusable. */
  release(error?: Error): void;
}

/**
 * A connection from the pool, heard while it is out: node-postgres emits `error` on a connection that ends
 * unexpectedly (a restart of the server, a failover, a dropped socket), and an `error` nobody hears ends the
 * process. The pool hears its connections only while they are idle in it; `pool.query` hears the one it
 * takes, and this does the same for a connection held across several queries.
 */
export async function checkOut(pool: pg.Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const hear = (error: Error) => {
    lost = error;
  };
  client.on("error", hear);
  return {
    client,
    release(error) {
      client.off("error", hear);
      client.release(error ?? lost ?? (unusable.has(client) ? new Error("unusable connection") : undefined));
    },
  };
}
