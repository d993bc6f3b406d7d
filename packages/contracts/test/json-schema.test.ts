import { Ajv, type AnySchema } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import {
  definitionsKeyword,
  generateJsonSchema,
  generateJsonSchemas,
  JSON_SCHEMA_DRAFTS,
  type JsonSchema,
  toStableJson,
  wireSideOf,
} from "../src/generate/index.js";
import { type NamedTypeName, namedTypes } from "../src/index.js";
import { specExamples } from "./spec-examples.js";
import { refsOf } from "./support/refs-of.js";

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on .default.
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv };

const names = Object.keys(namedTypes) as NamedTypeName[];
const metaSchema = {
  "07": "http://json-schema.org/draft-07/schema#",
  "2020-12": "https://json-schema.org/draft/2020-12/schema",
} as const;

function newAjv(draft: (typeof JSON_SCHEMA_DRAFTS)[number]): Ajv {
  const options = { strict: true, allErrors: true };
  const ajv = draft === "07" ? new Ajv(options) : (new Ajv2020(options) as unknown as Ajv);
  addFormats.default(ajv);
  return ajv;
}

describe.each(JSON_SCHEMA_DRAFTS)("JSON Schema draft %s", (draft) => {
  const documents = generateJsonSchemas({ draft });
  const ajv = newAjv(draft);
  const defsKey = definitionsKeyword(draft);

  it("has one document per named type", () => {
    expect(Object.keys(documents).sort()).toEqual([...names].sort());
  });

  describe.each(names)("%s", (name) => {
    const document = documents[name];
    const validate = ajv.compile(document as AnySchema);

    it("has its $schema, its name as title, and only refs into its own definitions", () => {
      expect(document.$schema).toBe(metaSchema[draft]);
      expect(document.title).toBe(name);
      expect(ajv.validateSchema(document as AnySchema)).toBe(true);
      const defs = (document[defsKey] ?? {}) as Record<string, JsonSchema>;
      for (const ref of refsOf(document)) {
        if (ref === "#") continue;
        expect(ref.startsWith(`#/${defsKey}/`)).toBe(true);
        expect(defs[ref.slice(`#/${defsKey}/`.length)], ref).toBeDefined();
      }
      expect(draft === "07" ? document.$defs : document.definitions).toBeUndefined();
    });

    it("nests other named types as titled definitions identical to their own documents", () => {
      const defs = (document[defsKey] ?? {}) as Record<string, JsonSchema>;
      for (const [defName, def] of Object.entries(defs)) {
        expect(def.title).toBe(defName);
        const { $schema: _, [defsKey]: __, ...own } = documents[defName as NamedTypeName];
        expect(def).toEqual(own);
      }
    });

    it.each(specExamples[name].valid.map((value) => [JSON.stringify(value), value]))(
      "accepts %s",
      (_, value) => {
        expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
      },
    );

    if (specExamples[name].invalid.length > 0) {
      it.each(specExamples[name].invalid.map((value) => [JSON.stringify(value), value]))(
        "rejects %s",
        (_, value) => {
          expect(validate(value)).toBe(false);
        },
      );
    }
  });

  it("leaves every answer open to added keys, so an additive server change breaks no client; request bodies and frames are closed", () => {
    // SPEC's shapes are stable, so they only ever grow: a response validated against these schemas must
    // still pass when a later server adds a key (RFC 9457 even invites extension members in problems).
    const sent = ajv.compile(documents.ProcessStartResponsePayload as AnySchema);
    expect(sent({ correlationId: "c", processInstanceId: "p", extra: 1 })).toBe(true);
    expect(sent({ correlationId: "c", extra: 1 })).toBe(false);
    expect(sent({ correlationId: "c", processInstanceId: 7 })).toBe(false);
    const problem = ajv.compile(documents.ProblemDetails as AnySchema);
    const aspNetProblem = {
      type: "about:blank",
      title: "Not Found",
      status: 404,
      detail: "d",
      traceId: "00-1",
    };
    expect(problem({ ...aspNetProblem, instance: "/api/consumer/v1/process_models/X" })).toBe(true);
    const nested = ajv.compile(documents.UserTaskList as AnySchema);
    const task = specExamples.UserTaskList.valid[0] as { userTasks: Record<string, unknown>[] };
    const extended = { userTasks: task.userTasks.map((t) => ({ ...t, priority: 1 })), page: 1 };
    expect(nested(extended), JSON.stringify(nested.errors)).toBe(true);
    const closed = Object.entries(documents)
      .filter(([, schema]) => JSON.stringify(schema).includes('"additionalProperties":false'))
      .map(([name]) => name)
      .sort();
    // SPEC Part two: what a client sends has fixed properties; an unknown one is a 400 naming it.
    expect(closed).toEqual(
      [
        "AuthenticateFrame",
        "ClientFrame",
        "ExtendLockRequest",
        "FetchAndLockRequest",
        "FinishExternalTaskRequest",
        "HandleBpmnErrorRequest",
        "HandleServiceErrorRequest",
        "ProcessStartRequestPayload",
        "SubscribeFrame",
        "UnsubscribeFrame",
        "UserTaskResult",
      ].sort(),
    );
    // zod, the TypeScript side of the same contract, strips unknown keys of answers instead of failing.
    expect(
      namedTypes.ProcessStartResponsePayload.parse({ correlationId: "c", processInstanceId: "p", extra: 1 }),
    ).toEqual({ correlationId: "c", processInstanceId: "p" });
    const received = ajv.compile(documents.ProcessStartRequestPayload as AnySchema);
    expect(received({ correlationId: "c", extra: 1 })).toBe(false);
    expect(received({ correlationId: "c", inputValues: { extra: 1 } })).toBe(true);
    expect(namedTypes.ProcessStartRequestPayload.safeParse({ correlationId: "c", extra: 1 }).success).toBe(
      false,
    );
    expect(wireSideOf("ClientFrame")).toBe("input");
    expect(wireSideOf("ServerFrame")).toBe("output");
  });

  it("describes z.unknown() as any ({}) and keeps optional fields out of required", () => {
    const field = documents.UserTaskFormField;
    const properties = field.properties as Record<string, JsonSchema>;
    const { description: _, ...defaultValue } = properties.defaultValue as JsonSchema;
    expect(defaultValue).toEqual({});
    expect(field.required).toEqual(["id", "type"]);
    expect(documents.EventTriggerPayload).toEqual({
      $schema: metaSchema[draft],
      title: "EventTriggerPayload",
    });
    expect(documents.ProcessStartRequestPayload.required).toBeUndefined();
  });

  it("is deterministic", () => {
    expect(toStableJson(generateJsonSchemas({ draft }))).toBe(toStableJson(documents));
    expect(toStableJson(generateJsonSchema("UserTaskList", { draft }))).toBe(
      toStableJson(documents.UserTaskList),
    );
  });
});

it("defaults to draft-07", () => {
  expect(generateJsonSchema("ProblemDetails").$schema).toBe(metaSchema["07"]);
});
