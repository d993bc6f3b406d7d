import { randomUUID } from "node:crypto";

/**
 * A time-ordered UUID (version 7) for instances and waits: new rows land at the end of the id indexes
 * instead of on a random page, which keeps each commit's write set small as the tables grow.
 */
export function timeOrderedId(): string {
  const time = Date.now().toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
