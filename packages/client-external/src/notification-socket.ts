import type { ErrorFrame, NotificationCallback, ServerFrame, Subscription } from "@consumer-api/contracts";
import {
  BadRequestError,
  channels,
  errorFromProblem,
  parseChannel,
  UnauthorizedError,
  WS_CLOSE_UNAUTHORIZED,
  wireViolation,
} from "@consumer-api/contracts/runtime";
import { TransportError } from "./http-transport.js";
import { OPEN, type WebSocketConstructor, type WebSocketLike } from "./websocket-like.js";

/** Close code of a frame above the peer's size limit (RFC 6455 §7.4.1). */
const WS_CLOSE_MESSAGE_TOO_BIG = 1009;

const subscribeFrame = (id: string, channel: string) => JSON.stringify({ type: "subscribe", id, channel });

export interface ReconnectOptions {
  /** First delay after a drop, doubled per failed attempt. Default 100 ms. */
  initialDelay?: number;
  /** Cap of the delay. Default 5 s. */
  maxDelay?: number;
}

export interface NotificationSocketOptions {
  url: string;
  token: string;
  WebSocket: WebSocketConstructor;
  /** Send the token in the upgrade's Authorization header (ws in Node); otherwise as the first frame. */
  headerAuth: boolean;
  reconnect?: ReconnectOptions;
  /** A resubscription after a reconnect was refused (e.g. the token was revoked). */
  onSubscriptionError?: (channel: string, error: Error) => void;
}

interface Entry {
  channel: string;
  callback: NotificationCallback;
  /** Set until the server acknowledged the first subscribe. */
  pending?: { resolve: (s: Subscription) => void; reject: (e: Error) => void };
}

/**
 * One WebSocket for one identity token, opened on the first subscription. After a drop it reconnects with
 * capped exponential backoff and subscribes every active subscription again under the same id.
 */
