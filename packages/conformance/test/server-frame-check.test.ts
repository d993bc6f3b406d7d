import { describe, expect, it } from "vitest";
import { serverFrameViolation } from "../src/server-frame-check.js";

const message = {
  process_model_key: "M",
  event_key: "started",
  correlation_id: "c",
  process_instance_id: "p",
};

describe("serverFrameViolation", () => {
  it.each([
    { type: "subscribed", id: "s-1" },
    { type: "notification", id: "s-1", channel: "/signals/go/process_notifications", message },
    { type: "notification", id: "s-1", channel: "/x", message: { ...message, payload: [1], extra: true } },
    { type: "error", id: null, status: 400, title: "Bad Request", detail: "frame: not JSON" },
  ])("accepts %j", (frame) => {
    expect(serverFrameViolation(JSON.stringify(frame))).toBeUndefined();
  });

  it.each([
    { type: "subscribed" },
    { type: "notification", id: "s-1", channel: "/x", message: { ...message, correlation_id: undefined } },
    { type: "notification", id: "s-1", message },
    { type: "error", id: null, status: "400", title: "Bad Request", detail: "d" },
    { type: "error", status: 401, title: "Unauthorized", detail: "d" },
    { type: "subscribe", id: "s-1", channel: "/x" },
  ])("rejects %j, naming the schema", (frame) => {
    expect(serverFrameViolation(JSON.stringify(frame))).toContain("ServerFrame");
  });

  it("rejects a frame that is not JSON", () => {
    expect(serverFrameViolation("subscribed s-1")).toMatch(/^not JSON/);
  });
});
