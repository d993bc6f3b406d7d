import { API_PREFIX, buildChannel, buildUrlPath, NOTIFICATIONS_PATH, routes } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { fixtures } from "./support/real-api.js";
import { useRealServer } from "./support/real-server.js";
import { openSocket } from "./support/ws-client.js";

// SPEC §6.1 "Concurrency", issue 11 defect 8: a long script must not hold up the server. What the test
// asserts is ordering — what was answered while the script observably still ran — never a duration.

const clerk = { authorization: "Bearer clerk-token" };
const json = { "content-type": "application/json" };

// A script timeout well beyond the script's spin, which is the test's margin on a busy machine.
const real = useRealServer(fixtures.scriptModels, { scriptTimeoutMs: 60_000 });
const { url, start } = real;

describe("http-server with a long script running", () => {
  it("answers an unrelated request while a long script runs", async () => {
    const socket = await openSocket(
      real.server.url.replace("http", "ws") + API_PREFIX + NOTIFICATIONS_PATH,
      "clerk-token",
    );
    const channel = buildChannel("activity", {
      processModelKey: "LongScript",
      activityKey: "Spin",
      correlationId: "long-1",
    });
    socket.send({ type: "subscribe", id: "spin", channel });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "spin" });
    // The script spins for 15 s: the test's margin on a busy machine (this server's script timeout is 60 s).
    let startAnswered = false;
    const started = fetch(start("LongScript", "Start", { startCallbackType: "1" }), {
      method: "POST",
      headers: { ...clerk, ...json },
      body: JSON.stringify({ correlationId: "long-1", inputValues: { until: Date.now() + 15_000 } }),
    }).then((response) => {
      startAnswered = true;
      return response;
    });
    // The script has started: from here on the instance is observably inside it.
    expect(await socket.next()).toMatchObject({
      message: { event_key: "started", correlation_id: "long-1" },
    });

    const models = await fetch(url(`${API_PREFIX}/process_models`), { headers: clerk });
    expect(models.status).toBe(200);
    const tasksPath = url(buildUrlPath(routes.getUserTasksForCorrelation, { correlation_id: "long-1" }, {}));
    const during = (await (await fetch(tasksPath, { headers: clerk })).json()) as { userTasks: unknown[] };
    // Answered while the script still ran: the instance has not reached its user task, the start waits.
    expect(during.userTasks).toEqual([]);
    expect(startAnswered).toBe(false);

    expect((await started).status).toBe(200);
    const after = (await (await fetch(tasksPath, { headers: clerk })).json()) as { userTasks: unknown[] };
    expect(after.userTasks).toHaveLength(1);
    socket.ws.close();
    await socket.closed;
  });
});
