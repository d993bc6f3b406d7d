import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  buildChannel,
  type ChannelKind,
  type ChannelParams,
  type ConsumerApi,
  channelList,
  channels,
  MORE_NOTIFICATION_CHANNELS,
  type MoreChannelKind,
  type ParsedChannel,
  parseChannel,
  subscribeToChannel,
} from "../src/index.js";

const moreKinds = Object.keys(MORE_NOTIFICATION_CHANNELS) as MoreChannelKind[];

const odd = "a b/c?d#e%f&g=h+ü✓";
const samples = (v: string): ParsedChannel[] => [
  { kind: "bpmnEvent", params: { processModelKey: `${v}m`, eventKey: `${v}e` } },
  { kind: "bpmnEvent", params: { processModelKey: `${v}m`, eventKey: `${v}e`, correlationId: `${v}c` } },
  { kind: "activity", params: { processModelKey: `${v}m`, activityKey: `${v}a` } },
  { kind: "activity", params: { processModelKey: `${v}m`, activityKey: `${v}a`, correlationId: `${v}c` } },
  { kind: "systemEvent", params: { processModelKey: `${v}m` } },
  { kind: "systemEvent", params: { processModelKey: `${v}m`, correlationId: `${v}c` } },
  { kind: "signal", params: { signalKey: `${v}s` } },
  ...moreKinds.flatMap((kind): ParsedChannel[] => [
    { kind, params: {} },
    { kind, params: { processModelKey: `${v}m` } },
    { kind, params: { processModelKey: `${v}m`, correlationId: `${v}c` } },
  ]),
];

// Keywords of the grammar as values must not confuse the parser.
const keywords = [
  "events",
  "correlations",
  "system_events",
  "process_notifications",
  "signals",
  "activities",
  ...moreKinds.map((kind) => MORE_NOTIFICATION_CHANNELS[kind].segment),
];

