import {
  API_PREFIX,
  buildChannel,
  buildUrlPath,
  NOTIFICATIONS_PATH,
  PROBLEM_CONTENT_TYPE,
  routes,
} from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { useRealServer } from "./support/real-server.js";
import { openSocket } from "./support/ws-client.js";

const clerk = { authorization: "Bearer clerk-token" };
const manager = { authorization: "Bearer manager-token" };
const json = { "content-type": "application/json" };

const real = useRealServer();
const { url, start } = real;
const resultFor = (model: string, correlationId: string, headers: Record<string, string>) =>
  fetch(
    url(
      buildUrlPath(
        routes.getProcessResultForCorrelation,
        { process_model_key: model, correlation_id: correlationId },
        {},
      ),
    ),
    { headers },
  );

describe("http-server over client-internal and the engine", () => {
  it("applies the lane rule per token", async () => {
    const list = async (headers: Record<string, string>) => {
      const response = await fetch(url(`${API_PREFIX}/process_models`), { headers });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        processModels: { key: string; endEvents: { key: string }[] }[];
      };
      return body.processModels.find((m) => m.key === "Approval");
    };
    expect((await list(clerk))?.endEvents).toEqual([]);
    expect((await list(manager))?.endEvents).toEqual([{ key: "Decided", data: {} }]);
    const unknown = await fetch(url(`${API_PREFIX}/process_models`), {
      headers: { authorization: "Bearer nobody" },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("content-type")).toBe(PROBLEM_CONTENT_TYPE);
  });

  it("starts, lists and finishes a user task, validating the form over HTTP", async () => {
    const started = await fetch(start("Approval", "Requested"), {
      method: "POST",
      headers: { ...clerk, ...json },
      body: JSON.stringify({ correlationId: "req-1", inputValues: { item: "chair" } }),
    });
    expect(started.status).toBe(200);
    const tasksPath = url(buildUrlPath(routes.getUserTasksForCorrelation, { correlation_id: "req-1" }, {}));
    expect(
      ((await (await fetch(tasksPath, { headers: clerk })).json()) as { userTasks: [] }).userTasks,
    ).toEqual([]);
    const { userTasks } = (await (await fetch(tasksPath, { headers: manager })).json()) as {
      userTasks: { id: string; tokenPayload: unknown }[];
    };
    expect(userTasks).toHaveLength(1);
    expect(userTasks[0]?.tokenPayload).toEqual({ item: "chair" });
    const finish = url(
      buildUrlPath(
        routes.finishUserTask,
        { process_model_key: "Approval", correlation_id: "req-1", user_task_id: userTasks[0]?.id as string },
        {},
      ),
    );
    const forbidden = await fetch(finish, {
      method: "POST",
      headers: { ...clerk, ...json },
      body: JSON.stringify({ formFields: { approved: true } }),
    });
    expect(forbidden.status).toBe(403);
    const invalid = await fetch(finish, {
      method: "POST",
      headers: { ...manager, ...json },
      body: JSON.stringify({ formFields: { approved: "yes" } }),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { detail: string }).detail).toContain("approved");
    const done = await fetch(finish, {
      method: "POST",
      headers: { ...manager, ...json },
      body: JSON.stringify({ formFields: { approved: true } }),
    });
    expect(done.status).toBe(204);
    const result = await resultFor("Approval", "req-1", manager);
    expect(result.status).toBe(200);
    expect(await result.json()).toMatchObject({
      endEventKey: "Decided",
      result: { formFields: { approved: true } },
    });
  });

  it("answers a start with callback 2 once another request triggers the awaited event", async () => {
    const waiting = fetch(start("Payment", "Invoiced", { startCallbackType: "2" }), {
      method: "POST",
      headers: { ...clerk, ...json },
      body: JSON.stringify({ correlationId: "inv-1" }),
    });
    const eventId = await waitingEventId("inv-1");
    const trigger = await triggerPayment("inv-1", eventId, { amount: 5 });
    expect(trigger.status).toBe(204);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      correlationId: "inv-1",
      endEventKey: "Paid",
      tokenPayload: { amount: 5 },
    });
  });

  it("lets the instance run on when the waiting client disconnects", async () => {
    const controller = new AbortController();
    const waiting = fetch(start("Payment", "Invoiced", { startCallbackType: "2" }), {
      method: "POST",
      headers: { ...clerk, ...json },
      body: JSON.stringify({ correlationId: "inv-2" }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    const eventId = await waitingEventId("inv-2");
    controller.abort();
    expect(await waiting).toBeInstanceOf(Error);
    expect((await triggerPayment("inv-2", eventId, { amount: 9 })).status).toBe(204);
    const result = await resultFor("Payment", "inv-2", clerk);
    expect(await result.json()).toMatchObject({ endEventKey: "Paid", result: { amount: 9 } });
  });

  it("notifies a WebSocket subscriber of the engine's system events", async () => {
    const socket = await openSocket(
      real.server.url.replace("http", "ws") + API_PREFIX + NOTIFICATIONS_PATH,
      "clerk-token",
    );
    const channel = buildChannel("systemEvent", { processModelKey: "Payment", correlationId: "inv-3" });
    socket.send({ type: "subscribe", id: "sys", channel });
    expect(await socket.next()).toEqual({ type: "subscribed", id: "sys" });
    await fetch(start("Payment", "Invoiced"), {
      method: "POST",
      headers: { ...clerk, ...json },
      body: JSON.stringify({ correlationId: "inv-3" }),
    });
    expect(await socket.next()).toMatchObject({
      type: "notification",
      id: "sys",
      channel,
      message: { process_model_key: "Payment", event_key: "ProcessInstanceStarted", correlation_id: "inv-3" },
    });
    socket.ws.close();
    await socket.closed;
  });
});

async function waitingEventId(correlationId: string): Promise<string> {
  const path = url(buildUrlPath(routes.getEventsForCorrelation, { correlation_id: correlationId }, {}));
  for (;;) {
    const response = await fetch(path, { headers: clerk });
    if (response.status === 200) {
      const { events } = (await response.json()) as { events: { eventId: string }[] };
      if (events[0]) return events[0].eventId;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function triggerPayment(correlationId: string, eventId: string, payload: unknown) {
  return fetch(
    url(
      buildUrlPath(
        routes.triggerEvent,
        { process_model_key: "Payment", correlation_id: correlationId, event_id: eventId },
        {},
      ),
    ),
    { method: "POST", headers: { ...clerk, ...json }, body: JSON.stringify(payload) },
  );
}
