// The wire schemas a client checks answers with: generated from the zod schemas, checked in so the client
// needs no zod, and checked by json-schema-check.ts the way a JSON Schema validator would.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { generateWireSchemas, WIRE_SCHEMAS_FILE, wireSchemasModule } from "../src/generate/index.js";
import { wireDefs, wireRoots } from "../src/generated/wire-schemas.js";
import {
  channelList,
  endpointList,
  endpoints,
  type NamedTypeName,
  type OperationName,
  routeList,
  routes,
  schemaViolation,
  wireViolation,
} from "../src/index.js";
import { specExamples } from "./spec-examples.js";

const checked = (name: string, value: unknown) =>
  schemaViolation(value, { $ref: `#/$defs/${name}` }, wireDefs);

describe("the generated wire schemas", () => {
  it(`${WIRE_SCHEMAS_FILE} is current (else run: pnpm --filter @consumer-api/contracts generate)`, () => {
    const file = readFileSync(new URL(`../${WIRE_SCHEMAS_FILE}`, import.meta.url), "utf8");
    expect(file).toBe(wireSchemasModule());
    expect({ roots: wireRoots, $defs: wireDefs }).toEqual(generateWireSchemas());
  }, 60_000);

  it("describe every answer with a body, every server frame, the problem body and each §12 message", () => {
    const withBody = routeList.filter((route) => route.response).map((route) => route.operation);
    const messages = [...new Set(channelList.map((channel) => channel.message))].filter(
      (name) => name !== "NotificationMessage",
    );
    expect(Object.keys(wireRoots).sort()).toEqual(
      [...withBody, "ProblemDetails", "ServerFrame", ...messages].sort(),
    );
  });

  const named = Object.keys(wireDefs).filter((name) => name in specExamples) as NamedTypeName[];
  it.each(named)("%s: accepts SPEC's examples and refuses the wrong ones, as ajv does", (name) => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile({ $defs: wireDefs, $ref: `#/$defs/${name}` });
    const { valid, invalid } = specExamples[name as keyof typeof specExamples];
    for (const value of valid) {
      expect(checked(name, value)).toBeUndefined();
      expect(validate(value)).toBe(true);
    }
    for (const value of invalid) {
      expect(checked(name, value)).toEqual(expect.any(String));
      expect(validate(value)).toBe(false);
    }
  });

  it("names the path of the first violation", () => {
    expect(wireViolation("getProcessModels", { models: [] }, "answer")).toBe(
      "answer.processModels: required",
    );
    expect(
      wireViolation("getProcessModels", { processModels: [{ key: 1, startEvents: [], endEvents: [] }] }),
    ).toBe("value.processModels.0.key: expected string");
    expect(wireViolation("triggerEvent", "anything")).toBeUndefined();
  });

  it("keep what a server sends open to added keys, as the published schemas do", () => {
    const problem = { type: "about:blank", title: "Forbidden", status: 403, detail: "No.", traceId: "t" };
    expect(wireViolation("ProblemDetails", problem)).toBeUndefined();
  });
});

describe("the endpoint table", () => {
  it("is the route table without its schemas", () => {
    expect(endpointList.map((endpoint) => endpoint.operation)).toEqual(
      routeList.map((route) => route.operation),
    );
    for (const route of routeList) {
      const { params, query, body, response, toArgs, ...endpoint } = route;
      const operation = route.operation as OperationName;
      expect(endpoint).toEqual(endpoints[operation]);
      expect(routes[operation]).toBe(route);
    }
  });
});
