import type { ServerResponse } from "node:http";
import { PROBLEM_CONTENT_TYPE, problemFromError } from "@consumer-api/contracts";

/** Writes a JSON answer unless the client is already gone (a caller that left simply gets nothing). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body === undefined ? null : body);
  res.writeHead(status, {
    ...headers,
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status);
  res.end();
}

/** RFC 9457 body for any thrown value (a non-ConsumerApiError becomes a generic 500). */
export function sendProblem(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const problem = problemFromError(error);
  // A 401 must name the scheme it wants (RFC 9110 §11.6.1).
  const challenge: Record<string, string> = problem.status === 401 ? { "www-authenticate": "Bearer" } : {};
  sendJson(res, problem.status, problem, PROBLEM_CONTENT_TYPE, { ...headers, ...challenge });
}

/**
 * Answers with a problem and closes the connection although the request's body was not read to its end. The
 * socket is destroyed a moment after the answer so the client can read it first: closing a socket with
 * unread input sends a RST, which can discard the answer on the client's side before it was read.
 */
export function sendProblemAndClose(res: ServerResponse, error: unknown, lingerMs: number): void {
  sendProblem(res, error, { connection: "close" });
  const socket = res.req?.socket;
  if (socket) res.once("finish", () => setTimeout(() => socket.destroy(), lingerMs).unref());
}
