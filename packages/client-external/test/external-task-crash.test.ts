// SPEC §13 exactly once under worker crashes: 4 worker processes (the client's worker API over HTTP) work off
// 200 external tasks while the test SIGKILLs workers in the middle of a task and starts replacements. Every
// task is completed exactly once: each instance finishes once, with the result of one worker that ran its
// handler, and the tasks a killed worker held are completed by another worker after the lock expired.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { createExternalConsumerApi } from "../src/node.js";
import { type Backend, startBackend } from "./support/server.js";

const TASKS = 200;
const WORKERS = 4;
const KILLS = 8;
const script = fileURLToPath(new URL("./support/crash-worker.mjs", import.meta.url));
const clerk = { identity: "clerk-token" };

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  /** Tasks whose handler began and has not returned. */
  inFlight: Set<string>;
  killed: boolean;
}

let backend: Backend | undefined;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await backend?.dispose();
});

it("4 workers × 200 tasks, workers killed mid-task: every task completed exactly once", async () => {
  backend = await startBackend();
  const api = createExternalConsumerApi({ baseUrl: backend.server.url });
  const correlations: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const { correlationId } = await api.startProcessInstance(clerk, "ExternalWork", "Start", {
      correlationId: `crash-${i}`,
    });
    correlations.push(correlationId);
  }

  const handledBy = new Map<string, Set<string>>();
  /** Tasks whose handler was running in a worker when it was killed: the workers killed on them. */
  const interrupted = new Map<string, string[]>();
  const workers: WorkerProcess[] = [];
  let spawned = 0;
  const spawnWorker = async () => {
    const id = `crash-worker-${++spawned}`;
    const child = spawn(process.execPath, [script, backend?.server.url as string, id], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const worker: WorkerProcess = { id, child, inFlight: new Set(), killed: false };
    workers.push(worker);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    await new Promise<void>((resolve) => {
      lines.on("line", (line) => {
        const [what, taskId] = line.split(" ") as [string, string];
        if (what === "ready") resolve();
        if (what === "begin") {
          worker.inFlight.add(taskId);
          const by = handledBy.get(taskId) ?? new Set();
          by.add(id);
          handledBy.set(taskId, by);
        }
        if (what === "end") worker.inFlight.delete(taskId);
      });
    });
  };
  await Promise.all(Array.from({ length: WORKERS }, spawnWorker));

  // Kill a worker whenever one is in the middle of a task, until KILLS kills; each gets a replacement.
  let kills = 0;
  while (kills < KILLS) {
    const busy = workers.find((worker) => !worker.killed && worker.inFlight.size > 0);
    if (!busy) {
      if (handledBy.size >= TASKS) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    busy.killed = true;
    for (const taskId of busy.inFlight)
      interrupted.set(taskId, [...(interrupted.get(taskId) ?? []), busy.id]);
    busy.child.kill("SIGKILL");
    kills++;
    void spawnWorker();
  }

  // Every instance finishes; its result names one worker that ran the handler of its task.
  const results = new Map<string, { by: string; taskId: string; correlationId: string }>();
  while (results.size < TASKS) {
    for (const correlationId of correlations) {
      if (results.has(correlationId)) continue;
      try {
        const answer = await api.getProcessResultForCorrelation(clerk, "ExternalWork", correlationId);
        results.set(correlationId, answer.result as { by: string; taskId: string; correlationId: string });
      } catch (error) {
        if ((error as { status?: number }).status !== 409) throw error;
      }
    }
    if (results.size < TASKS) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(kills).toBeGreaterThan(0);
  expect(interrupted.size).toBeGreaterThan(0);
  for (const [correlationId, result] of results) {
    expect(result.correlationId).toBe(correlationId);
    expect(
      handledBy.get(result.taskId)?.has(result.by),
      `${result.by} ran the handler of ${result.taskId}`,
    ).toBe(true);
  }
  expect(new Set([...results.values()].map((result) => result.taskId)).size).toBe(TASKS);
  // A lock is held by one worker at a time: no task ran in two workers that both lived through it (its lock
  // outlasts the handler, and is renewed while it runs).
  for (const [taskId, by] of handledBy) {
    const alive = [...by].filter((id) => !workers.find((worker) => worker.id === id)?.killed);
    expect(alive.length, `task ${taskId} handled by ${[...by].join(", ")}`).toBeLessThanOrEqual(1);
  }
  const { userTasks } = await api.getUserTasksForProcessModel(clerk, "ExternalWork");
  expect(userTasks).toEqual([]);
  // No task is left to fetch: every one was completed, none is waiting any more.
  const leftover = await api.fetchAndLockExternalTasks(clerk, "checker", "work", 100, 0, 1000);
  expect(leftover.externalTasks).toEqual([]);
  // Tasks interrupted by a kill were completed by another worker, which could lock them only once the killed
  // worker's lock had expired. (A kill can land just after a handler printed "end" and its finish went out,
  // so an interrupted task may also have been finished by the killed worker itself — not all of them.)
  const resultOfTask = new Map([...results.values()].map((result) => [result.taskId, result]));
  const takenOver = [...interrupted].filter(
    ([taskId, killedIn]) => !killedIn.includes(resultOfTask.get(taskId)?.by as string),
  );
  expect(takenOver.length).toBeGreaterThan(0);
  for (const worker of workers) if (!worker.killed) worker.child.kill("SIGTERM");
  await api.close();
}, 300_000);
