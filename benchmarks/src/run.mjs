// `pnpm bench`: measures every metric of the performance issue, writes benchmarks/results.json and prints a
// table. Each metric gets fresh state (a new temp data directory) so they do not disturb one another.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { openInternalConsumerApi } from "@consumer-api/client-internal";
import { percentile, rssMb, startServerProgram, throughput } from "./harness.mjs";
import { measure as measurePeer } from "./raw-bpmn-engine.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WAITING = Number(process.env.BENCH_WAITING ?? 100_000);
const models = new URL("../models", import.meta.url).pathname;
const identities = new URL("../identities.json", import.meta.url).pathname;
const context = { identity: "bench-token" };
const CALLBACK_FINISHED = 2;

const metrics = {};
const record = (name, value, unit) => {
  metrics[name] = { value: Math.round(value * 100) / 100, unit };
  console.log(`${name.padEnd(40)} ${String(metrics[name].value).padStart(10)} ${unit}`);
};
const tempDir = () => mkdtempSync(join(os.tmpdir(), "consumer-api-bench-"));

async function startToEnd(api) {
  return throughput({ seconds: SECONDS, concurrency: CONCURRENCY }, (i) =>
    api.startProcessInstance(
      context,
      "ScriptGateway",
      "Start",
      { inputValues: { amount: i % 20 } },
      CALLBACK_FINISHED,
    ),
  );
}

async function userTaskRoundTrip(api) {
  return throughput({ seconds: SECONDS, concurrency: CONCURRENCY }, async () => {
    const { correlationId } = await api.startProcessInstance(context, "Approval", "Start", {});
    const { userTasks } = await api.getUserTasksForCorrelation(context, correlationId);
    await api.finishUserTask(context, "Approval", correlationId, userTasks[0].id, {
      formFields: { approved: true },
    });
    await api.getProcessResultForCorrelation(context, "Approval", correlationId);
  });
}

async function internalMetrics() {
  const data = tempDir();
  const api = await openInternalConsumerApi({ models, data, identities });
  try {
    record("internal.start_to_end.per_s", await startToEnd(api), "instances/s");
    record("internal.usertask_roundtrip.per_s", await userTaskRoundTrip(api), "round trips/s");
  } finally {
    await api.close();
    rmSync(data, { recursive: true, force: true });
  }
}

async function httpMetrics() {
  const data = tempDir();
  const server = await startServerProgram([
    "--models",
    models,
    "--identities",
    identities,
    "--data",
    data,
    "--port",
    "0",
    "--quiet",
  ]);
  const api = createExternalConsumerApi({ baseUrl: server.url });
  try {
    record("http.start_to_end.per_s", await startToEnd(api), "instances/s");
    record("http.usertask_roundtrip.per_s", await userTaskRoundTrip(api), "round trips/s");
    await notificationLatency(api);
    await waitingInstances(api, server);
  } finally {
    await api.close();
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

async function notificationLatency(api) {
  const samples = [];
  let arrived;
  const subscription = await api.onActivity(context, "Approval", "Approve", (message) => {
    if (message.event_key === "finished") arrived?.(performance.now());
  });
  for (let i = 0; i < 300; i++) {
    const { correlationId } = await api.startProcessInstance(context, "Approval", "Start", {});
    const { userTasks } = await api.getUserTasksForCorrelation(context, correlationId);
    const notified = new Promise((resolve) => {
      arrived = resolve;
    });
    await api.finishUserTask(context, "Approval", correlationId, userTasks[0].id, {
      formFields: { approved: true },
    });
    const returned = performance.now();
    // The notification may overtake the HTTP answer; that counts as zero latency.
    samples.push(Math.max(0, (await notified) - returned));
  }
  await subscription.unsubscribe();
  record("notification.p99_ms", percentile(samples, 99), "ms");
}

async function waitingInstances(api, server) {
  const correlations = [];
  await throughput({ seconds: 3600, concurrency: 16 }, async () => {
    if (correlations.length >= WAITING) throw Object.assign(new Error("enough"), { enough: true });
    const slot = correlations.length;
    correlations.push(undefined);
    const { correlationId } = await api.startProcessInstance(context, "Approval", "Start", {});
    correlations[slot] = correlationId;
  }).catch((error) => {
    if (!error.enough) throw error;
  });
  record("waiting_100k.rss_mb", rssMb(server.child.pid), "MB");
  const samples = [];
  for (let i = 0; i < 2000; i++) {
    const correlationId = correlations[Math.floor(Math.random() * correlations.length)];
    const t0 = performance.now();
    await api.getUserTasksForCorrelation(context, correlationId);
    samples.push(performance.now() - t0);
  }
  record("http.list_user_tasks_100k.p99_ms", percentile(samples, 99), "ms");
}

console.log(`ConsumerAPI benchmarks — ${SECONDS}s per throughput metric, concurrency ${CONCURRENCY}\n`);
record(
  "raw_bpmn_engine.start_to_end.per_s",
  await measurePeer({ seconds: SECONDS, concurrency: CONCURRENCY }),
  "instances/s",
);
await internalMetrics();
await httpMetrics();

const cpus = os.cpus();
const results = {
  machine: {
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
  },
  metrics,
};
writeFileSync(
  new URL("./results.json", new URL("..", import.meta.url)),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log("\nwrote benchmarks/results.json");
