import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { watchBodyTimeouts } from "./body-timeout.js";
import { answerClientError } from "./client-error.js";
import { createNodeHandler } from "./node-handler.js";
import { attachNotifications } from "./notifications.js";
import type { ServerOptions } from "./server-options.js";

export interface StartServerOptions extends ServerOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Milliseconds a client may take to send the request headers (slowloris guard, 408). Default 60 s. */
  headersTimeout?: number;
  /**
   * Milliseconds without a body byte while a request body is incomplete (slowloris guard, 408). Default 30 s;
   * 0 turns it off. Only the upload is timed: a request whose body has arrived may wait for its answer forever.
   */
  bodyIdleTimeout?: number;
  /** Milliseconds from the headers to the last byte of the body (408 beyond). Default 5 min; 0 turns it off. */
  bodyTimeout?: number;
  /** Milliseconds close() waits for in-flight requests before cutting them off. Default 5 s. */
  drainTimeout?: number;
}

export interface RunningServer {
  /** "http://127.0.0.1:PORT" (the host as given, 127.0.0.1 for a wildcard address). */
  url: string;
  server: Server;
  /** Stops accepting, drains in-flight requests (up to drainTimeout), closes every socket and WebSocket. */
  close(): Promise<void>;
}

export const startServerDefaults = {
  headersTimeout: 60_000,
  bodyIdleTimeout: 30_000,
  bodyTimeout: 300_000,
  drainTimeout: 5000,
} as const;

/** http.createServer + the Node handler + notifications, listening. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const headersTimeout = options.headersTimeout ?? startServerDefaults.headersTimeout;
  const bodyTimeouts = {
    idleMs: options.bodyIdleTimeout ?? startServerDefaults.bodyIdleTimeout,
    totalMs: options.bodyTimeout ?? startServerDefaults.bodyTimeout,
  };
  const handler = createNodeHandler(options);
  let inFlight = 0;
  let draining = false;
  const pending = new Set<ServerResponse>();
  let arrived = 0;
  const closeIdleUnlessBusy = () => {
    if (inFlight === 0) server.closeIdleConnections();
  };
  const server = createServer(
    {
      // A start with callback 2 or 3 may wait for days: no timeout may end a request that is being answered.
      requestTimeout: 0,
      headersTimeout,
      // Node checks the headers timeout only this often.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(headersTimeout / 2))),
    },
    (req, res) => {
      inFlight++;
      arrived++;
      pending.add(res);
      // A request that arrives while draining was sent before the client could know: it is served, and
      // its connection closes after the answer.
      if (draining) res.setHeader("connection", "close");
      res.once("close", () => {
        inFlight--;
        pending.delete(res);
        if (draining && inFlight === 0) setImmediate(closeIdleUnlessBusy);
      });
      watchBodyTimeouts(req, res, bodyTimeouts);
      handler(req, res);
    },
  );
  server.on("clientError", answerClientError);
  const notifications = attachNotifications(server, options);

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      // Answers still to come close their connection, instead of it being cut while idle between two
      // requests, which resets a request the client has just sent on it.
      for (const res of pending) if (!res.headersSent) res.setHeader("connection", "close");
      // server.close() cuts every connection that is idle at that moment, including one whose request the
      // client has sent but that this (busy) process has not read yet: that client sees a reset. So first
      // let the event loop read what has arrived, until a turn brings no new request.
      for (let turn = 0; turn < 10; turn++) {
        const before = arrived;
        await new Promise((resolve) => setImmediate(resolve));
        if (arrived === before) break;
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await notifications.close();
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          closed,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, options.drainTimeout ?? startServerDefaults.drainTimeout);
          }),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    })();
    return closing;
  };

  return { url: `http://${urlHost(host)}:${port}`, server, close };
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
