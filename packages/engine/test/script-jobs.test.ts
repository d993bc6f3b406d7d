import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Engine, EngineEvent } from "../src/types.js";
import {
  closeEngines,
  fixtures,
  open,
  record,
  removeTempDirs,
  sqliteCount,
  tempDir,
  trace,
} from "./helpers.js";

// Scripts that outlast their step run as script jobs off the event loop (see README, "Scripts"). The long
// scripts here spin until `token.current.until` (or forever); what the tests assert is ordering — what was
// answered while a script was observably still running — never how fast anything was.

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

/** The first event of the engine that matches, from now on. */
function nextEvent(engine: Engine, matches: (event: EngineEvent) => boolean): Promise<EngineEvent> {
  return new Promise((resolve) => {
    const off = engine.on((event) => {
      if (!matches(event)) return;
      off();
      resolve(event);
    });
  });
}

const started = (key: string) => (event: EngineEvent) =>
  event.type === "activity.started" && event.flowNodeKey === key;

/** Whether a promise has settled by the time the event loop has run once more. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/** Runs a short script instance, so a worker has booted and the next script may be waited for in place. */
async function warmUp(engine: Engine): Promise<void> {
  const { instance } = await engine.start({
    processModelKey: "ScriptChain",
    startEventKey: "Start",
    inputValues: { steps: [] },
  });
  expect(instance.state).toBe("finished");
}

const scriptJobRows = (data: string) => sqliteCount(data, "SELECT COUNT(*) AS n FROM script_jobs");

