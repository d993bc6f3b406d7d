// In-process start_to_end and usertask_roundtrip (the bench's own workloads and models), 5 s each, with the
// packages of the tree given, so two trees (e.g. a worktree of an older commit, built) run alternately:
//   node benchmarks/src/side-by-side.mjs <tree>
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

const tree = process.argv[2];
const { openInternalConsumerApi } = await import(`${tree}/packages/client-internal/dist/index.js`);
const { throughput } = await import(`${tree}/benchmarks/src/harness.mjs`);
const models = `${tree}/benchmarks/models`,
  identities = `${tree}/benchmarks/identities.json`;
const context = { identity: "bench-token" };
const opts = { seconds: 5, warmupSeconds: 1, concurrency: 8 };
const out = {};
for (const [name, fn] of [
  [
    "start_to_end",
    (api, ops) =>
      throughput(opts, async (i) => {
        ops.n++;
        const r = await api.startProcessInstance(
          context,
          "ScriptGateway",
          "Start",
          { inputValues: { amount: i % 20 } },
          2,
        );
        if (r.endEventKey === undefined) throw new Error("nf");
      }),
  ],
  [
    "usertask",
    (api, ops) =>
      throughput(opts, async () => {
        ops.n++;
        const { correlationId } = await api.startProcessInstance(context, "Approval", "Start", {});
        const { userTasks } = await api.getUserTasksForCorrelation(context, correlationId);
        await api.finishUserTask(context, "Approval", correlationId, userTasks[0].id, {
          formFields: { approved: true },
        });
        await api.getProcessResultForCorrelation(context, "Approval", correlationId);
      }),
  ],
]) {
  const data = mkdtempSync(join(os.tmpdir(), "side-"));
  const api = await openInternalConsumerApi({ models, data, identities });
  // CPU per operation beside the wall rate: the wall rate of these fsync-bound loops swings ±30 % from run to
  // run with the disk, CPU time per operation much less, so a code regression shows in cpu_us.
  const cpu = process.cpuUsage();
  const ops = { n: 0 };
  out[name] = Math.round(await fn(api, ops));
  const used = process.cpuUsage(cpu);
  out[`${name}.cpu_us`] = Math.round((used.user + used.system) / ops.n);
  await api.close();
  rmSync(data, { recursive: true, force: true });
}
console.log(tree, JSON.stringify(out));
