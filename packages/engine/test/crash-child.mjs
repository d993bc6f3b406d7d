// Run by durability.test.ts: opens the BUILT engine on a data dir and performs starts and finishes in a loop,
// printing one line per acknowledged (committed) operation, until the parent SIGKILLs it.
import { writeSync } from "node:fs";
import { openEngine } from "../dist/index.js";

const [models, data] = process.argv.slice(2);
const engine = await openEngine({ models, data });
const say = (line) => writeSync(1, `${line}\n`);
say("ready");

const unfinished = [];
for (let round = 0; ; round++) {
  // Several operations per round share one commit (group commit) — the kill may hit one mid-flight.
  const starts = [0, 1, 2].map(async (n) => {
    const correlationId = `crash-${round}-${n}`;
    const { instance } = await engine.start({
      processModelKey: "Crash",
      startEventKey: "Start",
      correlationId,
    });
    const [task] = await engine.listUserTasks({ correlationId });
    say(`started ${instance.processInstanceId} ${task.id}`);
    unfinished.push({ instanceId: instance.processInstanceId, taskId: task.id });
  });
  const finishes = unfinished.splice(0, 2).map(async ({ instanceId, taskId }) => {
    // Announced before: a finish that committed but was killed before its acknowledgement is legitimate.
    say(`finishing ${instanceId} ${taskId}`);
    await engine.finishUserTask(taskId, { formFields: { round } });
    say(`finished ${instanceId} ${taskId}`);
  });
  const timer =
    round % 3 === 0
      ? engine.start({ processModelKey: "LongTimer", startEventKey: "Start" }).then(({ instance }) => {
          say(`timer ${instance.processInstanceId}`);
        })
      : undefined;
  await Promise.all([...starts, ...finishes, timer]);
}
