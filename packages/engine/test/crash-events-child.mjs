// Run by durability.test.ts: opens the BUILT engine, starts instances waiting under a boundary timer and
// waits for a timer start event to start one, printing each acknowledged fact, until the parent SIGKILLs it.
import { writeSync } from "node:fs";
import { openEngine } from "../dist/index.js";

const [models, data] = process.argv.slice(2);
const engine = await openEngine({ models, data });
const say = (line) => writeSync(1, `${line}\n`);
const ticked = new Promise((resolve) => {
  engine.on((event) => {
    if (event.type === "instance.started" && event.processModelKey === "TickCrash") resolve(event);
  });
});
for (let n = 0; n < 20; n++) {
  const { instance } = await engine.start({ processModelKey: "DeadlineCrash", startEventKey: "Start" });
  say(`started ${instance.processInstanceId}`);
}
const tick = await ticked;
say(`ticked ${tick.processInstanceId}`);
say("kill me");
setInterval(() => {}, 1000);
