// Bad input over every route of the contracts' table (SPEC §3): never a 5xx, always problem+json, the server
// keeps serving, memory stays bounded, no prototype is polluted, and a 64 MiB body is refused unread.

import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { type InternalConsumerApi, openInternalConsumerApi } from "@consumer-api/client-internal";
import {
  API_PREFIX,
  buildPath,
  NOTIFICATIONS_PATH,
  PROBLEM_CONTENT_TYPE,
  routes,
} from "@consumer-api/contracts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type RunningServer, startServer } from "../../src/index.js";
import {
  type EventListBody,
  eventsOf,
  models,
  type StartAnswer,
  start,
  type TaskList,
  tasksOf,
} from "./support/api-calls.js";
import {
  type ArbitraryRequest,
  arbitraryRequest,
  assertProperty,
  POLLUTING,
  type RawAnswer,
  send,
} from "./support/arbitrary-requests.js";
import { auth, type Program, reliabilityFixtures, rssOf, Sandbox } from "./support/program.js";

const MiB = 1024 * 1024;
const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());

/** The property every answer has, whatever was sent. */
function checkAnswer(r: ArbitraryRequest, answer: RawAnswer): void {
  const where = `${r.method} ${r.path.slice(0, 200)} → ${answer.status} ${answer.body.slice(0, 300)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  expect(answer.status, where).toBeLessThan(500);
  if (!r.validToken) expect(answer.status, where).toBeGreaterThanOrEqual(400);
  if (answer.status >= 400 && r.method !== "HEAD") {
    expect(answer.headers["content-type"], where).toBe(PROBLEM_CONTENT_TYPE);
    const problem = JSON.parse(answer.body) as { status: unknown; title: unknown; detail: unknown };
    expect(problem.status, where).toBe(answer.status);
    expect(typeof problem.title, where).toBe("string");
    expect(typeof problem.detail, where).toBe("string");
  }
}

/** A 413 may also end in a closed connection: the server stops reading an oversized body. */
async function sendAndCheck(url: string, r: ArbitraryRequest): Promise<void> {
  let answer: RawAnswer;
  try {
    answer = await send(url, r);
  } catch (error) {
    if (Buffer.byteLength(r.body ?? "") > MiB && (error as NodeJS.ErrnoException).code !== undefined) return;
    throw error;
  }
  checkAnswer(r, answer);
}

async function healthy(url: string): Promise<void> {
  const response = await fetch(url + buildPath(routes.getProcessModels, {}), { headers: auth });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

describe("in process (startServer on the real api)", () => {
  let api: InternalConsumerApi;
  let server: RunningServer;
  const errors: unknown[] = [];
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    api = await openInternalConsumerApi({
      models: reliabilityFixtures.models,
      data: await sandbox.tempDir(),
      identities: reliabilityFixtures.identities,
    });
    server = await startServer({
      api,
      authenticate: (context) => api.authenticate(context),
      onError: (error) => errors.push(error),
    });
  });
  afterAll(async () => {
    await server?.close();
    await api?.close();
  });

  it("answers every arbitrary request with 2xx or a 4xx problem, and keeps serving", async () => {
    await assertProperty(
      fc.asyncProperty(arbitraryRequest, async (r) => {
        await sendAndCheck(server.url, r);
        await healthy(server.url);
      }),
      300,
    );
    // Nothing reached the generic 500 path.
    expect(errors).toEqual([]);
  });

  it("answers hostile bodies on every route that takes one with 4xx or 2xx, deep nesting with 400 naming the field", async () => {
    const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    const tooDeep = [
      deep(100_000),
      `{"inputValues":${deep(100_000)}}`,
      `{"formFields":{"n":${deep(100_000)}}}`,
      `{"inputValues":${deep(5000)}}`,
      `${`{"a":`.repeat(50_000)}1${"}".repeat(50_000)}`,
    ];
    const hostile = [
      ...tooDeep,
      "[".repeat(100_000),
      ...POLLUTING,
      `{"inputValues":"${"x".repeat(900_000)}"}`,
      `{"formFields":{"n":"${"x".repeat(900_000)}"}}`,
    ];
    for (const body of hostile) {
      // Fresh waiting instances for each body: a valid one may well finish the task or trigger the event.
      const review = await start(server.url, models.review, {});
      const waiting = await start(server.url, models.await, {});
      const { correlationId: rc } = review.body as StartAnswer;
      const { correlationId: ac } = waiting.body as StartAnswer;
      const [task] = ((await tasksOf(server.url, rc)).body as TaskList).userTasks;
      const [event] = ((await eventsOf(server.url, ac)).body as EventListBody).events;
      const targets = [
        buildPath(routes.startProcessInstance, {
          process_model_key: models.review.key,
          start_event_key: models.review.start,
        }),
        buildPath(routes.finishUserTask, {
          process_model_key: models.review.key,
          correlation_id: rc,
          user_task_id: task?.id ?? "",
        }),
        buildPath(routes.triggerEvent, {
          process_model_key: models.await.key,
          correlation_id: ac,
          event_id: event?.eventId ?? "",
        }),
      ];
      for (const path of targets) {
        const r: ArbitraryRequest = {
          method: "POST",
          path,
          headers: {
            ...auth,
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
          },
          body,
          validToken: true,
        };
        const answer = await send(server.url, r);
        checkAnswer(r, answer);
        if (tooDeep.includes(body)) {
          expect(answer.status).toBe(400);
          expect((JSON.parse(answer.body) as { detail: string }).detail).toMatch(
            /^body(\.formFields\.n|\.inputValues|\.a)?(\.0|\.a)*…?: nested deeper than 1000 levels/,
          );
        }
      }
    }
    expect(errors).toEqual([]);
  });

  it("answers hostile WebSocket frames with error frames and keeps the socket serving", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}${API_PREFIX}${NOTIFICATIONS_PATH}`, {
      headers: auth,
    });
    await once(ws, "open");
    const frames: { type: string; id?: string | null; status?: number; detail?: string }[] = [];
    ws.on("message", (data) => frames.push(JSON.parse(String(data))));
    const hostile = [
      "[".repeat(30_000) + "]".repeat(30_000),
      `{"type":"subscribe","id":"deep","channel":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
      '{"type":"subscribe","id":"p","channel":"/signals/s/process_notifications","__proto__":{"polluted":1}}',
      '{"__proto__":{"type":"subscribe"},"id":"q"}',
      '{"type":"constructor","id":"r"}',
      "not json",
      "",
      `{"type":"subscribe","id":"${"i".repeat(30_000)}","channel":"%%"}`,
    ];
    for (const frame of hostile) ws.send(frame);
    ws.send(JSON.stringify({ type: "subscribe", id: "ok", channel: "/signals/s/process_notifications" }));
    while (!frames.some((f) => f.type === "subscribed" && f.id === "ok")) await once(ws, "message");
    ws.close();
    const errors = frames.filter((f) => f.type === "error");
    // Every hostile frame is an error frame, none a 5xx; a subscribe carrying a __proto__ key too, since frames
    // are strict (SPEC Part two) and "__proto__" is a key the frame does not define.
    expect(errors.length).toBe(hostile.length);
    expect(errors.find((f) => f.id === "p")?.detail).toContain("frame.__proto__");
    for (const error of errors) expect(error.status).toBe(400);
    expect(errors.find((f) => f.id === "deep")?.detail).toMatch(
      /^frame\.channel(\.0)*…?: nested deeper than 1000 levels/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("lets no body pollute a prototype", () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Object.getOwnPropertyNames(Array.prototype)).not.toContain("polluted");
  });
});

describe("the server program", () => {
  let program: Program;
  beforeAll(async () => {
    program = await sandbox.start(await sandbox.tempDir());
  });

  it("stays within a generous memory bound after many arbitrary requests", async () => {
    const pid = program.child.pid as number;
    await assertProperty(
      fc.asyncProperty(arbitraryRequest, async (r) => {
        await sendAndCheck(program.url, r);
      }),
      150,
    );
    await healthy(program.url);
    expect(await rssOf(pid)).toBeLessThan(512 * MiB);
  });

  it("refuses a 64 MiB body with 413 without buffering it, declared or streamed", async () => {
    const pid = program.child.pid as number;
    const path = buildPath(routes.startProcessInstance, {
      process_model_key: models.review.key,
      start_event_key: models.review.start,
    });
    const before = await rssOf(pid);
    const { hostname, port } = new URL(program.url);

    // Declared: refused from the Content-Length alone, before a byte of the body is sent.
    const declared = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth.authorization}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${64 * MiB}\r\n\r\n`,
        ),
      );
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk.toString("latin1");
        if (received.includes("}")) socket.destroy();
      });
      socket.on("error", () => {});
      socket.on("close", () => resolve(received));
    });
    expect(declared.startsWith("HTTP/1.1 413 ")).toBe(true);
    expect(declared.toLowerCase()).toContain(`content-type: ${PROBLEM_CONTENT_TYPE}`);

    // Streamed (chunked, no length): the server stops reading at the limit, answers 413 and closes; a client
    // still writing may see the close (EPIPE/ECONNRESET) before it reads the answer.
    const chunk = Buffer.alloc(MiB, 0x20);
    const streamed = await new Promise<number | string>((resolve) => {
      const req = request({
        host: hostname,
        port: Number(port),
        method: "POST",
        path,
        agent: false,
        headers: { ...auth, "content-type": "application/json" },
      });
      let settled = false;
      req.on("response", (res) => {
        settled = true;
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (!settled) resolve(error.code ?? error.message);
        settled = true;
      });
      void (async () => {
        for (let sent = 0; sent < 64 && !settled && !req.destroyed; sent++) {
          if (!req.write(chunk)) await new Promise((done) => req.once("drain", done).once("close", done));
        }
        if (!settled && !req.destroyed) req.end();
      })();
    });
    expect([413, "EPIPE", "ECONNRESET"]).toContain(streamed);

    await healthy(program.url);
    // A 64 MiB body went by; the server held at most about one body limit (1 MiB) of it.
    expect((await rssOf(pid)) - before).toBeLessThan(32 * MiB);
  });
});
