import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { EngineError } from "../src/index.js";
import { closeEngines, fixtures, open, removeTempDirs, tempDir } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

async function expectLocked(opening: Promise<unknown>, data: string): Promise<void> {
  const error = await opening.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe("data_locked");
  expect((error as EngineError).message).toContain(data);
}

describe("one engine per data directory", () => {
  it("a second engine on the directory is refused, naming it, until the first closes", async () => {
    const data = tempDir();
    const first = await open({ data });
    await expectLocked(open({ data }), data);
    // The refusal took nothing: the first engine still works.
    const { instance } = await first.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    expect((await first.getInstance(instance.processInstanceId))?.state).toBe("running");
    await first.close();
    const second = await open({ data });
    expect((await second.getInstance(instance.processInstanceId))?.state).toBe("running");
  });

  it("the lock dies with its process: after kill -9 of the holder a new engine opens", async () => {
    const data = tempDir();
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./crash-child.mjs", import.meta.url)), fixtures, data],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let instanceId: string | undefined;
    try {
      // Its first acknowledged start: the holder is at work when the lock is tried.
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
          instanceId ??= /^started (\S+)/m.exec(chunk)?.[1];
          if (instanceId !== undefined) resolve();
        });
        child.once("exit", (code) => reject(new Error(`the child exited (${code}) before it was ready`)));
      });
      await expectLocked(open({ data }), data);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const engine = await open({ data });
    expect((await engine.getInstance(instanceId as string))?.state).toBe("running");
  });
});
