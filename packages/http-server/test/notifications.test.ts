import { connect } from "node:net";
import { API_PREFIX, buildChannel, NOTIFICATIONS_PATH, WS_CLOSE_UNAUTHORIZED } from "@consumer-api/contracts";
import { afterEach, describe, expect, it } from "vitest";
import {
  type RunningServer,
  type StartServerOptions,
  startServer,
  WS_CLOSE_BACKPRESSURE,
} from "../src/index.js";
import { rawRequest } from "./support/raw-http.js";
import { openRawWebSocket } from "./support/raw-websocket.js";
import { message, ScriptedApi } from "./support/scripted-api.js";
import { openSocket, type TestSocket } from "./support/ws-client.js";

const path = API_PREFIX + NOTIFICATIONS_PATH;
const paid = buildChannel("signal", { signalKey: "Paid" });

let api: ScriptedApi;
let server: RunningServer;
const sockets: TestSocket[] = [];

async function start(options: Partial<StartServerOptions> = {}) {
  api = new ScriptedApi();
  server = await startServer({ api, authenticate: (ctx) => api.authenticate(ctx), ...options });
  return server.url.replace("http", "ws") + path;
}
async function open(url: string, token?: string) {
  const socket = await openSocket(url, token);
  sockets.push(socket);
  return socket;
}
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await server.close();
});
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe("notifications over WebSocket", () => {
  it("authenticates from the upgrade header; subscribe, notification, unsubscribe", async () => {
    const socket = await open(await start(), "alice-token");
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "s1" });
    expect(api.activeSubscriptions()).toBe(1);
    api.emit("signal:Paid", message({ amount: 1 }));
    expect(await socket.next()).toEqual({
      type: "notification",
      id: "s1",
      channel: paid,
      message: message({ amount: 1 }),
    });
    socket.send({ type: "unsubscribe", id: "s1" });
    await until(() => api.activeSubscriptions() === 0);
    // The id is free again once unsubscribed.
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "s1" });
  });

  it("sends a notification that raced the subscription right after the acknowledgement", async () => {
    const socket = await open(await start(), "alice-token");
    const eager = buildChannel("signal", { signalKey: "eager" });
    socket.send({ type: "subscribe", id: "e1", channel: eager });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "e1" });
    expect(await socket.next()).toEqual({
      type: "notification",
      id: "e1",
      channel: eager,
      message: message("early"),
    });
  });

  it("hands every channel kind to the api through the channel table", async () => {
    const socket = await open(await start(), "alice-token");
    const channels = [
      buildChannel("bpmnEvent", { processModelKey: "Order", eventKey: "Paid", correlationId: "c 1" }),
      buildChannel("activity", { processModelKey: "Order", activityKey: "Review" }),
      buildChannel("systemEvent", { processModelKey: "Order" }),
    ];
    for (const [i, channel] of channels.entries()) {
      socket.send({ type: "subscribe", id: `s${i}`, channel });
      expect(await socket.next()).toEqual({ type: "subscribed", id: `s${i}` });
    }
    expect([...api.subscribers.keys()].sort()).toEqual([
      "activity:Order:Review",
      "event:Order:Paid",
      "system:Order",
    ]);
  });

  it("authenticates with the first message when the upgrade carries no header", async () => {
    const socket = await open(await start());
    socket.send({ type: "authenticate", token: "bob-token" });
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "s1" });
  });

  it("answers 401 and closes with 4401 for an unknown token, by header or first message", async () => {
    const url = await start();
    const byHeader = await open(url, "mallory");
    expect(await byHeader.next()).toMatchObject({ type: "error", id: null, status: 401 });
    expect((await byHeader.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
    const byMessage = await open(url);
    byMessage.send({ type: "authenticate", token: "mallory" });
    expect(await byMessage.next()).toMatchObject({ type: "error", status: 401 });
    expect((await byMessage.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
  });

  it("closes a socket with 4401 that brings no token and sends no authenticate frame within authTimeout", async () => {
    // Generous, so that the authenticating socket's first frame is in well before its deadline on a loaded
    // machine; the silent socket, opened last, is closed by its deadline, which the others' came before.
    const url = await start({ authTimeout: 5_000 });
    // Authenticated sockets are not touched by the deadline, whether by header or by their first frame.
    const byHeader = await open(url, "alice-token");
    const byFrame = await open(url);
    byFrame.send({ type: "authenticate", token: "bob-token" });
    const silent = await open(url);
    expect(await silent.next()).toMatchObject({ type: "error", id: null, status: 401 });
    expect((await silent.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
    for (const socket of [byHeader, byFrame]) {
      socket.send({ type: "subscribe", id: "s1", channel: paid });
      expect(await socket.next()).toEqual({ type: "subscribed", id: "s1" });
    }
  });

  it("answers 401 and closes with 4401 for a subscribe before authentication", async () => {
    const socket = await open(await start());
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toMatchObject({ type: "error", id: "s1", status: 401 });
    expect((await socket.closed).code).toBe(WS_CLOSE_UNAUTHORIZED);
    expect(api.activeSubscriptions()).toBe(0);
  });

  it("answers 400 for malformed frames and unknown channels, and keeps the socket open", async () => {
    const socket = await open(await start(), "alice-token");
    socket.send("{nope");
    expect(await socket.next()).toMatchObject({ type: "error", id: null, status: 400 });
    socket.send({ type: "subscribe", id: "s1" });
    const missing = await socket.next();
    expect(missing).toMatchObject({ type: "error", id: "s1", status: 400 });
    expect(missing.detail).toContain("frame.channel");
    socket.send({ type: "dance", id: "s2" });
    expect(await socket.next()).toMatchObject({ type: "error", id: "s2", status: 400 });
    socket.send({ type: "subscribe", id: "s3", channel: "/process_model/Order/bogus" });
    const unknown = await socket.next();
    expect(unknown).toMatchObject({ type: "error", id: "s3", status: 400 });
    expect(unknown.detail).toContain("channel");
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await socket.next()).toMatchObject({ type: "error", status: 400 });
    socket.send({ type: "subscribe", id: "s4", channel: paid });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "s4" });
  });

  it("answers 400 for a duplicate id, 403 from the api, 404 for an unknown unsubscribe", async () => {
    const socket = await open(await start(), "alice-token");
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "s1" });
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toMatchObject({ type: "error", id: "s1", status: 400 });
    socket.send({ type: "subscribe", id: "s2", channel: buildChannel("signal", { signalKey: "forbidden" }) });
    expect(await socket.next()).toMatchObject({ type: "error", id: "s2", status: 403, title: "Forbidden" });
    socket.send({ type: "unsubscribe", id: "nope" });
    expect(await socket.next()).toMatchObject({ type: "error", id: "nope", status: 404 });
    expect(api.activeSubscriptions()).toBe(1);
  });

  it("limits subscriptions per socket", async () => {
    const socket = await open(await start({ maxSubscriptions: 2 }), "alice-token");
    for (const id of ["a", "b", "c"]) socket.send({ type: "subscribe", id, channel: paid });
    const frames = [await socket.next(), await socket.next(), await socket.next()];
    expect(frames.filter((f) => f.type === "subscribed")).toHaveLength(2);
    expect(frames.find((f) => f.type === "error")).toMatchObject({ id: "c", status: 400 });
  });

  it("closes a socket with a frame above maxPayload", async () => {
    const socket = await open(await start({ maxPayload: 1024 }), "alice-token");
    socket.send({ type: "subscribe", id: "x".repeat(2000), channel: paid });
    expect((await socket.closed).code).toBe(1009);
  });

  it("releases every subscription when the socket closes", async () => {
    const socket = await open(await start(), "alice-token");
    for (const id of ["a", "b", "c"]) {
      socket.send({ type: "subscribe", id, channel: paid });
      await socket.next();
    }
    expect(api.activeSubscriptions()).toBe(3);
    socket.ws.close();
    await until(() => api.activeSubscriptions() === 0);
  });

  it("delivers one notification larger than the send-buffer limit to a prompt reader, and stays open", async () => {
    // The default limit (4 MiB), judged right after its own send, closed such a socket with 1013.
    const socket = await open(await start(), "alice-token");
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "s1" });
    const big = "x".repeat(8 * 1024 * 1024);
    api.emit("signal:Paid", message(big));
    expect(await socket.next()).toMatchObject({ type: "notification", id: "s1", message: message(big) });
    api.emit("signal:Paid", message({ after: true }));
    expect(await socket.next()).toMatchObject({ type: "notification", message: message({ after: true }) });
    expect(api.activeSubscriptions()).toBe(1);
  });

  it("closes a socket that does not read (1013) instead of buffering, releasing its subscriptions", async () => {
    const url = await start({ maxBufferedAmount: 256 * 1024, drainTimeout: 100 });
    const raw = await openRawWebSocket(url.replace("ws", "http"), path, "alice-token");
    raw.sendText(JSON.stringify({ type: "subscribe", id: "s1", channel: paid }));
    await until(() => raw.frames.length > 0);
    expect(JSON.parse(String(raw.frames[0]?.payload))).toEqual({ type: "subscribed", id: "s1" });
    raw.socket.pause();
    const big = "x".repeat(60 * 1024);
    // Paced, so that the reader is judged over time: the kernel's buffers fill first, then the server's.
    for (let emitted = 0; api.activeSubscriptions() > 0 && emitted < 5_000; emitted++) {
      api.emit("signal:Paid", message(big));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(api.activeSubscriptions()).toBe(0);
    raw.socket.resume();
    await until(() => raw.frames.some((f) => f.opcode === 0x8));
    const close = raw.frames.find((f) => f.opcode === 0x8);
    expect(close?.payload.readUInt16BE(0)).toBe(WS_CLOSE_BACKPRESSURE);
    raw.socket.destroy();
  });

  it("terminates a peer that stops answering pings", async () => {
    const url = await start({ pingInterval: 50 });
    const raw = await openRawWebSocket(url.replace("ws", "http"), path, "alice-token");
    raw.sendText(JSON.stringify({ type: "subscribe", id: "s1", channel: paid }));
    await raw.closed;
    expect(raw.frames.some((f) => f.opcode === 0x9)).toBe(true);
    await until(() => api.activeSubscriptions() === 0);
  });

  it("keeps a well-behaved client alive across pings", async () => {
    // A pong window a loaded machine meets (30 ms was missed when another suite ran beside this one, and
    // client and server share this process's event loop); the test waits for three pings, not for a time,
    // and a socket the server closed fails it at once.
    const socket = await open(await start({ pingInterval: 3000 }), "alice-token");
    let pings = 0;
    socket.ws.on("ping", () => pings++);
    const closedEarly = socket.closed.then(({ code }) => {
      throw new Error(`the server closed a well-behaved client (${code})`);
    });
    await Promise.race([until(() => pings >= 3), closedEarly]);
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await Promise.race([socket.next(), closedEarly])).toEqual({ type: "subscribed", id: "s1" });
  });

  it("refuses upgrades on other paths", async () => {
    const url = await start();
    await expect(openSocket(url.replace(NOTIFICATIONS_PATH, "/other"), "alice-token")).rejects.toThrow(/404/);
  });

  it("answers a refused upgrade with problem+json: an unknown path 404, a malformed handshake 400", async () => {
    const url = await start();
    const handshake = "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
    const key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const other = await rawRequest(url, `GET ${API_PREFIX}/other HTTP/1.1\r\n${handshake}${key}\r\n`);
    expect(other).toMatch(/^HTTP\/1.1 404 /);
    expect(other.toLowerCase()).toContain("content-type: application/problem+json");
    expect(JSON.parse(other.slice(other.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: 404 });
    const noKey = await rawRequest(url, `GET ${path} HTTP/1.1\r\n${handshake}\r\n`);
    expect(noKey).toMatch(/^HTTP\/1.1 400 /);
    expect(noKey.toLowerCase()).toContain("content-type: application/problem+json");
    expect(JSON.parse(noKey.slice(noKey.indexOf("\r\n\r\n") + 4))).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/Sec-WebSocket-Key/),
    });
  });

  it("serves a route to a request that asks for another protocol upgrade (curl --http2 sends h2c)", async () => {
    const url = await start();
    const answer = await rawRequest(
      url,
      `GET ${API_PREFIX}/process_models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice-token\r\n` +
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1.1 200 /);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({
      processModels: [expect.objectContaining({ key: "Order" })],
    });
  });

  it("survives clients that reset the connection right after an upgrade request", async () => {
    const url = await start();
    const { port } = new URL(server.url);
    const upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
    const requests = [
      `GET ${API_PREFIX}/other HTTP/1.1\r\nHost: x\r\n${upgrade}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      `GET ${API_PREFIX}/process_models HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n`,
      `POST ${API_PREFIX}/x HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nContent-Length: 3\r\n\r\nabc`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`,
    ];
    for (let round = 0; round < 100; round++) {
      await Promise.all(
        requests.map(
          (request) =>
            new Promise<void>((resolve) => {
              const socket = connect(Number(port), "127.0.0.1", () => {
                socket.write(request);
                const reset = () => {
                  socket.resetAndDestroy();
                  resolve();
                };
                if (round % 2 === 0) reset();
                else setImmediate(reset);
              });
              socket.on("error", () => {});
            }),
        ),
      );
    }
    const socket = await open(url, "alice-token");
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "s1" });
  });

  it("closes every socket on server close", async () => {
    const socket = await open(await start(), "alice-token");
    socket.send({ type: "subscribe", id: "s1", channel: paid });
    await socket.next();
    await server.close();
    await socket.closed;
    expect(api.activeSubscriptions()).toBe(0);
  });
});
