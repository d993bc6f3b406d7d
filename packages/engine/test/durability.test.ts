import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  closeEngines,
  fixtures,
  modelsDir,
  open,
  removeTempDirs,
  sqliteCount,
  sqliteRows,
  tempDir,
} from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

/** The engine's timer rows of an instance: the public API has no timer query. */
const timerRows = (data: string, instanceId: string) =>
  sqliteCount(data, "SELECT COUNT(*) AS n FROM timers WHERE instance_id = ?", instanceId);

/**
 * Runs a child script (of this directory) on the BUILT engine until it prints "kill me", then SIGKILLs it;
 * resolves with every line it printed.
 */
async function runUntilKilled(script: string, models: string, data: string): Promise<string[]> {
  const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  expect(existsSync(dist), "build the package first: pnpm --filter @consumer-api/engine build").toBe(true);
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), models, data], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let buffered = "";
    // Only for a child that hangs: a loaded machine takes long to boot it, so the kill waits nearly the
    // shared 180 s test budget rather than cut a slow child short.
    const safety = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split("\n");
      buffered = complete.pop() ?? "";
      lines.push(...complete);
      if (lines.includes("kill me")) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearTimeout(safety);
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`child exited by itself (${_code})`));
    });
  });
  return lines;
}

describe("durability", () => {
  it("keeps instances, waiting tasks and events across close and reopen", async () => {
    const data = tempDir();
    const first = await open({ data });
    const order = await first.start({
      processModelKey: "Order",
      startEventKey: "StartWeb",
      correlationId: "d",
      inputValues: { a: 1 },
    });
    await first.start({ processModelKey: "Messages", startEventKey: "Start", correlationId: "d" });
    const done = await first.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      correlationId: "d",
      inputValues: { amount: 30 },
    });
    await first.close();

    const second = await open({ data, synchronous: "NORMAL" });
    expect(await second.getInstance(order.instance.processInstanceId)).toEqual(order.instance);
    expect(await second.latestFinished("d", "ScriptGateway")).toEqual(done.instance);
    expect(await second.correlationModels("d")).toEqual(["Messages", "Order", "ScriptGateway"]);
    const [task] = await second.listUserTasks({ correlationId: "d" });
    expect(task).toMatchObject({
      key: "Review",
      name: "Review order",
      lane: "Managers",
      tokenPayload: { a: 1 },
    });
    expect(task?.formFields).toHaveLength(7);
    expect((await second.listEvents({ correlationId: "d" })).map((event) => event.key)).toEqual([
      "Payment",
      "Delivery",
    ]);
    const finished = await second.finishUserTask(task?.id as string, { formFields: { amount: 1 } });
    expect(finished.instance).toMatchObject({ state: "finished", endEventKey: "EndSmall" });
  });

  it("fires a timer that came due while the engine was closed", async () => {
    const data = tempDir();
    const first = await open({ data });
    const { instance } = await first.start({
      processModelKey: "Timer",
      startEventKey: "Start",
      inputValues: { t: 1 },
    });
    await first.close();
    expect(timerRows(data, instance.processInstanceId)).toBe(1);

    const second = await open({ data });
    const ended = await second.whenEnded(instance.processInstanceId);
    expect(ended).toMatchObject({ state: "finished", result: { t: 1 } });
    expect(timerRows(data, instance.processInstanceId)).toBe(0);
  });

  it("keeps a long timer waiting across reopen", async () => {
    const data = tempDir();
    const first = await open({ data });
    const { instance } = await first.start({ processModelKey: "LongTimer", startEventKey: "Start" });
    await first.close();
    const second = await open({ data });
    expect((await second.getInstance(instance.processInstanceId))?.state).toBe("running");
    expect(timerRows(data, instance.processInstanceId)).toBe(1);
  });

  it("pins running instances to the model version they started with", async () => {
    const models = modelsDir();
    const file = path.join(models, "pinned.bpmn");
    const data = tempDir();
    copyFileSync(path.join(fixtures, "versioned", "pinned-v1.bpmn"), file);
    const first = await open({ models, data });
    const old = await first.start({ processModelKey: "Pinned", startEventKey: "Start", correlationId: "p" });
    await first.close();

    copyFileSync(path.join(fixtures, "versioned", "pinned-v2.bpmn"), file);
    const second = await open({ models, data });
    const v2Hash = second.models.get("Pinned")?.hash;
    expect(v2Hash).not.toBe(old.instance.modelHash);
    const fresh = await second.start({
      processModelKey: "Pinned",
      startEventKey: "Start",
      correlationId: "p",
    });
    expect(fresh.instance.modelHash).toBe(v2Hash);

    const tasks = await second.listUserTasks({ correlationId: "p" });
    expect(tasks.map((task) => [task.processInstanceId, task.name])).toEqual([
      [old.instance.processInstanceId, "Ask (v1)"],
      [fresh.instance.processInstanceId, "Ask (v2)"],
    ]);
    const oldDone = await second.finishUserTask(tasks[0]?.id as string, { formFields: {} });
    const freshDone = await second.finishUserTask(tasks[1]?.id as string, { formFields: {} });
    expect(oldDone.instance.result).toEqual({ version: 1 });
    expect(freshDone.instance.result).toEqual({ version: 2 });
  });

  it("keeps every acknowledged operation after a SIGKILL mid-load", async () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    expect(existsSync(dist), "build the package first: pnpm --filter @consumer-api/engine build").toBe(true);
    const data = tempDir();
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./crash-child.mjs", import.meta.url)), fixtures, data],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let buffered = "";
      // Only for a child that hangs: a loaded machine takes long to boot it, so the kill waits nearly the
      // shared 180 s test budget rather than cut a slow child short.
      const safety = setTimeout(() => child.kill("SIGKILL"), 150_000);
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        buffered += chunk;
        const complete = buffered.split("\n");
        buffered = complete.pop() ?? "";
        lines.push(...complete);
        if (lines.length >= 600) child.kill("SIGKILL");
      });
      child.on("error", reject);
      child.on("exit", (_code, signal) => {
        clearTimeout(safety);
        if (signal === "SIGKILL") resolve();
        else reject(new Error(`child exited by itself (${_code}); output: ${lines.slice(-3).join(" | ")}`));
      });
    });
    expect(lines[0]).toBe("ready");

    const started = new Map<string, string>();
    const finished = new Map<string, string>();
    const finishing = new Set<string>();
    const timers: string[] = [];
    for (const line of lines.slice(1)) {
      const [kind, instanceId, taskId] = line.split(" ") as [string, string, string];
      if (kind === "started") started.set(instanceId, taskId);
      else if (kind === "finished") finished.set(instanceId, taskId);
      else if (kind === "finishing") finishing.add(instanceId);
      else if (kind === "timer") timers.push(instanceId);
    }
    expect(started.size).toBeGreaterThan(50);
    expect(finished.size).toBeGreaterThan(10);
    expect(timers.length).toBeGreaterThan(5);

    const engine = await open({ data });
    for (const [instanceId, taskId] of started) {
      const instance = await engine.getInstance(instanceId);
      expect(instance?.state).toBe("running");
      if (finished.has(instanceId)) {
        expect(await engine.getUserTask(taskId)).toBeUndefined();
        const events = await engine.listEvents({ correlationId: instance?.correlationId as string });
        expect(events.map((event) => [event.key, event.processInstanceId])).toEqual([
          ["Confirm", instanceId],
        ]);
      } else if (!finishing.has(instanceId)) {
        expect((await engine.getUserTask(taskId))?.processInstanceId).toBe(instanceId);
      } else {
        // Killed between commit and acknowledgement, or before the commit: one or the other, never both.
        const events = await engine.listEvents({ correlationId: instance?.correlationId as string });
        expect(Number((await engine.getUserTask(taskId)) !== undefined) + events.length).toBe(1);
      }
    }
    for (const instanceId of timers) {
      expect((await engine.getInstance(instanceId))?.state).toBe("running");
      expect(timerRows(data, instanceId)).toBe(1);
    }
    // The reopened engine carries on with what was left waiting.
    const [instanceId, taskId] = [...started].find(([id]) => !finishing.has(id)) as [string, string];
    await engine.finishUserTask(taskId, { formFields: {} });
    const [confirm] = await engine.listEvents({
      correlationId: (await engine.getInstance(instanceId))?.correlationId as string,
    });
    const done = await engine.triggerEvent(confirm?.id as string, { ok: true });
    expect(done.instance).toMatchObject({ state: "finished", result: { ok: true } });
  });

  it("keeps boundary timers and timer start events across a SIGKILL", async () => {
    const data = tempDir();
    const models = modelsDir("crash-events/crash-events.bpmn");
    const lines = await runUntilKilled("./crash-events-child.mjs", models, data);
    const started = lines.filter((line) => line.startsWith("started ")).map((line) => line.slice(8));
    expect(started).toHaveLength(20);
    expect(lines.some((line) => line.startsWith("ticked "))).toBe(true);

    const engine = await open({ data, models });
    const ticks: string[] = [];
    const nextTick = new Promise<void>((resolve) =>
      engine.on((event) => {
        if (event.type !== "instance.started" || event.processModelKey !== "TickCrash") return;
        ticks.push(event.processInstanceId);
        resolve();
      }),
    );
    // Every boundary timer that had not fired before the kill survived it (on a slow machine some may have
    // fired in the child already) and still interrupts its task.
    const waiting: string[] = [];
    for (const instanceId of started) {
      if ((await engine.getInstance(instanceId))?.state === "running") waiting.push(instanceId);
    }
    expect(waiting.length).toBeGreaterThan(0);
    for (const instanceId of waiting) expect(timerRows(data, instanceId)).toBe(1);
    for (const instanceId of started) {
      const ended = await engine.whenEnded(instanceId);
      expect(ended).toMatchObject({ state: "finished", endEventKey: "TimedOut" });
    }
    // The timer start event goes on starting instances after the restart.
    await nextTick;
    expect((await engine.getInstance(ticks[0] as string))?.processModelKey).toBe("TickCrash");
    expect(await engine.listUserTasks({ processModelKey: "DeadlineCrash" })).toEqual([]);
  });

  it("keeps call activities, parallel multi-instance tasks and multi-instance script jobs across a SIGKILL", async () => {
    const data = tempDir();
    const models = modelsDir("call-activities.bpmn", "loops.bpmn", "crash-loops/crash-loops.bpmn");
    const lines = await runUntilKilled("./crash-loops-child.mjs", models, data);
    const fields = (prefix: string) =>
      lines.filter((line) => line.startsWith(`${prefix} `)).map((line) => line.split(" ").slice(1));
    const calls = fields("call");
    const approvals = fields("approvals");
    const slow = fields("slow");
    expect(calls).toHaveLength(4);
    expect(approvals).toHaveLength(3);
    expect(slow).toHaveLength(4);
    // Killed with iterations (and a loopCardinality) still running as script jobs.
    const inFlight = sqliteRows<{ key: string }>(data, "SELECT key FROM script_jobs").map((row) => row.key);
    expect(inFlight).toContain("Each");
    expect(inFlight).toContain("Counted");

    const engine = await open({ data, models });
    // The call that returned before the kill waits at AfterCall with the called instance's result.
    const [returned, ...waiting] = calls as [string[], ...string[][]];
    const [returnedParent] = returned as [string];
    const afterCall = (await engine.listUserTasks({})).filter(
      (task) => task.processInstanceId === returnedParent,
    );
    expect(afterCall.map((task) => [task.key, task.tokenPayload])).toEqual([
      ["AfterCall", { value: 0, answer: "before" }],
    ]);
    // The others still wait in their called instance, which still knows its caller.
    const [second, third, fourth] = waiting as [string[], string[], string[]];
    const done = await engine.finishUserTask(second[2] as string, { formFields: { answer: "after" } });
    expect(done.instance).toMatchObject({ processInstanceId: second[1], state: "finished" });
    const [next] = (await engine.listUserTasks({})).filter((task) => task.processInstanceId === second[0]);
    expect(next?.tokenPayload).toEqual({ value: 2, answer: "after" });
    // An interrupting boundary event of the call activity still terminates the called instance.
    const abort = (await engine.listEvents({})).find((event) => event.processInstanceId === third[0]);
    await engine.triggerEvent(abort?.id as string);
    expect((await engine.getInstance(third[1] as string))?.state).toBe("terminated");
    expect(await engine.getUserTask(third[2] as string)).toBeUndefined();
    expect((await engine.getUserTask(fourth[2] as string))?.key).toBe("ChildTask");

    // Each parallel approval waits on its own; the one given before the kill counts.
    const [firstApprovals, ...others] = approvals as [string[], ...string[][]];
    const [firstInstance, firstTasks] = firstApprovals as [string, string];
    const left: string[] = [];
    for (const id of firstTasks.split(",")) if (await engine.getUserTask(id)) left.push(id);
    expect(left).toHaveLength(2);
    for (const id of left) await engine.finishUserTask(id, { formFields: { approved: true } });
    const approved = await engine.getInstance(firstInstance);
    expect(approved).toMatchObject({ state: "finished", endEventKey: "MptEnd" });
    expect(approved?.result).toHaveLength(3);
    for (const [instanceId, taskIds] of others as [string, string][]) {
      const owners = await Promise.all(taskIds.split(",").map((id) => engine.getUserTask(id)));
      expect(owners.map((task) => task?.processInstanceId)).toEqual([instanceId, instanceId, instanceId]);
    }

    // The script jobs in flight ran again after the restart, each once: every iteration's result, in order.
    for (const [model, instanceId] of slow as [string, string][]) {
      const ended = await engine.whenEnded(instanceId);
      expect(ended.state).toBe("finished");
      expect(ended.result).toEqual(model === "SlowEach" ? [2, 4, 6] : [{ n: 3 }, { n: 3 }, { n: 3 }]);
    }
  });
});