describe("channels", () => {
  it("has one definition per kind, each with its ConsumerApi method", () => {
    expect(channelList.map((c) => c.kind).sort()).toEqual(
      ["activity", "bpmnEvent", "signal", "systemEvent", ...moreKinds].sort(),
    );
    expect(channelList.map((c) => c.method).sort()).toEqual(
      [
        "onActivity",
        "onBpmnEvent",
        "onSignal",
        "onSystemEvent",
        ...moreKinds.map((kind) => MORE_NOTIFICATION_CHANNELS[kind].method),
      ].sort(),
    );
    expect(new Set(channelList.map((c) => c.method)).size).toBe(channelList.length);
  });

  it("builds SPEC §12's channel strings, unscoped, for a model and for a correlation", () => {
    expect(buildChannel("userTaskWaiting", {})).toBe("/user_task_waiting");
    expect(buildChannel("processStarted", { processModelKey: "Order" })).toBe(
      "/process_model/Order/process_started",
    );
    expect(buildChannel("processError", { processModelKey: "Order", correlationId: "c 1" })).toBe(
      "/process_model/Order/correlations/c%201/process_error",
    );
    expect(buildChannel("intermediateCatchEventFinished", {})).toBe("/intermediate_catch_event_finished");
    expect(() => buildChannel("processEnded", { correlationId: "c-1" })).toThrow(/^correlationId: /);
  });

  it.each(
    [...samples("Order"), ...samples(odd), ...keywords.flatMap(samples)].map((c) => [JSON.stringify(c), c]),
  )("build → parse round-trips %s", (_, channel) => {
    const built = buildChannel(channel.kind, channel.params as never);
    expect(parseChannel(built)).toEqual(channel);
  });

  it.each(samples("X").map((c) => [JSON.stringify(c), c]))(
    "%s fills one of its kind's templates",
    (_, channel) => {
      const built = buildChannel(channel.kind, channel.params as never);
      const p = channel.params as Record<string, string>;
      const filled = channels[channel.kind].templates.map((template) =>
        template
          .replace("{process_model_key}", p.processModelKey ?? "")
          .replace("{correlation_id}", p.correlationId ?? "")
          .replace("{event_key}", p.eventKey ?? "")
          .replace("{activity_key}", p.activityKey ?? "")
          .replace("{signal_key}", p.signalKey ?? ""),
      );
      expect(filled).toContain(built);
    },
  );

  it("refuses a lone surrogate, which no channel can carry, with a 400 naming the param", () => {
    expect(() => buildChannel("systemEvent", { processModelKey: "Order", correlationId: "c\uDC00" })).toThrow(
      BadRequestError,
    );
    expect(() => buildChannel("signal", { signalKey: "\uD800" })).toThrow(/signalKey/);
  });

  it("builds SPEC §5's channel strings", () => {
    expect(
      buildChannel("bpmnEvent", { processModelKey: "Order", eventKey: "End1", correlationId: "c-1" }),
    ).toBe("/process_model/Order/correlations/c-1/events/End1/process_notifications");
    expect(buildChannel("activity", { processModelKey: "Order", activityKey: "Review" })).toBe(
      "/process_model/Order/activities/Review/process_notifications",
    );
    expect(buildChannel("systemEvent", { processModelKey: "Order" })).toBe(
      "/process_model/Order/system_events",
    );
    expect(buildChannel("signal", { signalKey: "go now" })).toBe("/signals/go%20now/process_notifications");
  });

  it.each([
    "",
    "process_model/Order/system_events",
    "/",
    "/process_model",
    "/process_model/Order",
    "/process_model/Order/",
    "/process_model//system_events",
    "/process_model/Order/system_events/extra",
    "/process_model/Order/correlations/c-1",
    "/process_model/Order/correlations/system_events",
    "/process_model/Order/events/End1",
    "/process_model/Order/events/End1/other",
    "/process_model/Order/tasks/Review/process_notifications",
    "/process_models/Order/system_events",
    "/signals/go",
    "/signals//process_notifications",
    "/signals/go/process_notifications/more",
    "/process_model/%E0%A4%A/system_events",
    "/process_started/extra",
    "/user_task_waitin",
    "/process_model/Order/user_task_waiting/extra",
    "/process_model/Order/correlations/user_task_waiting",
    "/correlations/c-1/process_started",
  ])("rejects %j with a 400 naming the channel", (channel) => {
    try {
      parseChannel(channel);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).status).toBe(400);
      expect((error as BadRequestError).detail).toMatch(/^channel: /);
      expect((error as BadRequestError).detail).toContain(JSON.stringify(channel));
    }
  });

  it("subscribeToChannel calls the kind's ConsumerApi method with the parsed params", async () => {
    const calls: unknown[][] = [];
    const record =
      (method: string) =>
      async (...args: unknown[]) => {
        calls.push([method, ...args.filter((a) => typeof a !== "function")]);
        return { channel: "", unsubscribe: async () => {} };
      };
    // Only the subscription methods are reached; the route methods are never called here.
    const api = {
      onBpmnEvent: record("onBpmnEvent"),
      onActivity: record("onActivity"),
      onSystemEvent: record("onSystemEvent"),
      onSignal: record("onSignal"),
      onProcessError: record("onProcessError"),
    } as unknown as ConsumerApi;
    const context = { identity: "t" };
    const callback = () => {};
    for (const channel of samples("k").filter((c) => !moreKinds.includes(c.kind as MoreChannelKind))) {
      await subscribeToChannel(api, context, buildChannel(channel.kind, channel.params as never), callback);
    }
    expect(calls).toEqual([
      ["onBpmnEvent", context, "km", "ke", undefined],
      ["onBpmnEvent", context, "km", "ke", { correlationId: "kc" }],
      ["onActivity", context, "km", "ka", undefined],
      ["onActivity", context, "km", "ka", { correlationId: "kc" }],
      ["onSystemEvent", context, "km", undefined],
      ["onSystemEvent", context, "km", { correlationId: "kc" }],
      ["onSignal", context, "ks"],
    ]);
    calls.length = 0;
    for (const channel of [
      "/process_error",
      "/process_model/km/process_error",
      "/process_model/km/correlations/kc/process_error",
    ]) {
      await subscribeToChannel(api, context, channel, callback);
    }
    expect(calls).toEqual([
      ["onProcessError", context, {}],
      ["onProcessError", context, { processModelKey: "km" }],
      ["onProcessError", context, { processModelKey: "km", correlationId: "kc" }],
    ]);
    await expect(subscribeToChannel(api, context, "/nope", callback)).rejects.toBeInstanceOf(BadRequestError);
  });
});

// Type-level: ChannelParams covers every ChannelKind.
const _kinds: Record<ChannelKind, keyof ChannelParams> = {
  bpmnEvent: "bpmnEvent",
  activity: "activity",
  systemEvent: "systemEvent",
  signal: "signal",
  processStarted: "processStarted",
  processEnded: "processEnded",
  processTerminated: "processTerminated",
  processError: "processError",
  userTaskWaiting: "userTaskWaiting",
  userTaskFinished: "userTaskFinished",
  boundaryEventTriggered: "boundaryEventTriggered",
  intermediateThrowEventTriggered: "intermediateThrowEventTriggered",
  intermediateCatchEventReached: "intermediateCatchEventReached",
  intermediateCatchEventFinished: "intermediateCatchEventFinished",
};
