// The configurable limits of the server program (SECURITY.md), set through its options and environment.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { API_PREFIX, buildPath, NOTIFICATIONS_PATH, routes } from "@consumer-api/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { finish, models, type StartAnswer, start, type TaskList, tasksOf } from "./support/api-calls.js";
import { auth, type Program, Sandbox } from "./support/program.js";
import { slowRequest } from "./support/slow-client.js";

const sandbox = new Sandbox();
let program: Program;

beforeAll(async () => {
  const data = await sandbox.tempDir();
  program = await sandbox.start(
    data,
    [
      "--headers-timeout",
      "6000",
      "--body-timeout",
      "12000",
      "--body-limit",
      "1000",
      "--max-json-depth",
      "10",
      "--ws-max-payload",
      "1024",
      "--ws-max-subscriptions",
      "2",
    ],
    // Two limits through their environment variables instead. The timeouts are generous so that a loaded
    // machine gets every ordinary request (and script) in within them; the slow clients below drip slowly
    // enough to outlast them however late their drips come.
    { CONSUMER_API_BODY_IDLE_TIMEOUT: "5000", CONSUMER_API_SCRIPT_TIMEOUT: "5000" },
  );
});
afterAll(() => sandbox.cleanup());

const startPath = buildPath(routes.startProcessInstance, {
  process_model_key: models.review.key,
  start_event_key: models.review.start,
});

function postHead(path: string, contentLength: number): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth.authorization}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`
  );
}

function expectProblem(raw: string, status: number): void {
  expect(raw.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
  expect(raw.toLowerCase()).toContain("content-type: application/problem+json");
  const body = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)) as { status: number };
  expect(body.status).toBe(status);
}

describe("slowloris", () => {
  it("cuts off a client that sends its headers one byte at a time (408, problem+json)", async () => {
    const result = await slowRequest(
      program.url,
      `GET ${API_PREFIX}/process_models HTTP/1.1\r\nHost: x\r\n`,
      {
        // 400 drips over 24 s or more: well past the headers timeout (cut within 1.5 periods), below 16 KiB.
        drip: "X-Slow: aaaaaaaaaaaaaaaaaaaa\r\n",
        everyMs: 60,
        maxDrips: 400,
      },
    );
    expect(result.closedByServer).toBe(true);
    expect(result.dripsSent).toBeLessThan(400);
    expectProblem(result.response, 408);
  });

  it("cuts off a body that stalls (idle timeout, from CONSUMER_API_BODY_IDLE_TIMEOUT)", async () => {
    const result = await slowRequest(program.url, `${postHead(startPath, 100)}{"inputValues":`, {
      everyMs: 50,
      maxDrips: 0,
    });
    expect(result.closedByServer).toBe(true);
    expectProblem(result.response, 408);
  });

  it("cuts off a body that trickles forever (total body timeout)", async () => {
    // A byte every 30 ms never trips the 5 s idle timeout; 880 of them outlast the 12 s body timeout, which ends it.
    const result = await slowRequest(program.url, `${postHead(startPath, 900)}{"inputValues":"`, {
      everyMs: 30,
      maxDrips: 880,
    });
    expect(result.closedByServer).toBe(true);
    expect(result.dripsSent).toBeLessThan(880);
    expectProblem(result.response, 408);
  });

  it("keeps a callback-2 start waiting longer than every timeout, and keeps serving", async () => {
    // The start waits on a user task, finished only once a stalled body and a trickling one were cut off
    // by the idle and the total body timeout: the wait provably outlasted both, and the headers timeout.
    const correlationId = `outlasts-${randomUUID()}`;
    const waiting = start(
      program.url,
      models.review,
      { correlationId, inputValues: { waited: true } },
      { startCallbackType: "2" },
    );
    const [stalled, trickled] = await Promise.all([
      slowRequest(program.url, `${postHead(startPath, 100)}{"inputValues":`, {
        everyMs: 50,
        maxDrips: 0,
        giveUpAfterDrips: 2000,
      }),
      slowRequest(program.url, `${postHead(startPath, 900)}{"inputValues":"`, { everyMs: 30, maxDrips: 880 }),
    ]);
    expect(stalled.closedByServer && trickled.closedByServer).toBe(true);
    let tasks = (await tasksOf(program.url, correlationId)).body as TaskList;
    while (tasks.userTasks.length === 0) tasks = (await tasksOf(program.url, correlationId)).body as TaskList;
    const finished = await finish(program.url, correlationId, tasks.userTasks[0]?.id ?? "", 1);
    expect(finished.status).toBe(204);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect((answer.body as StartAnswer).endEventKey).toBe(models.review.end);
  });
});

