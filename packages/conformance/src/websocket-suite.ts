import {
  API_PREFIX,
  buildChannel,
  buildUrlPath,
  NOTIFICATIONS_PATH,
  routes,
  type ServerFrame,
  WS_CLOSE_UNAUTHORIZED,
} from "@consumer-api/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { collector } from "./collector.js";
import { tokens } from "./fixtures.js";
import { newCorrelationId } from "./ids.js";
import type { Supports } from "./options.js";
import { serverFrameViolation } from "./server-frame-check.js";

export interface WebSocketSuiteOptions {
  name: string;
  /** The server's base URL; the notification socket is at /api/consumer/v1/notifications under it. */
  baseUrl: string;
  /** Where requests go (default: global fetch). */
  fetch?: typeof fetch;
  /** The socket's URL when it is not derived from baseUrl (an in-process server, say). */
  notificationsUrl?: string;
  /** What the server claims (SPEC §14); the cases of an unclaimed capability are skipped. Default: all. */
  supports?: Partial<Supports>;
}

interface Peer {
  frames: ServerFrame[];
  send(frame: unknown): void;
  sendRaw(text: string): void;
  next(predicate: (frame: ServerFrame) => boolean, what: string): Promise<ServerFrame>;
  closed: Promise<number>;
  close(): void;
}

