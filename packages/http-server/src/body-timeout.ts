import type { IncomingMessage, ServerResponse } from "node:http";
import { ConsumerApiError } from "@consumer-api/contracts";
import { sendProblemAndClose } from "./problem-response.js";

export interface BodyTimeouts {
  /** Milliseconds without a single body byte arriving, while the body is incomplete. 0: none. */
  idleMs: number;
  /** Milliseconds from the request's headers to the body's last byte. 0: none. */
  totalMs: number;
}

/** How long after a 408 the socket is destroyed, so the client can read the answer first. */
const LINGER_AFTER_408_MS = 500;

/**
 * The slowloris guard for request bodies. Node's `requestTimeout` would also end a request whose body has
 * long arrived and that waits for its answer (a callback-2 start may wait for days), so instead this only
 * watches a request whose body is still incomplete: the socket's byte count must move every `idleMs`, and
 * the body must be complete within `totalMs`. It polls `socket.bytesRead` and `req.complete` rather than
 * listening for `data`, which would consume the body before the handler reads it. Beyond either: 408 and the
 * connection closes. The idle check runs every `idleMs`, so a stall is cut off after one to two periods.
 */
export function watchBodyTimeouts(req: IncomingMessage, res: ServerResponse, timeouts: BodyTimeouts): void {
  if (req.complete || (timeouts.idleMs <= 0 && timeouts.totalMs <= 0)) return;
  const socket = req.socket;
  const deadline = timeouts.totalMs > 0 ? Date.now() + timeouts.totalMs : Number.POSITIVE_INFINITY;
  let seen = socket.bytesRead;
  let timer: NodeJS.Timeout | undefined;

  const arm = () => {
    const idle = timeouts.idleMs > 0 ? timeouts.idleMs : Number.POSITIVE_INFINITY;
    timer = setTimeout(check, Math.max(0, Math.min(idle, deadline - Date.now())));
    timer.unref();
  };
  const check = () => {
    if (req.complete || socket.destroyed) return;
    const read = socket.bytesRead;
    if (Date.now() >= deadline)
      return cutOff(`The request body did not arrive within ${timeouts.totalMs} ms.`);
    if (timeouts.idleMs > 0 && read === seen) {
      return cutOff(`No byte of the request body arrived for ${timeouts.idleMs} ms.`);
    }
    seen = read;
    arm();
  };
  const cutOff = (detail: string) => {
    if (res.headersSent) {
      socket.destroy();
      return;
    }
    sendProblemAndClose(res, new ConsumerApiError(408, "Request Timeout", detail), LINGER_AFTER_408_MS);
  };

  res.once("close", () => clearTimeout(timer));
  arm();
}
