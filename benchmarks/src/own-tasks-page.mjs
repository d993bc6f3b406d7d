// One metric, side by side: `http.own_user_tasks_100k.page50.p99_ms` (SPEC §9/§10: a page of 50 of the
// caller's own tasks at a random offset over 100,000 waiting) against one or more server programs, e.g. this
// tree's and a copy built before a change:
//   node benchmarks/src/own-tasks-page.mjs [--bin <http-server/dist/bin.js>]…   (default: this tree's)
// Each server gets its own data directory and the same seed; the samples alternate between the servers, so
// load from elsewhere on the machine hits all of them alike. Knobs: BENCH_WAITING (100000), BENCH_SAMPLES (2000).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { percentile, runCount, startServerProgram } from "./harness.mjs";

const WAITING = Number(process.env.BENCH_WAITING ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2000);
const WARMUP = 200;
const PAGE = 50;
const models = new URL("../models", import.meta.url).pathname;
const identities = new URL("../identities.json", import.meta.url).pathname;
const context = { identity: "bench-token" };

const { values } = parseArgs({ options: { bin: { type: "string", multiple: true } } });
const bins = values.bin ?? [new URL("../../packages/http-server/dist/bin.js", import.meta.url).pathname];

const servers = [];
try {
  for (const bin of bins) {
    const data = mkdtempSync(join(os.tmpdir(), "consumer-api-bench-"));
    const server = await startServerProgram(
      ["--models", models, "--identities", identities, "--data", data, "--port", "0", "--quiet"],
      [],
      {},
      bin,
    );
    const api = createExternalConsumerApi({ baseUrl: server.url });
    servers.push({ bin, data, server, api, samples: [] });
    const rate = await runCount({ count: WAITING, concurrency: 64 }, () =>
      api.startProcessInstance(context, "Approval", "Start", {}),
    );
    console.log(`${bin}: seeded ${WAITING} waiting instances (${Math.round(rate)}/s)`);
  }
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const offset = Math.floor(Math.random() * (WAITING / PAGE)) * PAGE;
    for (const s of servers) {
      const t0 = performance.now();
      const { userTasks, totalCount } = await s.api.getWaitingUserTasksByIdentity(context, offset, PAGE);
      const ms = performance.now() - t0;
      if (userTasks.length !== PAGE || totalCount !== WAITING) {
        throw new Error(`${s.bin} offset ${offset}: ${userTasks.length} of ${totalCount}`);
      }
      if (i >= WARMUP) s.samples.push(ms);
    }
  }
  console.log("\n| server | http.own_user_tasks_100k.page50.p99_ms | p50_ms |\n|---|---:|---:|");
  for (const s of servers) {
    const p99 = percentile(s.samples, 99).toFixed(2);
    console.log(`| ${s.bin} | ${p99} | ${percentile(s.samples, 50).toFixed(2)} |`);
  }
  console.log(
    `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
} finally {
  for (const s of servers) {
    await s.api.close();
    await s.server.stop();
    rmSync(s.data, { recursive: true, force: true });
  }
}
