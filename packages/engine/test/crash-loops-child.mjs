// Run by durability.test.ts: opens the BUILT engine with call activities, parallel multi-instance user tasks and
// slow multi-instance scripts in flight, printing each acknowledged fact, until the parent SIGKILLs it.
import { writeSync } from "node:fs";
import { openEngine } from "../dist/index.js";

const [models, data] = process.argv.slice(2);
const engine = await openEngine({ models, data });
const say = (line) => writeSync(1, `${line}\n`);
const tasksOf = (correlationId) => engine.listUserTasks({ correlationId });

const calls = [];
for (let n = 0; n < 4; n++) {
  const { instance } = await engine.start({
    processModelKey: "CallParent",
    startEventKey: "Start",
    inputValues: { value: n },
  });
  const [task] = await tasksOf(instance.correlationId);
  say(`call ${instance.processInstanceId} ${task.processInstanceId} ${task.id}`);
  calls.push(task);
}
const approvals = [];
for (let n = 0; n < 3; n++) {
  const { instance } = await engine.start({
    processModelKey: "MiParallelTasks",
    startEventKey: "MptStart",
    inputValues: { approvers: ["ann", "bob", "cy"] },
  });
  const tasks = await tasksOf(instance.correlationId);
  say(`approvals ${instance.processInstanceId} ${tasks.map((task) => task.id).join(",")}`);
  approvals.push(instance);
}
// Acknowledged before the kill: the first call returned, one approval of the first instance given.
await engine.finishUserTask(calls[0].id, { formFields: { answer: "before" } });
say(`returned ${calls[0].processInstanceId}`);
const [first] = await tasksOf(approvals[0].correlationId);
await engine.finishUserTask(first.id, { formFields: { approved: true } });
say(`approved ${first.id}`);

// Scripts of multi-instance activities still running as script jobs when the kill comes: committed (the
// start event is published after the commit), not yet done.
const slow = new Set();
engine.on((event) => {
  if (event.type !== "instance.started" || !["SlowEach", "SlowCount"].includes(event.processModelKey)) return;
  slow.add(event.processInstanceId);
  say(`slow ${event.processModelKey} ${event.processInstanceId}`);
  if (slow.size === 4) say("kill me");
});
for (let n = 0; n < 2; n++) {
  void engine.start({
    processModelKey: "SlowEach",
    startEventKey: "Start",
    inputValues: { items: [1, 2, 3] },
  });
  void engine.start({ processModelKey: "SlowCount", startEventKey: "CountStart", inputValues: { n: 3 } });
}
setInterval(() => {}, 1000);