export class NotificationSocket {
  private ws: WebSocketLike | undefined;
  private readonly entries = new Map<string, Entry>();
  private nextId = 0;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: NotificationSocketOptions) {}

  subscribe(channel: string, callback: NotificationCallback): Promise<Subscription> {
    if (this.closed) return Promise.reject(new TransportError("The client is closed."));
    const id = `s${++this.nextId}`;
    return new Promise<Subscription>((resolve, reject) => {
      this.entries.set(id, { channel, callback, pending: { resolve, reject } });
      if (this.ws?.readyState === OPEN) this.send(subscribeFrame(id, channel));
      else if (!this.ws && !this.timer) this.connect();
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.failPending(new TransportError("The client is closed."));
    this.entries.clear();
    this.dropSocket("client closed");
  }

  private subscription(id: string, channel: string): Subscription {
    return {
      channel,
      unsubscribe: async () => {
        if (!this.entries.delete(id)) return;
        if (this.ws?.readyState === OPEN) this.sendFrame({ type: "unsubscribe", id });
        // A socket per identity would otherwise stay open for every token ever used; the next subscribe
        // opens a new one.
        if (this.entries.size === 0) {
          clearTimeout(this.timer);
          this.timer = undefined;
          this.dropSocket("no subscriptions");
        }
      },
    };
  }

  /** Closes the current socket without reconnecting; what it still sends (an unsubscribe) goes first. */
  private dropSocket(reason: string): void {
    const ws = this.ws;
    this.ws = undefined;
    if (!ws) return;
    ws.onopen = null;
    ws.onclose = null;
    ws.onmessage = null;
    ws.onerror = () => {};
    ws.close(1000, reason);
  }

  private connect(): void {
    const { url, token, headerAuth } = this.options;
    let ws: WebSocketLike;
    try {
      ws = headerAuth
        ? new this.options.WebSocket(url, { headers: { authorization: `Bearer ${token}` } })
        : new this.options.WebSocket(url);
    } catch (error) {
      this.failPending(
        new TransportError(`Cannot open ${url}: ${(error as Error).message}`, { cause: error }),
      );
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      if (!headerAuth) this.sendFrame({ type: "authenticate", token });
      for (const [id, entry] of this.entries) this.send(subscribeFrame(id, entry.channel));
    };
    ws.onmessage = (event) => this.receive(event.data);
    ws.onerror = () => {};
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (event.code === WS_CLOSE_UNAUTHORIZED) {
        const error = new UnauthorizedError();
        this.failPending(error);
        for (const entry of this.entries.values()) this.options.onSubscriptionError?.(entry.channel, error);
        this.entries.clear();
        return;
      }
      if (event.code === WS_CLOSE_MESSAGE_TOO_BIG) this.failOversized();
      // Unreachable: a subscribe still waiting fails now. After a drop every subscription, acknowledged or
      // not, is sent again on the next socket.
      if (!opened) this.failPending(new TransportError(`Cannot connect to ${url} (code ${event.code}).`));
      if (!this.closed && this.entries.size > 0) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    const initial = this.options.reconnect?.initialDelay ?? 100;
    const max = this.options.reconnect?.maxDelay ?? 5000;
    const delay = Math.min(max, initial * 2 ** this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed && this.entries.size > 0) this.connect();
    }, delay);
  }

  private receive(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    // A frame the contract does not describe is dropped, checked by the generated JSON Schema.
    if (wireViolation("ServerFrame", frame) !== undefined) return;
    if (frame.type === "subscribed") {
      this.attempt = 0;
      const entry = this.entries.get(frame.id);
      if (entry?.pending) {
        const { resolve } = entry.pending;
        entry.pending = undefined;
        resolve(this.subscription(frame.id, entry.channel));
      }
      return;
    }
    if (frame.type === "notification") {
      const entry = this.entries.get(frame.id);
      if (!entry) return;
      // ServerFrame checks §5's message; a §12 channel's message type checks what it adds.
      const messageType = channels[parseChannel(entry.channel).kind].message;
      if (messageType !== "NotificationMessage" && wireViolation(messageType, frame.message) !== undefined)
        return;
      // A callback never stalls or breaks the socket: not awaited, its errors swallowed.
      try {
        const result = entry.callback(frame.message);
        if (result && typeof (result as Promise<void>).catch === "function")
          (result as Promise<void>).catch(() => {});
      } catch {}
      return;
    }
    this.receiveError(frame);
  }

  private receiveError(frame: ErrorFrame): void {
    const error = errorFromProblem(
      { type: "about:blank", title: frame.title, status: frame.status, detail: frame.detail },
      frame.status,
    );
    if (frame.id === null) {
      // Not about one subscription (401 before the close, or a frame the server could not read).
      if (frame.status === 401) this.failPending(error);
      return;
    }
    const entry = this.entries.get(frame.id);
    if (!entry) return;
    this.entries.delete(frame.id);
    if (entry.pending) entry.pending.reject(error);
    else this.options.onSubscriptionError?.(entry.channel, error);
  }

  /**
   * The server closed the socket because a frame exceeded its size limit: the largest subscribe still waiting
   * (its channel is too long). Sent again after the reconnect it would close the socket again, forever.
   */
  private failOversized(): void {
    const size = (id: string, entry: Entry) => subscribeFrame(id, entry.channel).length;
    let largest = 0;
    for (const [id, entry] of this.entries) if (entry.pending) largest = Math.max(largest, size(id, entry));
    for (const [id, entry] of this.entries) {
      if (!entry.pending || size(id, entry) < largest) continue;
      this.entries.delete(id);
      entry.pending.reject(
        new BadRequestError(
          "channel: the subscribe frame exceeds the server's WebSocket message size limit.",
        ),
      );
    }
  }

  private failPending(error: Error): void {
    for (const [id, entry] of this.entries) {
      if (!entry.pending) continue;
      this.entries.delete(id);
      entry.pending.reject(error);
    }
  }

  private sendFrame(frame: unknown): void {
    this.send(JSON.stringify(frame));
  }

  private send(text: string): void {
    try {
      this.ws?.send(text);
    } catch {
      // The socket is closing; onclose takes it from here.
    }
  }
}