describe("script jobs", () => {
  it("keeps serving other instances while a script runs", async () => {
    const engine = await open({ scriptTimeoutMs: 20_000 });
    await warmUp(engine);
    const spinning = nextEvent(engine, started("Spin"));
    const long = engine.start({
      processModelKey: "LongScript",
      startEventKey: "Start",
      inputValues: { forever: true },
    });
    const { processInstanceId } = (await spinning) as { processInstanceId: string };

    // Another instance starts, waits at its user task, and is finished — all while the script spins.
    const other = await engine.start({ processModelKey: "Crash", startEventKey: "Start" });
    const [task] = await engine.listUserTasks({ correlationId: other.instance.correlationId });
    await engine.finishUserTask(task?.id as string, { formFields: {} });
    expect(await engine.listEvents({ correlationId: other.instance.correlationId })).toHaveLength(1);

    expect(await settled(long)).toBe(false);
    expect((await engine.getInstance(processInstanceId))?.state).toBe("running");
    expect(await engine.listUserTasks({ processModelKey: "LongScript" })).toEqual([]);

    await engine.close();
    await expect(long).rejects.toMatchObject({ code: "closed" });
  });

  it("answers start only once the instance has left its chain of script jobs", async () => {
    // An inline budget of 0 makes every script and every gateway condition a job.
    const engine = await open({ scriptInlineMs: 0 });
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "ScriptChain",
      startEventKey: "Start",
      inputValues: { steps: [] },
    });
    expect(instance).toMatchObject({
      state: "finished",
      endEventKey: "End",
      result: { steps: ["One", "Two", "Three"] },
    });
    expect(trace(events, instance.processInstanceId)).toEqual([
      "instance.started",
      "event.reached:Start",
      "activity.started:One",
      "activity.finished:One",
      "activity.started:Two",
      "activity.finished:Two",
      "activity.started:Three",
      "activity.finished:Three",
      "event.reached:End",
      "instance.finished",
    ]);
  });

  it("picks a gateway's flow, and fails on no match, when its conditions ran as a job", async () => {
    const engine = await open({ scriptInlineMs: 0 });
    const high = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      inputValues: { amount: 10 },
    });
    expect(high.instance).toMatchObject({
      state: "finished",
      endEventKey: "EndHigh",
      result: { amount: 11 },
    });
    const none = await engine.start({
      processModelKey: "ScriptGateway",
      startEventKey: "Start",
      inputValues: { amount: 1 },
    });
    expect(none.instance).toMatchObject({ state: "failed", failure: { flowNodeKey: "Which" } });
  });

  it("fails the instance when a script job times out, and runs the next script on a fresh worker", async () => {
    const engine = await open({ scriptTimeoutMs: 200, scriptInlineMs: 0 });
    const { instance } = await engine.start({ processModelKey: "ScriptLoop", startEventKey: "Start" });
    expect(instance).toMatchObject({
      state: "failed",
      failure: { kind: "failure", flowNodeKey: "Spin", message: "script timed out after 200 ms" },
    });
    const next = await engine.start({
      processModelKey: "ScriptChain",
      startEventKey: "Start",
      inputValues: { steps: [] },
    });
    expect(next.instance.state).toBe("finished");
  });

  it("runs the scripts of two parallel branches at the same time", async () => {
    // Concurrency by ordering, not by clocks: SpinA loops forever, so SpinB finishes only if it runs on a
    // worker of its own while SpinA spins. One worker after the other would never get to SpinB (until
    // SpinA's timeout failed the instance, which the generous timeout puts past the test's budget).
    const engine = await open({ scriptWorkers: 2, scriptTimeoutMs: 600_000 });
    const spinA = nextEvent(engine, started("SpinA"));
    const finishedB = nextEvent(
      engine,
      (event) => event.type === "activity.finished" && event.flowNodeKey === "SpinB",
    );
    const run = engine.start({ processModelKey: "ParallelScripts", startEventKey: "Start" });
    const { processInstanceId } = (await spinA) as { processInstanceId: string };
    expect(await finishedB).toMatchObject({ processInstanceId, payload: { b: "done" } });
    expect((await engine.getInstance(processInstanceId))?.state).toBe("running");
    await engine.close();
    await expect(run).rejects.toMatchObject({ code: "closed" });
  });

  it("re-runs a job left pending by a restart, and applies its outcome once", async () => {
    const data = tempDir();
    const first = await open({ data });
    await warmUp(first);
    const spinning = nextEvent(first, started("Spin"));
    const pending = first.start({
      processModelKey: "LongScript",
      startEventKey: "Start",
      correlationId: "restart",
      inputValues: { until: Date.now() + 3000 },
    });
    const { processInstanceId } = (await spinning) as { processInstanceId: string };
    await first.close();
    await expect(pending).rejects.toMatchObject({ code: "closed" });
    expect(scriptJobRows(data)).toBe(1);

    const second = await open({ data });
    const events = record(second);
    const review = await nextEvent(second, started("Review"));
    expect(review.processInstanceId).toBe(processInstanceId);
    expect(await second.listUserTasks({ correlationId: "restart" })).toHaveLength(1);
    expect(trace(events, processInstanceId)).toEqual(["activity.finished:Spin", "activity.started:Review"]);
    await second.close();
    expect(scriptJobRows(data)).toBe(0);

    const third = await open({ data });
    expect(await third.listUserTasks({ correlationId: "restart" })).toHaveLength(1);
    expect((await third.getInstance(processInstanceId))?.state).toBe("running");
  });

  it("re-runs a job left pending by a SIGKILL, and applies its outcome once", async () => {
    const data = tempDir();
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./script-crash-child.mjs", import.meta.url)), fixtures, data],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const processInstanceId = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        output += chunk;
        const spinning = /spinning (\S+)\n/.exec(output);
        if (spinning) {
          child.kill("SIGKILL");
          resolve(spinning[1] as string);
        } else if (output.includes("finished")) reject(new Error("the script finished before the kill"));
      });
      child.on("error", reject);
      child.on("exit", (code, signal) => {
        if (signal !== "SIGKILL") reject(new Error(`child exited by itself (${code}): ${output}`));
      });
    });
    await new Promise((resolve) => child.once("exit", resolve));
    expect(scriptJobRows(data)).toBe(1);

    const engine = await open({ data });
    const events = record(engine);
    await nextEvent(engine, started("Review"));
    expect(
      (await engine.listUserTasks({ correlationId: "crash" })).map((task) => task.processInstanceId),
    ).toEqual([processInstanceId]);
    expect(trace(events, processInstanceId)).toEqual(["activity.finished:Spin", "activity.started:Review"]);
    expect(scriptJobRows(data)).toBe(0);
  });

  it("cancels a pending job with its token, and ignores the script's late outcome", async () => {
    // One worker: the second instance's script runs only after the first's, so once the second instance
    // has finished, the first's late outcome has been offered to the engine.
    const data = tempDir();
    const engine = await open({ data, scriptWorkers: 1 });
    const events = record(engine);
    const { instance } = await engine.start({
      processModelKey: "SubScriptCancel",
      startEventKey: "Start",
      correlationId: "cancel",
      inputValues: { until: Date.now() + 500 },
    });
    // The terminate end event ended the sub-process, and with it the branch whose script still ran.
    expect(instance.state).toBe("running");
    expect(await engine.listUserTasks({ correlationId: "cancel" })).toHaveLength(1);
    expect(scriptJobRows(data)).toBe(0);

    const after = await engine.start({
      processModelKey: "ScriptChain",
      startEventKey: "Start",
      inputValues: { steps: [] },
    });
    expect(after.instance.state).toBe("finished");
    expect(trace(events, instance.processInstanceId)).not.toContain("activity.finished:InnerSpin");
    expect(await engine.listUserTasks({ correlationId: "cancel" })).toHaveLength(1);
    expect((await engine.getInstance(instance.processInstanceId))?.state).toBe("running");
  });
});
