import { randomUUID } from "node:crypto";

/** A fresh correlation id per test keeps tests independent of each other and of earlier runs. */
export function newCorrelationId(): string {
  return `conformance-${randomUUID()}`;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