describe("sizes", () => {
  it("answers 413 to a body above --body-limit", async () => {
    const answer = await start(program.url, models.review, { inputValues: "x".repeat(2000) });
    expect(answer.status).toBe(413);
    expect(answer.contentType).toBe("application/problem+json");
  });

  it("answers 400 naming the field for JSON nested deeper than --max-json-depth", async () => {
    const nested = (depth: number) => JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown;
    const tooDeep = await start(program.url, models.review, { inputValues: nested(10) });
    expect(tooDeep.status).toBe(400);
    expect((tooDeep.body as { detail: string }).detail).toMatch(
      /^body\.inputValues(\.0)+…?: nested deeper than 10 levels/,
    );
    // The object itself is one level: inputValues may hold nine.
    const deepEnough = await start(program.url, models.review, { inputValues: nested(9) });
    expect(deepEnough.status).toBe(200);
  });

  it("closes a WebSocket whose message exceeds --ws-max-payload (1009)", async () => {
    const ws = new WebSocket(program.url.replace("http", "ws") + API_PREFIX + NOTIFICATIONS_PATH, {
      headers: auth,
    });
    await once(ws, "open");
    const closed = once(ws, "close");
    ws.send(
      JSON.stringify({
        type: "subscribe",
        id: "x".repeat(2000),
        channel: "/signals/s/process_notifications",
      }),
    );
    const [code] = (await closed) as [number];
    expect(code).toBe(1009);
  });

  it("refuses a subscription beyond --ws-max-subscriptions (error frame 400)", async () => {
    const ws = new WebSocket(program.url.replace("http", "ws") + API_PREFIX + NOTIFICATIONS_PATH, {
      headers: auth,
    });
    await once(ws, "open");
    const frames: { type: string; id: string | null; status?: number }[] = [];
    ws.on("message", (data) => frames.push(JSON.parse(String(data))));
    for (const id of ["a", "b", "c"]) {
      ws.send(JSON.stringify({ type: "subscribe", id, channel: `/signals/${id}/process_notifications` }));
    }
    while (frames.length < 3) await once(ws, "message");
    ws.close();
    expect(
      frames
        .filter((f) => f.type === "subscribed")
        .map((f) => f.id)
        .sort(),
    ).toEqual(["a", "b"]);
    expect(frames.find((f) => f.type === "error")).toMatchObject({ id: "c", status: 400 });
  });
});

describe("script timeout", () => {
  it("fails an instance whose script outlasts CONSUMER_API_SCRIPT_TIMEOUT, and the engine runs on", async () => {
    const looped = await start(program.url, models.loop, {}, { startCallbackType: "2" });
    expect(looped.status).toBe(500);
    expect(looped.contentType).toBe("application/problem+json");
    const after = await start(program.url, models.review, {});
    expect(after.status).toBe(200);
  });
});

describe("options", () => {
  it("refuses a limit that is not a non-negative integer (exit 2)", async () => {
    const data = await sandbox.tempDir();
    await expect(sandbox.start(data, ["--body-limit", "1e6"])).rejects.toThrow(
      /exited \(2\)[\s\S]*--body-limit must be an integer/,
    );
  });
});
