import pg from "pg";

/** A transaction of a test's own that holds row locks until released (SELECT … FOR UPDATE). */
export interface LockSession {
  /** Runs in the open transaction: `SELECT … FOR UPDATE` takes the rows' locks until release(). */
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** How many other sessions wait on a lock this one holds (pg_blocking_pids). */
  blocked(): Promise<number>;
  /** Ends the transaction, so whoever waited goes on, and closes the session. */
  release(): Promise<void>;
}

/**
 * Opens a session and its transaction: a test stalls a node's step on rows it locked, to put that node in a
 * chosen state (it claimed work and has not done it yet) before it kills it.
 */
export async function openLockSession(connectionString: string): Promise<LockSession> {
  const locker = new pg.Client({ connectionString });
  const observer = new pg.Client({ connectionString });
  await Promise.all([locker.connect(), observer.connect()]);
  await locker.query("BEGIN");
  const { rows } = await locker.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const pid = rows[0]?.pid;
  let released = false;
  return {
    async query(sql, params = []) {
      return (await locker.query(sql, params)).rows;
    },
    async blocked() {
      const result = await observer.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
        [pid],
      );
      return Number(result.rows[0]?.n ?? 0);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await locker.query("ROLLBACK");
      } finally {
        await Promise.all([locker.end(), observer.end()]);
      }
    },
  };
}
