import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { ConsumerApiError, PROBLEM_CONTENT_TYPE, problemFromError } from "@consumer-api/contracts";

/**
 * Answers with problem+json straight on a socket that no ServerResponse owns (a request the parser rejected,
 * a refused WebSocket handshake), then closes it. An answer to HEAD has no body, or the client reads it as the
 * start of another response.
 */
export function endWithProblem(
  socket: Duplex,
  status: number,
  detail: string,
  options: { head?: boolean; headers?: Record<string, string> } = {},
): void {
  const title = STATUS_CODES[status] ?? "Error";
  const body = JSON.stringify(problemFromError(new ConsumerApiError(status, title, detail)));
  const extra = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n${extra}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${options.head ? "" : body}`,
  );
}

/** Node's parser errors (and its headers timeout) as the status they answer with. */
function statusOf(error: NodeJS.ErrnoException): number {
  if (error.code === "HPE_HEADER_OVERFLOW") return 431;
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT" || error.code === "HPE_HEADERS_TIMEOUT") return 408;
  return 400;
}

/**
 * The `clientError` listener: a request Node's parser rejects before our handler sees it (a header line
 * too long, a malformed request line, the headers timeout) is answered with problem+json like every other
 * error, instead of Node's bodiless default, and the connection is closed.
 */
export function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Duplex,
): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  // A response already started on this connection cannot be followed by another one.
  if ((socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = statusOf(error);
  const detail =
    status === 431
      ? "The request line or headers are too large."
      : status === 408
        ? "The request headers did not arrive in time."
        : "The request is not valid HTTP.";
  const head = error.rawPacket?.subarray(0, 5).toString("latin1").toUpperCase() === "HEAD ";
  endWithProblem(socket, status, detail, { head });
}