/** The frames of SPEC §5.1 as a foreign server must speak them, below any client library. */
export function webSocketSuite(options: WebSocketSuiteOptions): void {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/$/, "");
  const socketUrl =
    options.notificationsUrl ?? `${base.replace(/^http/, "ws")}${API_PREFIX}${NOTIFICATIONS_PATH}`;
  const open: Peer[] = [];
  // Every frame is also checked against the generated JSON Schema, with ajv: the typed client drops a frame
  // it cannot parse, so a wrong shape would otherwise show only as a message that never came.
  let frameViolations: string[] = [];

  afterEach(() => {
    for (const peer of open.splice(0)) peer.close();
    const found = frameViolations;
    frameViolations = [];
    if (found.length > 0) throw new Error(`server frames of a wrong shape (SPEC §5.1):\n${found.join("\n")}`);
  });

  const connect = async (headerToken?: string): Promise<Peer> => {
    const ws = new WebSocket(
      socketUrl,
      headerToken === undefined ? {} : { headers: { authorization: `Bearer ${headerToken}` } },
    );
    const inbox = collector<ServerFrame>("frame");
    ws.on("message", (data) => {
      const text = String(data);
      const violation = serverFrameViolation(text);
      if (violation !== undefined) {
        frameViolations.push(violation);
        if (violation.startsWith("not JSON")) return;
      }
      inbox.callback(JSON.parse(text) as ServerFrame);
    });
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const peer: Peer = {
      frames: inbox.messages,
      send: (frame) => ws.send(JSON.stringify(frame)),
      sendRaw: (text) => ws.send(text),
      next: inbox.waitFor,
      closed,
      close: () => ws.close(),
    };
    open.push(peer);
    return peer;
  };
  /** Starts Basic/StartB (a script, then its end) with callback 2 over HTTP and returns the instance's id. */
  const finishedInstance = async (correlationId: string): Promise<string> => {
    const started = await doFetch(
      base +
        buildUrlPath(
          routes.startProcessInstance,
          { process_model_key: "Basic", start_event_key: "StartB" },
          { startCallbackType: "2" },
        ),
      {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.clerk}`, "content-type": "application/json" },
        body: JSON.stringify({ correlationId }),
      },
    );
    expect(started.status).toBe(200);
    return ((await started.json()) as { processInstanceId: string }).processInstanceId;
  };
  const subscribed = (peer: Peer, id: string) =>
    peer.next(
      (f) => f.id === id && (f.type === "subscribed" || f.type === "error"),
      `answering subscribe ${id}`,
    );

  describe(`${options.name}: notification WebSocket (SPEC §5.1)`, () => {
    it("with the token in the upgrade request a subscribe is answered subscribed, with its id", async () => {
      const peer = await connect(tokens.clerk);
      peer.send({
        type: "subscribe",
        id: "s-1",
        channel: buildChannel("systemEvent", { processModelKey: "Basic" }),
      });
      expect(await subscribed(peer, "s-1")).toEqual({ type: "subscribed", id: "s-1" });
    });

    it("with the token in the first frame a subscribe is answered subscribed", async () => {
      const peer = await connect();
      peer.send({ type: "authenticate", token: tokens.clerk });
      peer.send({
        type: "subscribe",
        id: "s-2",
        channel: buildChannel("signal", { signalKey: "broadcast" }),
      });
      expect(await subscribed(peer, "s-2")).toEqual({ type: "subscribed", id: "s-2" });
    });

    it("a notification frame carries the subscription id, the channel and the message", async () => {
      const correlationId = newCorrelationId();
      const channel = buildChannel("systemEvent", { processModelKey: "Basic", correlationId });
      const peer = await connect(tokens.clerk);
      peer.send({ type: "subscribe", id: "n-1", channel });
      expect((await subscribed(peer, "n-1")).type).toBe("subscribed");
      const processInstanceId = await finishedInstance(correlationId);
      const frame = await peer.next(
        (f) => f.type === "notification" && f.message.event_key === "ProcessInstanceFinishedSuccessfully",
        "ProcessInstanceFinishedSuccessfully",
      );
      expect(frame).toMatchObject({
        type: "notification",
        id: "n-1",
        channel,
        message: {
          process_model_key: "Basic",
          event_key: "ProcessInstanceFinishedSuccessfully",
          correlation_id: correlationId,
          process_instance_id: processInstanceId,
        },
      });
    });

    it("an unsubscribe frame stops that subscription; another on the same channel keeps receiving", async () => {
      const correlationId = newCorrelationId();
      const channel = buildChannel("systemEvent", { processModelKey: "Basic", correlationId });
      const peer = await connect(tokens.clerk);
      peer.send({ type: "subscribe", id: "u-stop", channel });
      peer.send({ type: "subscribe", id: "u-keep", channel });
      expect((await subscribed(peer, "u-stop")).type).toBe("subscribed");
      expect((await subscribed(peer, "u-keep")).type).toBe("subscribed");
      const finishedOf = (id: string, processInstanceId: string) => (f: ServerFrame) =>
        f.type === "notification" &&
        f.id === id &&
        f.message.process_instance_id === processInstanceId &&
        f.message.event_key === "ProcessInstanceFinishedSuccessfully";
      const first = await finishedInstance(correlationId);
      // Proves the subscription delivers, so silence after the unsubscribe means something.
      await peer.next(finishedOf("u-stop", first), "for u-stop before the unsubscribe");
      peer.send({ type: "unsubscribe", id: "u-stop" });
      // SPEC §5.1 acknowledges no unsubscribe; a later frame's answer on the same socket marks it handled.
      peer.send({
        type: "subscribe",
        id: "u-barrier",
        channel: buildChannel("signal", { signalKey: "none" }),
      });
      expect((await subscribed(peer, "u-barrier")).type).toBe("subscribed");
      const second = await finishedInstance(correlationId);
      await peer.next(finishedOf("u-keep", second), "for u-keep after the other one left");
      expect(
        peer.frames.filter(
          (f) => f.type === "notification" && f.id === "u-stop" && f.message.process_instance_id === second,
        ),
      ).toEqual([]);
    });

    it("a JSON frame of no known shape is an error frame 400", async () => {
      const peer = await connect(tokens.clerk);
      peer.send({ type: "subscribe", channel: buildChannel("signal", { signalKey: "broadcast" }) });
      peer.send({ type: "publish", id: "p-1" });
      const errors = () => peer.frames.filter((f) => f.type === "error");
      await peer.next((f) => f.type === "error" && errors().length === 2, "two errors");
      expect(errors().map((f) => (f as { status: number }).status)).toEqual([400, 400]);
    });

    it("a frame with a key its type does not define is an error frame 400 naming it", async ({ skip }) => {
      if (options.supports?.applicationInfo === false) skip("a level-1 server (no GET /info)");
      const peer = await connect(tokens.clerk);
      const channel = buildChannel("signal", { signalKey: "broadcast" });
      peer.send({ type: "subscribe", id: "extra-1", channel, correlationId: "c" });
      const frame = await peer.next((f) => f.type === "error", "error");
      expect(frame).toMatchObject({ type: "error", status: 400 });
      expect((frame as { detail: string }).detail).toContain("correlationId");
    });

    it("an unknown channel is an error frame 400 with the subscription's id", async () => {
      const peer = await connect(tokens.clerk);
      peer.send({ type: "subscribe", id: "bad-1", channel: "/no/such/channel" });
      expect(await subscribed(peer, "bad-1")).toMatchObject({ type: "error", id: "bad-1", status: 400 });
    });

    it("a frame that is not JSON is an error frame 400 with id null", async () => {
      const peer = await connect(tokens.clerk);
      peer.sendRaw("{ this is not json");
      const frame = await peer.next((f) => f.type === "error", "error");
      expect(frame).toMatchObject({ type: "error", id: null, status: 400 });
    });

    it("an unknown token in the first frame is an error frame 401, then the socket closes with 4401", async () => {
      const peer = await connect();
      peer.send({ type: "authenticate", token: tokens.invalid });
      const frame = await peer.next((f) => f.type === "error", "error");
      expect(frame).toMatchObject({ type: "error", status: 401 });
      expect(await peer.closed).toBe(WS_CLOSE_UNAUTHORIZED);
    });

    it("an empty token in the first frame is an error frame 401, then the socket closes with 4401", async () => {
      const peer = await connect();
      peer.send({ type: "authenticate", token: "" });
      const frame = await peer.next((f) => f.type === "error", "error");
      expect(frame).toMatchObject({ type: "error", status: 401 });
      expect(await peer.closed).toBe(WS_CLOSE_UNAUTHORIZED);
    });

    it("a subscribe before any token is an error frame 401, then the socket closes with 4401", async () => {
      const peer = await connect();
      peer.send({
        type: "subscribe",
        id: "early",
        channel: buildChannel("signal", { signalKey: "broadcast" }),
      });
      const frame = await peer.next((f) => f.type === "error", "error");
      expect(frame).toMatchObject({ type: "error", status: 401 });
      expect(await peer.closed).toBe(WS_CLOSE_UNAUTHORIZED);
    });

    it("an unknown token in the upgrade request is a 401: an error frame and close 4401, or a refused upgrade", async () => {
      let peer: Peer;
      try {
        peer = await connect(tokens.invalid);
      } catch (error) {
        expect(String((error as Error).message)).toContain("401");
        return;
      }
      const frame = await peer.next((f) => f.type === "error", "error");
      expect(frame).toMatchObject({ type: "error", status: 401 });
      expect(await peer.closed).toBe(WS_CLOSE_UNAUTHORIZED);
    });
  });
}
