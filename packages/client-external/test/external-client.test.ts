import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import type { Duplex } from "node:stream";
import {
  BadRequestError,
  ConflictError,
  type ConsumerApiError,
  ForbiddenError,
  InternalServerError,
  NotFoundError,
  type NotificationMessage,
  UnauthorizedError,
} from "@consumer-api/contracts";
import { startServer } from "@consumer-api/http-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createExternalConsumerApi as createBrowserClient } from "../src/index.js";
import { createExternalConsumerApi, type ExternalConsumerApi, TransportError } from "../src/node.js";
import { type Backend, startBackend } from "./support/server.js";

const clerk = { identity: "clerk-token" };
const manager = { identity: "manager-token" };
const nobody = { identity: "nobody-token" };

let backend: Backend;
let client: ExternalConsumerApi;

beforeEach(async () => {
  backend = await startBackend();
  client = createExternalConsumerApi({
    baseUrl: backend.server.url,
    reconnect: { initialDelay: 20, maxDelay: 200 },
  });
});
afterEach(async () => {
  await client.close();
  await backend.dispose();
});

async function rejection(promise: Promise<unknown>): Promise<ConsumerApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ConsumerApiError;
  }
  throw new Error("expected a rejection");
}

/** The external client throws what the internal binding throws: same class, status, title and detail. */
async function expectSameError(
  external: () => Promise<unknown>,
  internal: () => Promise<unknown>,
  ErrorClass: new (...args: never[]) => ConsumerApiError,
  sameDetail = true,
) {
  const e = await rejection(external());
  const i = await rejection(internal());
  expect(i).toBeInstanceOf(ErrorClass);
  expect(e).toBeInstanceOf(ErrorClass);
  expect({ status: e.status, title: e.title }).toEqual({ status: i.status, title: i.title });
  if (sameDetail) expect(e.detail).toBe(i.detail);
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe("createExternalConsumerApi — request/response", () => {
  it("answers what the internal binding answers", async () => {
    expect(await client.getProcessModels(manager)).toEqual(await backend.internal.getProcessModels(manager));
    expect(await client.getProcessModelByKey(clerk, "Payment")).toEqual(
      await backend.internal.getProcessModelByKey(clerk, "Payment"),
    );
  });

  it("runs a user task through start, list, finish (204 → undefined) and result", async () => {
    const started = await client.startProcessInstance(clerk, "Approval", "Requested", {
      correlationId: "req-1",
      inputValues: { item: "desk" },
    });
    expect(started.correlationId).toBe("req-1");
    const { userTasks } = await client.getUserTasksForCorrelation(manager, "req-1");
    expect(userTasks.map((t) => t.key)).toEqual(["Decide"]);
    const task = userTasks[0] as (typeof userTasks)[number];
    expect(
      await client.finishUserTask(manager, "Approval", "req-1", task.id, { formFields: { approved: true } }),
    ).toBeUndefined();
    expect(await client.getProcessResultForCorrelation(manager, "Approval", "req-1")).toMatchObject({
      endEventKey: "Decided",
      result: { formFields: { approved: true } },
    });
  });

  it("waits for callback 2 while another call triggers the event", async () => {
    const waiting = client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "inv-1" }, 2);
    let eventId: string | undefined;
    while (!eventId) {
      eventId = (await client.getEventsForCorrelation(clerk, "inv-1").catch(() => ({ events: [] }))).events[0]
        ?.eventId;
    }
    expect(await client.triggerEvent(clerk, "Payment", "inv-1", eventId, { amount: 3 })).toBeUndefined();
    expect(await waiting).toMatchObject({ endEventKey: "Paid", tokenPayload: { amount: 3 } });
  });

  it("maps every error status back to the contract's class with the same status, title and detail", async () => {
    await expectSameError(
      () => client.getProcessModels(nobody),
      () => backend.internal.getProcessModels(nobody),
      UnauthorizedError,
    );
    await expectSameError(
      () => client.getProcessModelByKey(clerk, "Nope"),
      () => backend.internal.getProcessModelByKey(clerk, "Nope"),
      NotFoundError,
    );
    await client.startProcessInstance(clerk, "Approval", "Requested", { correlationId: "req-2" });
    const task = (await client.getUserTasksForCorrelation(manager, "req-2")).userTasks[0];
    await expectSameError(
      () =>
        client.finishUserTask(clerk, "Approval", "req-2", task?.id as string, {
          formFields: { approved: true },
        }),
      () =>
        backend.internal.finishUserTask(clerk, "Approval", "req-2", task?.id as string, {
          formFields: { approved: true },
        }),
      ForbiddenError,
    );
    await expectSameError(
      () => client.getProcessResultForCorrelation(manager, "Approval", "req-2"),
      () => backend.internal.getProcessResultForCorrelation(manager, "Approval", "req-2"),
      ConflictError,
    );
    await expectSameError(
      () => client.startProcessInstance(clerk, "Failing", "Go", { correlationId: "f-1" }, 2),
      () => backend.internal.startProcessInstance(clerk, "Failing", "Go", { correlationId: "f-2" }, 2),
      InternalServerError,
      false, // the detail names the (different) instance
    );
    expect((await rejection(client.startProcessInstance(clerk, "Failing", "Go", {}, 2))).detail).toContain(
      "out of stock",
    );
    // The transport phrases validation itself (naming the query field), so only the class must match.
    await expectSameError(
      () => client.startProcessInstance(clerk, "Payment", "Invoiced", undefined, 7 as never),
      () => backend.internal.startProcessInstance(clerk, "Payment", "Invoiced", undefined, 7 as never),
      BadRequestError,
      false,
    );
    await expectSameError(
      () =>
        client.finishUserTask(manager, "Approval", "req-2", task?.id as string, {
          formFields: { approved: "y" },
        }),
      () =>
        backend.internal.finishUserTask(manager, "Approval", "req-2", task?.id as string, {
          formFields: { approved: "y" },
        }),
      BadRequestError,
    );
  });

  it("rejects an empty key and a context without a usable token locally, like the server would", async () => {
    expect(await rejection(client.getProcessModelByKey(clerk, ""))).toBeInstanceOf(BadRequestError);
    expect(await rejection(client.getProcessModels({ identity: "" }))).toBeInstanceOf(UnauthorizedError);
    expect(await rejection(client.getProcessModels({ identity: "a b\r\nX: y" }))).toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it("uses an injected fetch, with the same answers and errors", async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const viaFetch = createExternalConsumerApi({ baseUrl: `${backend.server.url}/`, fetch: counting });
    try {
      expect(await viaFetch.getProcessModels(manager)).toEqual(await client.getProcessModels(manager));
      expect(await rejection(viaFetch.getProcessModelByKey(clerk, "Nope"))).toBeInstanceOf(NotFoundError);
      expect(calls).toBe(2);
    } finally {
      await viaFetch.close();
    }
  });

  it("sends again on a fresh connection when the pooled one was closed by a server restart", async () => {
    await client.getProcessModels(clerk);
    await backend.restart();
    expect(await client.getProcessModels(manager)).toEqual(await backend.internal.getProcessModels(manager));
  });

  it("raises a TransportError when nothing listens", async () => {
    const port = await freePort();
    for (const options of [{}, { fetch }]) {
      const offline = createExternalConsumerApi({ baseUrl: `http://127.0.0.1:${port}`, ...options });
      const error = await rejection(offline.getProcessModels(clerk));
      expect(error).toBeInstanceOf(TransportError);
      expect(error.message).toContain(`127.0.0.1:${port}`);
      await offline.close();
    }
  });
});

