import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  ProcessStartRequestPayload,
  parseOrBadRequest,
  routes,
  UserTaskResult,
} from "../src/index.js";

function badRequestDetail(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as BadRequestError).detail;
  }
  throw new Error("expected a BadRequestError");
}

describe("parseOrBadRequest", () => {
  it("returns the parsed value", () => {
    expect(parseOrBadRequest(UserTaskResult, { formFields: { a: 1 } }, "body")).toEqual({
      formFields: { a: 1 },
    });
  });

  it("names the offending field", () => {
    expect(
      badRequestDetail(() => parseOrBadRequest(ProcessStartRequestPayload, { correlationId: 5 }, "body")),
    ).toMatch(/^body\.correlationId: /);
    expect(badRequestDetail(() => parseOrBadRequest(UserTaskResult, {}, "body"))).toMatch(
      /^body\.formFields: /,
    );
    expect(badRequestDetail(() => parseOrBadRequest(UserTaskResult, "x", "body"))).toMatch(/^body: /);
  });

  it("names each property a strict schema does not define, at its own path (SPEC Part two)", () => {
    expect(
      badRequestDetail(() =>
        parseOrBadRequest(ProcessStartRequestPayload, { corelationId: "x", b: 1 }, "body"),
      ),
    ).toBe("body.corelationId: not defined by the contract; body.b: not defined by the contract");
    expect(
      badRequestDetail(() => parseOrBadRequest(routes.getProcessModels.query, { offsett: "1" }, "query")),
    ).toBe("query.offsett: not defined by the contract");
    expect(parseOrBadRequest(UserTaskResult, { formFields: { anything: { nested: 1 } } }, "body")).toEqual({
      formFields: { anything: { nested: 1 } },
    });
  });

  it("decodes the start query: startCallbackType as a number, unknown values and 3 without end_event_id are 400s", () => {
    const query = routes.startProcessInstance.query;
    expect(parseOrBadRequest(query, { startCallbackType: "2" }, "query")).toEqual({ startCallbackType: 2 });
    expect(parseOrBadRequest(query, {}, "query")).toEqual({});
    expect(parseOrBadRequest(query, { startCallbackType: "3", end_event_id: "End1" }, "query")).toEqual({
      startCallbackType: 3,
      end_event_id: "End1",
    });
    expect(badRequestDetail(() => parseOrBadRequest(query, { startCallbackType: "4" }, "query"))).toMatch(
      /^query\.startCallbackType: /,
    );
    expect(badRequestDetail(() => parseOrBadRequest(query, { startCallbackType: "3" }, "query"))).toMatch(
      /^query\.end_event_id: /,
    );
  });

  it("ignores end_event_id for callback types 1 and 2, even an empty one (SPEC §4.3), and requires it non-empty for 3", () => {
    const query = routes.startProcessInstance.query;
    for (const startCallbackType of [undefined, "1", "2"]) {
      const parsed = query.safeParse({ startCallbackType, end_event_id: "" });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
    expect(
      badRequestDetail(() => parseOrBadRequest(query, { startCallbackType: "3", end_event_id: "" }, "query")),
    ).toMatch(/^query\.end_event_id: /);
  });
});
