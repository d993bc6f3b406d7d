// The shared external-task worker (contracts' createExternalTaskWorker) over this binding and a real engine:
// lock renewal while a handler runs long, a graceful stop, backoff after failed fetches, what a handler's
// outcome becomes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createExternalTaskWorker, type ExternalTaskApi } from "@consumer-api/contracts";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type InternalConsumerApi, openInternalConsumerApi } from "../src/index.js";
import { as, identitiesFile, modelsDir } from "./helpers.js";

const models = join(modelsDir, "..", "external-models");
let api: InternalConsumerApi;
let data: string;

beforeEach(async () => {
  data = await mkdtemp(join(tmpdir(), "client-internal-worker-"));
  api = await openInternalConsumerApi({ models, data, identities: identitiesFile });
});
afterEach(async () => {
  await api.close();
  await rm(data, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const startWork = (inputValues: unknown = {}) =>
  api.startProcessInstance(as.open, "Work", "Start", { inputValues }, 2);

it("renews the lock while a handler runs longer than it: no other worker gets the task meanwhile", async () => {
  const worker = api.createExternalTaskWorker({ context: as.open, workerId: "slow" });
  let rivalGot = 0;
  let handlerDone = false;
  const handling = new Promise<void>((started) => {
    worker.subscribe(
      "work",
      async () => {
        started();
        await pause(10_000);
        handlerDone = true;
        return { by: "slow" };
      },
      // One at a time: the worker does not poll while busy, so the rival is the only one who could take it.
      // The handler outlasts the lock twice over; the lock is seconds, so a stalled event loop (a loaded
      // machine) does not let it lapse between two renewals.
      { lockDuration: 4_000, longPollingTimeout: 1_000, maxTasks: 1, concurrency: 1 },
    );
  });
  const finished = startWork();
  await handling;
  // Only now: before the worker held the task, a rival could rightly have taken it.
  while (!handlerDone) {
    const { externalTasks } = await api.fetchAndLockExternalTasks(as.open, "rival", "work", 1, 0, 60_000);
    rivalGot += externalTasks.length;
    await pause(100);
  }
  const answer = await finished;
  await worker.stop();
  expect(answer.tokenPayload).toEqual({ by: "slow" });
  expect(rivalGot).toBe(0);
}, 60_000);

it("stop() lets a running handler finish and report, then resolves", async () => {
  const worker = api.createExternalTaskWorker({ context: as.open });
  let release = () => {};
  const started = new Promise<void>((running) => {
    worker.subscribe("work", async () => {
      running();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return { graceful: true };
    });
  });
  const finished = startWork();
  await started;
  let stopped = false;
  const stopping = worker.stop().then(() => {
    stopped = true;
  });
  await pause(50);
  expect(stopped).toBe(false);
  release();
  await stopping;
  expect((await finished).tokenPayload).toEqual({ graceful: true });
});

it("a handler's undefined is a null result; its Error a service error; its BpmnError a BPMN error", async () => {
  const { BpmnError } = await import("../src/index.js");
  const worker = api.createExternalTaskWorker({ context: as.open });
  worker.subscribe("work", (task) => {
    const kind = (task.payload as { kind: string }).kind;
    if (kind === "error") throw new Error("card API down");
    if (kind === "bpmn") throw new BpmnError("declined");
    return undefined;
  });
  try {
    expect((await startWork({ kind: "none" })).tokenPayload).toBeNull();
    await expect(startWork({ kind: "error" })).rejects.toMatchObject({
      status: 500,
      detail: expect.stringContaining("card API down"),
    });
    await expect(startWork({ kind: "bpmn" })).rejects.toMatchObject({
      status: 500,
      detail: expect.stringContaining("declined"),
    });
  } finally {
    await worker.stop();
  }
});

it("backs off after failed fetches and carries on; the errors go to onError", async () => {
  let failures = 3;
  const flaky: ExternalTaskApi = {
    ...api,
    fetchAndLockExternalTasks: (...args) => {
      if (failures-- > 0) return Promise.reject(new Error("network down"));
      return api.fetchAndLockExternalTasks(...args);
    },
  };
  const errors: unknown[] = [];
  const worker = createExternalTaskWorker(flaky, {
    context: as.open,
    backoff: { initialMs: 10, maxMs: 40 },
    onError: (error) => errors.push(error),
  });
  worker.subscribe("work", () => ({ ok: true }));
  try {
    expect((await startWork()).tokenPayload).toEqual({ ok: true });
    expect(errors.map((error) => (error as Error).message)).toEqual([
      "network down",
      "network down",
      "network down",
    ]);
  } finally {
    await worker.stop();
  }
});
