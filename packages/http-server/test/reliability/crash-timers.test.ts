// SPEC §6.1, §7: timers survive kill -9 like every other wait. The server program is SIGKILLed while boundary
// timers and a timer start event are in flight, and restarted on the same data folder: every acknowledged
// instance's boundary timer fires exactly once, and the timer start event starts exactly one instance.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { routes } from "@consumer-api/contracts";
import { afterAll, expect, it } from "vitest";
import { type Answer, call, resultOf, start, type TaskList, tasksOf } from "./support/api-calls.js";
import { type Program, Sandbox } from "./support/program.js";

const LIVES = 4;
const escalate = { key: "Escalate", start: "Opened" };
const fixture = new URL("./fixtures/timer-models/escalate.bpmn", import.meta.url);

const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());

/** A timer start event due once, at `at`: written per run, so its due time falls among the kills. */
const dated = (at: Date) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Defs_Dated" targetNamespace="http://example.com/http-server/reliability">
  <bpmn:process id="Dated" isExecutable="true">
    <bpmn:startEvent id="DueOnce">
      <bpmn:timerEventDefinition><bpmn:timeDate>${at.toISOString()}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="T1" sourceRef="DueOnce" targetRef="Started" />
    <bpmn:userTask id="Started" />
    <bpmn:sequenceFlow id="T2" sourceRef="Started" targetRef="Ended" />
    <bpmn:endEvent id="Ended" />
  </bpmn:process>
</bpmn:definitions>
`;

const tasksOfModel = async (url: string, key: string) =>
  ((await call(url, routes.getUserTasksForProcessModel, { process_model_key: key })).body as TaskList)
    .userTasks;

/** Polls a read until it passes; the bound only ends a run that would otherwise hang. */
async function until(read: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await read()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never: ${what}`);
}

it(`boundary timers and a timer start event in flight across ${LIVES} kill -9: nothing lost, nothing twice`, async () => {
  const data = await sandbox.tempDir();
  const models = await sandbox.tempDir("consumer-api-timer-models-");
  await mkdir(models, { recursive: true });
  await copyFile(fixture, join(models, "escalate.bpmn"));
  const dueAt = new Date(Date.now() + 4000);
  await writeFile(join(models, "dated.bpmn"), dated(dueAt));

  const acknowledged: string[] = [];
  const inDoubt: string[] = [];
  let program: Program | undefined;
  for (let life = 0; life < LIVES; life++) {
    program = await sandbox.start(data, [], {}, models);
    const running = program;
    // Starts until the server dies under them; it is killed after a few acknowledged starts.
    const killAt = 3 + life * 2;
    let answered = 0;
    const starter = async (worker: number) => {
      for (let n = 0; ; n++) {
        const correlationId = `escalate-${life}-${worker}-${n}`;
        let answer: Answer;
        try {
          answer = await start(running.url, escalate, { correlationId });
        } catch {
          inDoubt.push(correlationId);
          return;
        }
        expect(answer.status, correlationId).toBe(200);
        acknowledged.push(correlationId);
        if (++answered === killAt) running.child.kill("SIGKILL");
      }
    };
    await Promise.all([starter(0), starter(1)]);
    expect(await running.exited).toBe("SIGKILL");
  }
  // The last life begins after the start timer's due time: a restart must not fire it again.
  await until(async () => Date.now() > dueAt.getTime() + 500, "the due time passed");
  program = await sandbox.start(data, [], {}, models);
  const { url } = program;

  for (const correlationId of [...acknowledged, ...inDoubt]) {
    const certain = acknowledged.includes(correlationId);
    await until(async () => {
      const tasks = (await tasksOf(url, correlationId)).body as TaskList | undefined;
      const keys = (tasks?.userTasks ?? []).map((task) => task.key);
      // A start in doubt may never have happened: no correlation, nothing waits.
      if (!certain && keys.length === 0) return true;
      return keys.length > 0 && !keys.includes("Work");
    }, `the boundary timer of ${correlationId} fired`);
    const tasks = ((await tasksOf(url, correlationId)).body as TaskList | undefined)?.userTasks ?? [];
    // Fired once: one token left the boundary event, the interrupted task is gone.
    expect(
      tasks.map((task) => task.key),
      correlationId,
    ).toEqual(certain || tasks.length > 0 ? ["Late"] : []);
    expect((await resultOf(url, escalate.key, correlationId)).status, correlationId).not.toBe(200);
  }
  expect(acknowledged.length).toBeGreaterThanOrEqual(LIVES * 3);

  await until(async () => (await tasksOfModel(url, "Dated")).length > 0, "the timer start event fired");
  expect(await tasksOfModel(url, "Dated")).toHaveLength(1);

  program.child.kill("SIGTERM");
  expect(await program.exited).toBe(0);
}, 600_000);