describe("createExternalConsumerApi — notifications", () => {
  it("subscribes, receives notifications for its channel, and unsubscribes", async () => {
    const received: NotificationMessage[] = [];
    const subscription = await client.onSystemEvent(clerk, "Payment", (m) => void received.push(m), {
      correlationId: "n-1",
    });
    expect(subscription.channel).toBe("/process_model/Payment/correlations/n-1/system_events");
    await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "n-1" });
    await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "other" });
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ event_key: "ProcessInstanceStarted", correlation_id: "n-1" });

    await subscription.unsubscribe();
    const witness: NotificationMessage[] = [];
    await client.onSystemEvent(clerk, "Payment", (m) => void witness.push(m), { correlationId: "n-1" });
    await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "n-1" });
    await until(() => witness.length === 1);
    expect(received).toHaveLength(1);
  });

  it("keeps delivering when a callback throws", async () => {
    const received: string[] = [];
    await client.onSignal(clerk, "nothing", () => {});
    await client.onBpmnEvent(clerk, "Payment", "Invoiced", () => {
      throw new Error("consumer bug");
    });
    await client.onBpmnEvent(clerk, "Payment", "Invoiced", (m) => void received.push(m.correlation_id));
    await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "cb-1" });
    await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "cb-2" });
    await until(() => received.length === 2);
    expect(received).toEqual(["cb-1", "cb-2"]);
  });

  it("rejects a subscription with the contract's error: 401 unknown token, 403 lane, 404 unknown element", async () => {
    const cb = () => {};
    await expectSameError(
      () => client.onActivity(clerk, "Approval", "Decide", cb),
      () => backend.internal.onActivity(clerk, "Approval", "Decide", cb),
      ForbiddenError,
    );
    await expectSameError(
      () => client.onBpmnEvent(clerk, "Approval", "Nope", cb),
      () => backend.internal.onBpmnEvent(clerk, "Approval", "Nope", cb),
      NotFoundError,
    );
    await expectSameError(
      () => client.onSignal(nobody, "go", cb),
      () => backend.internal.onSignal(nobody, "go", cb),
      UnauthorizedError,
      false,
    );
    // The clerk's socket is still usable after its errors.
    expect((await client.onSignal(clerk, "go", cb)).channel).toBe("/signals/go/process_notifications");
  });

  it("reconnects after the server drops the socket and resubscribes what was subscribed", async () => {
    const received: string[] = [];
    await client.onSystemEvent(clerk, "Payment", (m) => void received.push(m.correlation_id));
    await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "before" });
    await until(() => received.includes("before"));

    await backend.restart();
    // A read first: it is safe to send again on a fresh connection if the pooled one died with the old
    // server, where a start (a POST) is never sent twice and would fail instead.
    await client.getProcessModels(clerk);
    // Notifications resume once the client has reconnected and resubscribed; the server cannot tell us when,
    // so keep starting instances until one is delivered.
    for (let i = 0; !received.includes(`after-${i - 1}`); i++) {
      await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: `after-${i}` });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received[0]).toBe("before");
  });

  it("authenticates with the first frame when the WebSocket cannot send headers (browser entry)", async () => {
    const authorizations: (string | undefined)[] = [];
    backend.server.server.on("upgrade", (req) => authorizations.push(req.headers.authorization));
    // A WHATWG-style constructor (url, protocols) — the shape browsers offer, without header support.
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
      }
    }
    const browser = createBrowserClient({
      baseUrl: backend.server.url,
      fetch,
      WebSocket: BrowserLikeWebSocket,
    });
    try {
      const received: string[] = [];
      await browser.onSystemEvent(clerk, "Payment", (m) => void received.push(m.correlation_id));
      await browser.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "b-1" });
      await until(() => received.length === 1);
      expect(authorizations).toEqual([undefined]);
      expect(await rejection(browser.onSignal(nobody, "go", () => {}))).toBeInstanceOf(UnauthorizedError);
    } finally {
      await browser.close();
    }
  });

  it("opens one socket per identity token, and none before the first subscription", async () => {
    const upgrades: (string | undefined)[] = [];
    backend.server.server.on("upgrade", (req) => upgrades.push(req.headers.authorization));
    await client.getProcessModels(clerk);
    expect(upgrades).toEqual([]);
    await client.onSignal(clerk, "a", () => {});
    await client.onSignal(clerk, "b", () => {});
    await client.onSignal(manager, "a", () => {});
    expect(upgrades.sort()).toEqual(["Bearer clerk-token", "Bearer manager-token"]);
  });

  it("closes an identity's socket once its last subscription is gone, and opens a new one when needed", async () => {
    const sockets: Duplex[] = [];
    backend.server.server.on("upgrade", (_req, socket: Duplex) => sockets.push(socket));
    const first = await client.onSignal(clerk, "a", () => {});
    const second = await client.onSignal(clerk, "b", () => {});
    expect(sockets).toHaveLength(1);
    const closed = new Promise((resolve) => sockets[0]?.once("close", resolve));
    await first.unsubscribe();
    await second.unsubscribe();
    await closed;
    const received: string[] = [];
    await client.onSystemEvent(clerk, "Payment", (m) => void received.push(m.correlation_id));
    expect(sockets).toHaveLength(2);
    await client.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: "again" });
    await until(() => received.length === 1);
    expect(received).toEqual(["again"]);
  });

  it("rejects a subscription whose frame the server refuses as too large (1009) instead of resending it forever", async () => {
    const small = await startServer({
      api: backend.internal,
      authenticate: (ctx) => backend.internal.authenticate(ctx),
      maxPayload: 512,
    });
    const limited = createExternalConsumerApi({
      baseUrl: small.url,
      reconnect: { initialDelay: 20, maxDelay: 200 },
    });
    try {
      const received: string[] = [];
      await limited.onSystemEvent(clerk, "Payment", (m) => void received.push(m.correlation_id));
      const error = await rejection(limited.onSignal(clerk, "x".repeat(600), () => {}));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.detail).toMatch(/^channel: /);
      // The other subscription lives on (on a new socket).
      for (let i = 0; !received.includes(`big-${i - 1}`); i++) {
        await limited.startProcessInstance(clerk, "Payment", "Invoiced", { correlationId: `big-${i}` });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await limited.close();
      await small.close();
    }
  });

  it("stops everything on close: later subscriptions fail, no reconnect", async () => {
    const upgrades: unknown[] = [];
    backend.server.server.on("upgrade", () => upgrades.push(1));
    await client.onSignal(clerk, "a", () => {});
    await client.close();
    expect(await rejection(client.onSignal(clerk, "a", () => {}))).toBeInstanceOf(TransportError);
    expect(await rejection(client.getProcessModels(clerk))).toBeInstanceOf(TransportError);
    expect(upgrades).toHaveLength(1);
    // Counted on the server that comes back (the listener above was on the one that went away): a client
    // still trying to reconnect would come within its first delays (100 ms, then 200 ms).
    await backend.restart();
    const reconnects: unknown[] = [];
    backend.server.server.on("upgrade", () => reconnects.push(1));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(reconnects).toEqual([]);
  });
});

describe("createExternalConsumerApi — a connection that breaks mid-answer", () => {
  it("raises a TransportError, with the default transport and with an injected fetch", async () => {
    // Headers and half the body, then the connection is cut.
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"processModels":[');
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      for (const options of [{}, { fetch }]) {
        const broken = createExternalConsumerApi({ baseUrl: `http://127.0.0.1:${port}`, ...options });
        const error = await rejection(broken.getProcessModels(clerk));
        expect(error).toBeInstanceOf(TransportError);
        expect(error.message).toContain(`127.0.0.1:${port}`);
        await broken.close();
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
