import path from "node:path";
import Database from "better-sqlite3";
import { EngineError } from "./types.js";

/** The file whose lock marks a data directory as in use; its content is nothing. */
export const LOCK_FILE = "engine.lock";

/**
 * Takes the data directory for this process, or throws EngineError "data_locked" when another engine holds
 * it: two engines on one SQLite store both run, and corrupt what only one may count (the order of finished
 * instances). The lock is SQLite's own exclusive file lock (fcntl on POSIX, LockFileEx on Windows), held by an
 * open exclusive transaction on a file of its own, so the engine's database keeps its usual locking. The
 * operating system drops it when the process ends in any way, kill -9 included, so no stale lock can block a
 * restart — which a pid file cannot promise (the pid may be reused). Release it by closing the handle.
 */
export function lockDataDirectory(directory: string): Database.Database {
  const file = path.join(directory, LOCK_FILE);
  // timeout 0: the holder keeps the lock for its whole life, so waiting for it would only delay the refusal.
  const lock = new Database(file, { timeout: 0 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code === "SQLITE_BUSY") {
      throw new EngineError(
        "data_locked",
        `the data directory ${directory} is in use by another engine (it holds ${file}); ` +
          "stop that server first, or give this one another --data directory",
      );
    }
    throw error;
  }
  return lock;
}
