import { type IncomingMessage, type Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import {
  API_PREFIX,
  assertPlainJson,
  BadRequestError,
  ClientFrame,
  type ConsumerContext,
  describeIssues,
  NOTIFICATIONS_PATH,
  NotFoundError,
  problemFromError,
  type ServerFrame,
  type Subscription,
  subscribeToChannel,
  UnauthorizedError,
  WS_CLOSE_UNAUTHORIZED,
} from "@consumer-api/contracts";
import { type WebSocket, WebSocketServer } from "ws";
import { bearerToken } from "./bearer-token.js";
import { endWithProblem } from "./client-error.js";
import { allowsWebSocketOrigin } from "./cors.js";
import { defaults, reportError, reportIfServerError, type ServerOptions } from "./server-options.js";

/** Close code for a peer that does not read fast enough ("try again later", RFC 6455 §7.4.1). */
export const WS_CLOSE_BACKPRESSURE = 1013;
/** How long a closing socket may take to answer our close frame before it is destroyed. */
const CLOSE_TIMEOUT_MS = 5000;

interface SubscriptionSlot {
  /** Undefined while the api's subscribe is still pending. */
  subscription?: Subscription;
  /** Set when an unsubscribe (or the socket's close) came while pending: release as soon as it resolves. */
  cancelled: boolean;
  /** Notifications that arrived before `subscribed` was sent; flushed right after it. */
  early?: ServerFrame[];
}

/**
 * Notifications over WebSocket on API_PREFIX + NOTIFICATIONS_PATH, exactly SPEC §5.1. The channel string is
 * handed to the api through the contracts' channel table; lane filtering is the api's business.
 */
export function attachNotifications(server: Server, options: ServerOptions): { close(): Promise<void> } {
  const maxSubscriptions = options.maxSubscriptions ?? defaults.maxSubscriptions;
  const maxBufferedAmount = options.maxBufferedAmount ?? defaults.maxBufferedAmount;
  const drainTimeout = options.drainTimeout ?? defaults.drainTimeout;
  const maxJsonDepth = options.maxJsonDepth ?? defaults.maxJsonDepth;
  // closeTimeout (ws ≥ 8.18) is missing from @types/ws.
  const wsOptions = {
    noServer: true,
    maxPayload: options.maxPayload ?? defaults.maxPayload,
    closeTimeout: CLOSE_TIMEOUT_MS,
  };
  const wss = new WebSocketServer(wsOptions);
  const alive = new WeakMap<WebSocket, boolean>();
  const releases = new Set<() => void>();
  const corsOrigins = new Set(options.corsOrigins ?? []);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without its error listener: a client that resets it must not crash us.
    socket.on("error", () => socket.destroy());
    const pathname = (req.url ?? "").split("?")[0];
    const websocket = req.headers.upgrade?.toLowerCase() === "websocket";
    if (pathname !== API_PREFIX + NOTIFICATIONS_PATH || !websocket) {
      declineUpgrade(server, req, socket, head);
      return;
    }
    if (!allowsWebSocketOrigin(corsOrigins, req)) {
      const detail = `A page of ${req.headers.origin} may not open this WebSocket: start the server with --cors-origin ${req.headers.origin}.`;
      endWithProblem(socket, 403, detail, { head: false });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      releases.add(serve(ws, req));
    });
  };
  server.on("upgrade", onUpgrade);
  // A malformed handshake is answered with problem+json like every other error, not ws's text/html.
  wss.on("wsClientError", (error: Error, socket: Duplex, req: IncomingMessage) => {
    const status = (error as Error & { statusCode?: number }).statusCode ?? 400;
    const headers: Record<string, string> = status === 405 ? { Allow: "GET" } : {};
    if (/Sec-WebSocket-Version/.test(error.message)) headers["Sec-WebSocket-Version"] = "13, 8";
    endWithProblem(socket, status, `${error.message}.`, { head: req.method === "HEAD", headers });
  });

  const pingInterval = options.pingInterval ?? defaults.pingInterval;
  const authTimeout = options.authTimeout ?? defaults.authTimeout;
  const keepalive = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, pingInterval);
  keepalive.unref();

  function serve(ws: WebSocket, req: IncomingMessage): () => void {
    const slots = new Map<string, SubscriptionSlot>();
    let context: ConsumerContext | undefined;
    let closed = false;

    alive.set(ws, true);
    ws.on("pong", () => alive.set(ws, true));
    ws.on("error", () => {});

    /**
     * Back-pressure judges the reader, not one frame: right after a send the buffer may hold a large frame that
     * a prompt reader takes in a moment later. Once unsent data exceeds the limit, the socket has drainTimeout
     * to shrink it; while it shrinks it gets another period, and a peer that does not read (or reads slower
     * than its notifications come) is dropped instead of growing this process's memory.
     */
    let congestion: NodeJS.Timeout | undefined;
    const judgeReader = (backlogBefore: number) => {
      congestion = setTimeout(() => {
        congestion = undefined;
        if (closed) return;
        const backlog = ws.bufferedAmount;
        if (backlog <= maxBufferedAmount) return;
        if (backlog < backlogBefore) {
          judgeReader(backlog);
          return;
        }
        release();
        ws.close(WS_CLOSE_BACKPRESSURE, "Send buffer limit exceeded");
      }, drainTimeout);
      congestion.unref();
    };
    const send = (frame: ServerFrame) => {
      if (closed || ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(frame));
      if (congestion === undefined && ws.bufferedAmount > maxBufferedAmount) judgeReader(ws.bufferedAmount);
    };
    const sendError = (id: string | null, error: unknown) => {
      reportIfServerError(options, error);
      const problem = problemFromError(error);
      send({ type: "error", id, status: problem.status, title: problem.title, detail: problem.detail });
      if (problem.status === 401) {
        release();
        ws.close(WS_CLOSE_UNAUTHORIZED, "Unauthorized");
      }
    };

    const authenticate = async (token: string) => {
      const candidate = { identity: token };
      if (options.authenticate) await options.authenticate(candidate);
      context = candidate;
    };

    const subscribe = async (id: string, channel: string, ctx: ConsumerContext) => {
      if (slots.has(id))
        throw new BadRequestError(`id: a subscription with id ${JSON.stringify(id)} exists.`);
      if (slots.size >= maxSubscriptions) {
        throw new BadRequestError(`subscribe: at most ${maxSubscriptions} subscriptions per socket.`);
      }
      const slot: SubscriptionSlot = { cancelled: false, early: [] };
      slots.set(id, slot);
      const callback = (message: unknown) => {
        if (slot.cancelled) return;
        const frame = { type: "notification", id, channel, message } as ServerFrame;
        if (slot.early) slot.early.push(frame);
        else send(frame);
      };
      try {
        slot.subscription = await subscribeToChannel(options.api, ctx, channel, callback as never);
      } catch (error) {
        if (slots.get(id) === slot) slots.delete(id);
        throw error;
      }
      if (slot.cancelled || closed) {
        void slot.subscription.unsubscribe().catch((e: unknown) => reportError(options, e));
        return;
      }
      const early = slot.early ?? [];
      slot.early = undefined;
      send({ type: "subscribed", id });
      for (const frame of early) send(frame);
    };

    const unsubscribe = async (id: string) => {
      const slot = slots.get(id);
      if (!slot) throw new NotFoundError(`id: no subscription with id ${JSON.stringify(id)}.`);
      slots.delete(id);
      slot.cancelled = true;
      await slot.subscription?.unsubscribe();
    };

    const decode = (text: string | undefined): ClientFrame => {
      if (text === undefined) throw new BadRequestError("frame: JSON text frames only.");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new BadRequestError(`frame: malformed JSON: ${(error as Error).message}`);
      }
      assertPlainJson(json, "frame", maxJsonDepth);
      const parsed = ClientFrame.safeParse(json);
      if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error, "frame"));
      return parsed.data;
    };

    const handleFrame = async (text: string | undefined) => {
      let id = idOf(text);
      try {
        if (!context) {
          const frame = decodeOrUndefined(decode, text);
          if (frame?.type !== "authenticate") {
            throw new UnauthorizedError('Authenticate first: {"type":"authenticate","token":"…"}.');
          }
          return await authenticate(frame.token);
        }
        const frame = decode(text);
        id = frame.type === "authenticate" ? null : frame.id;
        if (frame.type === "authenticate") throw new BadRequestError("frame.type: already authenticated.");
        if (frame.type === "subscribe") {
          // The api's subscribe may take a moment; later frames need not wait (an unsubscribe finds the slot).
          const subscriptionId = frame.id;
          subscribe(subscriptionId, frame.channel, context).catch((error: unknown) =>
            sendError(subscriptionId, error),
          );
          return;
        }
        await unsubscribe(frame.id);
      } catch (error) {
        sendError(id, error);
      }
    };

    // Frames are handled in order, so nothing is evaluated before authentication has finished.
    let queue: Promise<void> = Promise.resolve();
    const header = req.headers.authorization;
    if (header !== undefined) {
      queue = (async () => {
        try {
          await authenticate(bearerToken(header));
        } catch (error) {
          sendError(null, error);
        }
      })();
    }
    // A socket that brought no token must authenticate with its first frame, and soon: otherwise it is closed.
    const authDeadline =
      header === undefined
        ? setTimeout(() => {
            if (!context && !closed) sendError(null, new UnauthorizedError("No authenticate frame in time."));
          }, authTimeout)
        : undefined;
    ws.on("message", (data, isBinary) => {
      if (closed) return;
      const text = isBinary ? undefined : data.toString();
      queue = queue.then(() => (closed ? undefined : handleFrame(text)));
    });

    function release(): void {
      if (closed) return;
      closed = true;
      clearTimeout(authDeadline);
      clearTimeout(congestion);
      releases.delete(release);
      for (const slot of slots.values()) {
        slot.cancelled = true;
        void slot.subscription?.unsubscribe().catch((e: unknown) => reportError(options, e));
      }
      slots.clear();
    }
    ws.on("close", release);
    return release;
  }

  return {
    async close() {
      clearInterval(keepalive);
      server.off("upgrade", onUpgrade);
      for (const release of [...releases]) release();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * With an `upgrade` listener Node hands every request carrying an Upgrade header to it, whatever its path or
 * protocol (`curl --http2` asks for h2c on every request). Such a request is not ours: HTTP lets a server
 * ignore the Upgrade header, so it is answered as a plain request by the server's request listener, which
 * also gives an unknown path its problem+json 404. Its body, if any, was consumed by the upgrade, so a request
 * with a body is refused rather than run without it.
 */
function declineUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const hasBody =
    head.length > 0 ||
    req.headers["transfer-encoding"] !== undefined ||
    Number(req.headers["content-length"] ?? 0) > 0;
  if (hasBody || server.listenerCount("request") === 0) {
    const detail = hasBody
      ? "A request with an Upgrade header and a body is not supported: send it without the Upgrade header."
      : `No WebSocket endpoint at ${req.url ?? ""}.`;
    endWithProblem(socket, hasBody ? 400 : 404, detail, { head: req.method === "HEAD" });
    return;
  }
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  // Node's own responses emit "close" once answered; one made by hand must too (request logs, drain counts).
  res.once("finish", () => {
    res.detachSocket(socket as Socket);
    socket.end();
    res.emit("close");
  });
  server.emit("request", req, res);
}

function decodeOrUndefined<T>(
  decode: (text: string | undefined) => T,
  text: string | undefined,
): T | undefined {
  try {
    return decode(text);
  } catch {
    return undefined;
  }
}

/** The id of a frame that failed to decode, when it has one, for the error frame. */
function idOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}
