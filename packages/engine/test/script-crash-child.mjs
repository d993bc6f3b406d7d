// Run by script-jobs.test.ts: opens the BUILT engine on a data dir, starts an instance whose script runs for
// a while, prints "spinning <instance id>" once its script job is committed, and waits to be SIGKILLed.
import { writeSync } from "node:fs";
import { openEngine } from "../dist/index.js";

const [models, data] = process.argv.slice(2);
const engine = await openEngine({ models, data });
// A short script first, so a worker has booted and the long one is waited for in place, then becomes a job.
await engine.start({ processModelKey: "ScriptChain", startEventKey: "Start", inputValues: { steps: [] } });
engine.on((event) => {
  if (event.type === "activity.started" && event.flowNodeKey === "Spin") {
    writeSync(1, `spinning ${event.processInstanceId}\n`);
  }
});
await engine.start({
  processModelKey: "LongScript",
  startEventKey: "Start",
  correlationId: "crash",
  inputValues: { until: Date.now() + 3000 },
});
writeSync(1, "finished before the kill\n");
