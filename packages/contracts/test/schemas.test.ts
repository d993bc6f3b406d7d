import { describe, expect, it } from "vitest";
import { type NamedTypeName, namedTypes } from "../src/index.js";
import { specExamples } from "./spec-examples.js";

const names = Object.keys(namedTypes) as NamedTypeName[];

describe("named types", () => {
  it("carry their own name as zod id, so generated refs use the contract's names", () => {
    for (const name of names) expect(namedTypes[name].meta()?.id).toBe(name);
  });

  it("every named type has examples, and every one but EventTriggerPayload has wrong ones", () => {
    expect(Object.keys(specExamples).sort()).toEqual([...names].sort());
    for (const name of names) {
      if (name !== "EventTriggerPayload") expect(specExamples[name].invalid.length, name).toBeGreaterThan(0);
    }
  });

  describe.each(names)("%s", (name) => {
    const schema = namedTypes[name];
    it.each(specExamples[name].valid.map((value) => [JSON.stringify(value), value]))(
      "accepts %s",
      (_, value) => {
        const result = schema.safeParse(value);
        expect(result.error?.issues).toBeUndefined();
      },
    );
    if (specExamples[name].invalid.length > 0) {
      it.each(specExamples[name].invalid.map((value) => [JSON.stringify(value), value]))(
        "rejects %s",
        (_, value) => {
          expect(schema.safeParse(value).success).toBe(false);
        },
      );
    }
  });
});
