import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type HttpRequest, type HttpResponse, type HttpTransport, TransportError } from "./http-transport.js";

/**
 * node:http with keep-alive agents: the Node default, because sequential loopback round trips run several
 * times faster than through Node 20's global fetch (see the README for the measurement).
 */
const IDEMPOTENT = new Set(["GET", "HEAD"]);

export function nodeHttpTransport(): HttpTransport {
  // Idle pooled connections are dropped after 4 s, before a Node server's 5 s keep-alive timeout closes them
  // from its side, so a reused connection is rarely one the server is closing at that moment.
  const pool = { keepAlive: true, timeout: 4000 };
  const agents = { http: new HttpAgent(pool), https: new HttpsAgent(pool) };

  function attempt({
    method,
    url,
    headers,
    body,
    signal,
  }: HttpRequest): Promise<HttpResponse & { stale?: true }> {
    const secure = url.startsWith("https:");
    const send = secure ? httpsRequest : httpRequest;
    const outgoing =
      body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = send(
        url,
        {
          method,
          headers: outgoing,
          agent: secure ? agents.https : agents.http,
          ...(signal === undefined ? {} : { signal }),
        },
        (res: IncomingMessage) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (error) => reject(transportError(method, url, error)));
          res.on("aborted", () => reject(transportError(method, url, new Error("response aborted"))));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: res.headers["content-type"] ?? null,
              text: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => {
        // A pooled connection reset before any answer: most often the server closed it as idle just as it
        // was reused, but the server may also have run the request and died before answering. Only a read
        // is safe to send again; a POST (start, trigger, finish) must not happen twice, so it fails and says so.
        const reset =
          req.reusedSocket && !answered && (error.code === "ECONNRESET" || error.code === "EPIPE");
        if (reset && IDEMPOTENT.has(method)) resolve({ status: 0, contentType: null, text: "", stale: true });
        else if (reset) {
          reject(
            transportError(
              method,
              url,
              new Error(
                "the connection was reset before any answer; the request may or may not have been processed",
              ),
            ),
          );
        } else reject(transportError(method, url, error));
      });
      req.end(body);
    });
  }

  return {
    async send(request) {
      const first = await attempt(request);
      if (!first.stale) return first;
      const second = await attempt(request);
      if (second.stale) throw transportError(request.method, request.url, new Error("connection reset"));
      return second;
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function transportError(method: string, url: string, error: Error): TransportError {
  return new TransportError(`${method} ${url} failed: ${error.message}`, { cause: error });
}
