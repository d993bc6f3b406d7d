import { describe, expect, it } from "vitest";
import { assertPlainJson, BadRequestError } from "../src/index.js";

function detailOf(value: unknown): string | undefined {
  try {
    assertPlainJson(value, "payload");
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as BadRequestError).detail;
  }
}

describe("assertPlainJson", () => {
  it("accepts plain JSON data, absent-by-undefined properties and null-prototype objects", () => {
    expect(detailOf({ a: [1, "x", null, true, { b: 2.5 }], gone: undefined })).toBeUndefined();
    expect(detailOf(Object.assign(Object.create(null), { a: 1 }))).toBeUndefined();
    expect(detailOf(JSON.parse('{"constructor":1,"prototype":{"toString":2}}'))).toBeUndefined();
  });

  it.each([
    ["a Date", { when: new Date(0) }, "payload.when: expected plain JSON data, not a Date"],
    ["NaN", { x: Number.NaN }, "payload.x: expected a finite number, not NaN"],
    ["undefined in an array", [1, undefined], "payload.1: not JSON data (undefined)"],
    ["a hole in an array", new Array(2), "payload.0: not JSON data (undefined)"],
    ["a function", { f() {} }, "payload.f: not JSON data (function)"],
    ["a Map", new Map(), "payload: expected plain JSON data, not a Map"],
    ["a bigint", { n: 1n }, "payload.n: not JSON data (bigint)"],
    ["a symbol key", { [Symbol("s")]: 1 }, "payload: has a symbol key"],
    ["an own __proto__ key", JSON.parse('{"a":{"__proto__":1}}'), "payload.a.__proto__"],
  ])("refuses %s, naming the path", (_what, value, detail) => {
    expect(detailOf(value)).toContain(detail);
  });

  it("refuses a cycle and a nesting past the depth limit, before walking them", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(detailOf(cycle)).toContain("payload.self.self");
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(detailOf(deep)).toContain("nested deeper than");
  });
});
