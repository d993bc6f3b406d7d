import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InternalServerError } from "@consumer-api/contracts";
import { openEngine } from "@consumer-api/engine";
import { describe, expect, it } from "vitest";
import { createInternalConsumerApi, identitiesFromFile, openInternalConsumerApi } from "../src/index.js";
import { as, Inbox, identitiesFile, modelsDir } from "./helpers.js";

async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "client-internal-close-"));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("close", () => {
  it("releases every subscription but leaves an engine it does not own running", async () => {
    await withTempDir(async (data) => {
      const engine = await openEngine({ models: modelsDir, data });
      try {
        const api = createInternalConsumerApi({
          engine,
          identities: await identitiesFromFile(identitiesFile),
        });
        const inbox = new Inbox();
        await api.onSystemEvent(as.open, "Outcomes", inbox.callback);
        await api.close();
        await api.close();

        const seen: string[] = [];
        const stop = engine.on((event) => seen.push(event.type));
        const { instance } = await engine.start({
          processModelKey: "Outcomes",
          startEventKey: "Start",
          inputValues: { route: "open", n: 1 },
        });
        stop();
        expect(instance.state).toBe("finished");
        expect(seen).toContain("instance.finished");
        expect(inbox.messages).toEqual([]);
        await expect(api.onSignal(as.open, "x", inbox.callback)).rejects.toBeInstanceOf(InternalServerError);
      } finally {
        await engine.close();
      }
    });
  });

  it("closes the engine it opened; later calls answer 500, never crash", async () => {
    await withTempDir(async (data) => {
      const api = await openInternalConsumerApi({
        models: modelsDir,
        data,
        identities: identitiesFile,
        synchronous: "NORMAL",
      });
      const { correlationId } = await api.startProcessInstance(as.open, "Outcomes", "Start", {
        inputValues: { route: "wait" },
      });
      await api.close();
      await api.close();
      await expect(api.startProcessInstance(as.open, "Outcomes", "Start")).rejects.toBeInstanceOf(
        InternalServerError,
      );
      // State survived: a new api on the same data directory sees the waiting task.
      const reopened = await openInternalConsumerApi({ models: modelsDir, data, identities: identitiesFile });
      try {
        expect((await reopened.getUserTasksForCorrelation(as.open, correlationId)).userTasks).toHaveLength(1);
      } finally {
        await reopened.close();
      }
    });
  });

  it("fails fast on a broken identities file before opening the engine", async () => {
    await withTempDir(async (data) => {
      await expect(
        openInternalConsumerApi({ models: modelsDir, data, identities: join(data, "missing.json") }),
      ).rejects.toThrow(/missing\.json/);
    });
  });
});
