import { BadRequestError } from "@consumer-api/contracts";
import type { FormFieldDefinition } from "@consumer-api/engine";
import { describe, expect, it } from "vitest";
import { isIsoDate, validateFormValues } from "../src/form-validation.js";

const fields: FormFieldDefinition[] = [
  { id: "s", type: "string" },
  { id: "l", type: "long" },
  { id: "n", type: "number" },
  { id: "b", type: "boolean" },
  { id: "d", type: "date" },
  {
    id: "e",
    type: "enum",
    enumValues: [
      { id: "low", name: "Low" },
      { id: "high", name: "High" },
    ],
  },
  { id: "r", type: "string", required: true },
];

function problem(values: Record<string, unknown>): string | undefined {
  try {
    validateFormValues(fields, values);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as BadRequestError).detail;
  }
}

describe("validateFormValues", () => {
  it.each<[string, unknown]>([
    ["s", "text"],
    ["s", ""],
    ["l", 42],
    ["l", -7],
    ["n", 1.5],
    ["n", 3],
    ["b", true],
    ["b", false],
    ["d", "2026-01-31"],
    ["d", "2026-01-31T12:30:00Z"],
    ["d", "2024-02-29T23:59:59.123+02:00"],
    ["e", "low"],
    ["e", "high"],
  ])("accepts %s = %j", (id, value) => {
    expect(problem({ r: "x", [id]: value })).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ["s", 1],
    ["s", null],
    ["l", 1.5],
    ["l", "42"],
    ["l", Number.NaN],
    ["n", "1.5"],
    ["n", Number.POSITIVE_INFINITY],
    ["b", "true"],
    ["b", 0],
    ["d", "31.01.2026"],
    ["d", "2026-02-30"],
    ["d", "2026-13-01"],
    ["d", "2026-01-31T25:00:00Z"],
    ["d", 1767139200000],
    ["e", "medium"],
    ["e", "Low"],
    ["e", 1],
  ])("rejects %s = %j naming the field", (id, value) => {
    expect(problem({ r: "x", [id]: value })).toMatch(new RegExp(`formFields\\.${id}:`));
  });

  it("rejects an unknown field, naming it", () => {
    expect(problem({ r: "x", extra: 1 })).toMatch(/formFields\.extra: unknown form field/);
  });

  it("rejects a missing required field, naming it; optional fields may be left out", () => {
    expect(problem({})).toMatch(/formFields\.r: required/);
    expect(problem({ r: "x" })).toBeUndefined();
  });

  it("names every offending field at once", () => {
    const detail = problem({ s: 1, extra: true });
    expect(detail).toMatch(/formFields\.s:/);
    expect(detail).toMatch(/formFields\.extra:/);
    expect(detail).toMatch(/formFields\.r:/);
  });

  it("does not mistake inherited properties for given values", () => {
    expect(problem({ r: "x", constructor: 1 })).toMatch(/formFields\.constructor: unknown/);
    const withConstructorField: FormFieldDefinition[] = [
      { id: "constructor", type: "string", required: true },
    ];
    expect(() => validateFormValues(withConstructorField, {})).toThrow(/formFields\.constructor: required/);
  });
});

describe("isIsoDate", () => {
  it("knows leap years", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2025-02-29")).toBe(false);
  });
});
