import { randomUUID } from "node:crypto";

let lastMs = 0;
let sequence = 0;

/**
 * A time-ordered UUID (version 7) for instances and waits: new rows land at the end of the id indexes
 * instead of on a random page, which keeps each commit's write set small as the tables grow. Ids made in
 * one millisecond carry a counter in the 12 `rand_a` bits (RFC 9562 §6.2, method 1), so they sort in the
 * order they were made: pages ordered by (time, id) list same-millisecond starts in start order.
 */
export function timeOrderedId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4096 ids in one millisecond: borrow the next one rather than repeat an order.
    lastMs++;
    sequence = 0;
  }
  const time = lastMs.toString(16).padStart(12, "0");
  const counter = sequence.toString(16).padStart(3, "0");
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${counter}${randomUUID().slice(18)}`;
}
