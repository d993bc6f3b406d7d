import { ConsumerApiError, ForbiddenError, PROBLEM_CONTENT_TYPE } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { createExternalConsumerApi } from "../src/index.js";

// Answers a conformant server never gives (a proxy's HTML page, a wrong shape) must not crash the client.
// A scripted WHATWG fetch stands in for such a server; the real server is exercised in external-client.test.ts.
function answering(status: number, body: string, contentType: string) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push({ url: String(input), init });
    return new Response(status === 204 ? null : body, { status, headers: { "content-type": contentType } });
  };
  return { fetch, requests };
}

const alice = { identity: "alice-token" };
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as ConsumerApiError,
  );

describe("answers a conformant server never gives", () => {
  it("an error page that is not problem+json keeps its status", async () => {
    const { fetch } = answering(502, "<html>Bad Gateway</html>", "text/html");
    const error = await rejection(
      createExternalConsumerApi({ baseUrl: "http://x", fetch }).getProcessModels(alice),
    );
    expect(error).toBeInstanceOf(ConsumerApiError);
    expect(error.status).toBe(502);
  });

  it("a 200 that is not JSON is a 502", async () => {
    const { fetch } = answering(200, "not json", "application/json");
    const error = await rejection(
      createExternalConsumerApi({ baseUrl: "http://x", fetch }).getProcessModels(alice),
    );
    expect(error.status).toBe(502);
  });

  it("a 200 of the wrong shape passes unless validateResponses, then it is a 502", async () => {
    const { fetch } = answering(200, JSON.stringify({ models: [] }), "application/json");
    expect(await createExternalConsumerApi({ baseUrl: "http://x", fetch }).getProcessModels(alice)).toEqual({
      models: [],
    });
    const strict = createExternalConsumerApi({ baseUrl: "http://x", fetch, validateResponses: true });
    expect((await rejection(strict.getProcessModels(alice))).status).toBe(502);
  });

  it("a problem+json maps to the contract's class, whatever the HTTP status line says", async () => {
    const problem = { type: "about:blank", title: "Forbidden", status: 403, detail: "No access." };
    const { fetch } = answering(403, JSON.stringify(problem), PROBLEM_CONTENT_TYPE);
    const error = await rejection(
      createExternalConsumerApi({ baseUrl: "http://x", fetch }).getProcessModels(alice),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect({ status: error.status, title: error.title, detail: error.detail }).toEqual({
      status: 403,
      title: "Forbidden",
      detail: "No access.",
    });
  });

  it("sends the route's method, path, query, bearer token and JSON body", async () => {
    const { fetch, requests } = answering(
      200,
      JSON.stringify({ correlationId: "c", processInstanceId: "i" }),
      "application/json",
    );
    const api = createExternalConsumerApi({ baseUrl: "http://host/prefix/", fetch });
    await api.startProcessInstance(alice, "Order/1", "Start", { correlationId: "c" }, 3, "End");
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe(
      "http://host/prefix/api/consumer/v1/process_models/Order%2F1/start_events/Start/start?startCallbackType=3&end_event_id=End",
    );
    expect(requests[0]?.init).toMatchObject({
      method: "POST",
      headers: { authorization: "Bearer alice-token", "content-type": "application/json" },
      body: JSON.stringify({ correlationId: "c" }),
    });
    await api.getProcessModels(alice);
    expect(requests[1]?.init?.headers).not.toHaveProperty("content-type");
    expect(requests[1]?.init).not.toHaveProperty("body");
  });
});

describe("a payload JSON cannot carry", () => {
  it("is never sent: the server is asked only whether the token is known, then the 400 names the field", async () => {
    const { fetch, requests } = answering(200, JSON.stringify({ processModels: [] }), "application/json");
    const api = createExternalConsumerApi({ baseUrl: "http://x", fetch });
    const error = await rejection(
      api.startProcessInstance(alice, "Basic", "StartA", { inputValues: { when: new Date(0) } }),
    );
    expect(error.status).toBe(400);
    expect(error.detail).toContain("inputValues.when");
    expect(requests.map((r) => [r.init?.method ?? "GET", new URL(r.url).pathname])).toEqual([
      ["GET", "/api/consumer/v1/process_models"],
    ]);
  });

  it("is still a 400 when no server answers the token question", async () => {
    const fetch: typeof globalThis.fetch = async () => {
      throw new TypeError("fetch failed");
    };
    const api = createExternalConsumerApi({ baseUrl: "http://x", fetch });
    const error = await rejection(api.triggerEvent(alice, "M", "c", "e", [1, undefined]));
    expect(error.status).toBe(400);
    expect(error.detail).toContain("body.1");
  });
});

/** A WebSocket whose server answers each subscribe with the frames `answer` gives, all at once. */
function scriptedWebSocket(answer: (id: string, channel: string) => unknown[]) {
  return class ScriptedWebSocket {
    readyState = 0;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onclose: ((event: { code: number }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    constructor() {
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.({});
      });
    }
    send(data: string) {
      const frame = JSON.parse(data) as { type: string; id: string; channel: string };
      if (frame.type !== "subscribe") return;
      for (const reply of answer(frame.id, frame.channel)) this.onmessage?.({ data: JSON.stringify(reply) });
    }
    close() {
      this.readyState = 3;
    }
  };
}

describe("frames a conformant server never sends", () => {
  it("are dropped: a notification without the contract's fields never reaches the callback", async () => {
    const message = {
      process_model_key: "M",
      event_key: "go",
      correlation_id: "c",
      process_instance_id: "i",
    };
    const WebSocket = scriptedWebSocket((id, channel) => [
      { type: "subscribed", id },
      { type: "notification", id, channel, message: { ...message, event_key: undefined } },
      { type: "notification", id, channel, message: { ...message, process_instance_id: 7 } },
      { type: "notification", id, channel },
      { type: "subscribed" },
      { type: "notification", id, channel, message },
    ]);
    const api = createExternalConsumerApi({ baseUrl: "http://x", WebSocket });
    const received: unknown[] = [];
    await api.onSignal(alice, "go", (m) => {
      received.push(m);
    });
    expect(received).toEqual([message]);
    await api.close();
  });
});
