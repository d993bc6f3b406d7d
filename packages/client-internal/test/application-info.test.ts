import { BadRequestError, NotFoundError, UnauthorizedError } from "@consumer-api/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { IMPLEMENTED_CAPABILITIES, openInternalConsumerApi } from "../src/index.js";
import { as, identitiesFile, modelsDir } from "./helpers.js";

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const api of opened.splice(0)) await api.close();
});

async function open(options: Partial<Parameters<typeof openInternalConsumerApi>[0]> = {}) {
  const api = await openInternalConsumerApi({
    models: modelsDir,
    data: ":memory:",
    identities: identitiesFile,
    ...options,
  });
  opened.push(api);
  return api;
}

describe("getApplicationInfo and capabilities (SPEC §14)", () => {
  it("answers this package, the store and every implemented capability; 401 without a valid token", async () => {
    const api = await open();
    const info = await api.getApplicationInfo(as.open);
    expect(info).toEqual({
      name: "@consumer-api/client-internal",
      version: expect.any(String),
      store: "memory",
      clustered: false,
      capabilities: [...IMPLEMENTED_CAPABILITIES],
    });
    await expect(api.getApplicationInfo(as.unknown)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("a capability left out is not listed, and its operations answer 404 as on a server without it", async () => {
    const api = await open({
      capabilities: ["notifications", "timers", "concurrency", "pagination"],
      application: { name: "@consumer-api/http-server", version: "9.9.9" },
    });
    const info = await api.getApplicationInfo(as.open);
    expect(info.capabilities).toEqual(["notifications", "timers", "concurrency", "pagination"]);
    expect(info).toMatchObject({ name: "@consumer-api/http-server", version: "9.9.9" });
    await expect(api.getWaitingUserTasksByIdentity(as.open)).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.getProcessInstancesByIdentity(as.open)).rejects.toBeInstanceOf(NotFoundError);
    // Authentication still comes first.
    await expect(api.getWaitingUserTasksByIdentity(as.unknown)).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await api.getProcessModels(as.open)).processModels.length).toBeGreaterThan(0);
    // Notifications offered: a channel subscribes.
    await (await api.onSignal(as.open, "go", () => {})).unsubscribe();
  });

  it("without notifications offered, a channel is refused like an unknown one (400)", async () => {
    const api = await open({ capabilities: ["timers", "concurrency"] });
    await expect(api.onSignal(as.open, "go", () => {})).rejects.toBeInstanceOf(BadRequestError);
    expect((await api.getApplicationInfo(as.open)).capabilities).toEqual(["timers", "concurrency"]);
  });
});
