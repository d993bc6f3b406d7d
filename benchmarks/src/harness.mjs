// Small measuring helpers shared by every metric.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Runs `work(i)` in `concurrency` loops: first for `warmupSeconds` (not counted: JIT, caches, connection
 * pools), then for `seconds`; answers operations per second of the measured part.
 */
export async function throughput({ seconds, concurrency, warmupSeconds = 0 }, work) {
  let next = 0;
  const phase = async (duration) => {
    const deadline = performance.now() + duration * 1000;
    let done = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          await work(next++);
          done++;
        }
      }),
    );
    return done / ((performance.now() - started) / 1000);
  };
  if (warmupSeconds > 0) await phase(warmupSeconds);
  return phase(seconds);
}

/** Runs `work(i)` for i in [0, count) with `concurrency` loops; answers operations per second. */
export async function runCount({ count, concurrency }, work) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resident set size (now and peak) of a process in MB, from /proc. */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

/** Rejects when `promise` takes longer than `ms`, so a lost message fails the run instead of hanging it. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The profiling aids' Node options for the server programs: SERVER_NODE_OPTIONS, split at spaces. */
export const serverNodeOptions = () => (process.env.SERVER_NODE_OPTIONS ?? "").split(" ").filter(Boolean);

/** Starts the server program and resolves once it printed its base URL. */
export function startServerProgram(
  args,
  nodeArgs = [],
  env = {},
  bin = new URL("../../packages/http-server/dist/bin.js", import.meta.url).pathname,
) {
  const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
      if (url) resolve({ child, url, stop: () => stopChild(child) });
    });
    child.once("exit", (code) =>
      reject(new Error(`server program exited (${code}) before listening: ${out}`)),
    );
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

// ---- the workloads, one operation each: the bench and the profiling aids run the same calls ----------------

export const BENCH_CONTEXT = { identity: "bench-token" };
/** Callback type 2: the start is answered once the instance finished. */
export const CALLBACK_FINISHED = 2;

/** start → script → exclusive gateway → end, answered once the instance finished (callback type 2). */
export async function startToEndOnce(api, i) {
  const result = await api.startProcessInstance(
    BENCH_CONTEXT,
    "ScriptGateway",
    "Start",
    { inputValues: { amount: i % 20 } },
    CALLBACK_FINISHED,
  );
  if (result.endEventKey === undefined) throw new Error(`not finished: ${JSON.stringify(result)}`);
}

/** One user-task round trip on Approval: start (callback 1), list, finish, result. */
export async function userTaskRoundTripOnce(api) {
  const { correlationId } = await api.startProcessInstance(BENCH_CONTEXT, "Approval", "Start", {});
  const { userTasks } = await api.getUserTasksForCorrelation(BENCH_CONTEXT, correlationId);
  await api.finishUserTask(BENCH_CONTEXT, "Approval", correlationId, userTasks[0].id, {
    formFields: { approved: true },
  });
  await api.getProcessResultForCorrelation(BENCH_CONTEXT, "Approval", correlationId);
}

/** One ConsumerApi whose every call goes to the next of `apis` in turn (a round-robin balancer). */
export function spread(apis) {
  if (apis.length === 1) return apis[0];
  let next = 0;
  return new Proxy(apis[0], {
    get(_target, name) {
      const api = apis[next++ % apis.length];
      const member = api[name];
      return typeof member === "function" ? member.bind(api) : member;
    },
  });
}

/**
 * The data strings of `nodes` server programs on a test PostgreSQL: one fresh database `name` for all, or
 * (`apart`) a fresh one each — the same programs with no cluster at all.
 */
export async function pgDatabases(postgres, name, nodes, apart = false) {
  const shared = await postgres.createDatabase(name);
  const datas = [shared];
  while (datas.length < nodes)
    datas.push(apart ? await postgres.createDatabase(`${name}_${datas.length}`) : shared);
  return datas;
}
