import { NEVER } from "./timer-definitions.js";

// setTimeout takes at most 2^31-1 ms; longer waits are chunked.
const MAX_DELAY = 2 ** 31 - 1;

/**
 * One in-memory timeout for the earliest due timer row, however many timers wait: the rows are the truth,
 * and on expiry the engine fires every due row and arms the scheduler for the next one.
 */
export class TimerScheduler {
  private handle: NodeJS.Timeout | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(private readonly onDue: () => void) {}

  /** Makes sure the scheduler wakes up no later than dueAt (epoch ms). */
  arm(dueAt: number): void {
    if (this.closed || dueAt >= NEVER || dueAt >= this.dueAt) return;
    this.set(dueAt);
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private set(dueAt: number): void {
    this.clear();
    this.dueAt = dueAt;
    const delay = Math.max(0, dueAt - Date.now());
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        if (delay > MAX_DELAY) {
          this.dueAt = Number.POSITIVE_INFINITY;
          this.set(dueAt);
          return;
        }
        this.dueAt = Number.POSITIVE_INFINITY;
        this.onDue();
      },
      Math.min(delay, MAX_DELAY),
    );
  }

  private clear(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
  }
}
