import { Validator } from "@seriousme/openapi-schema-validator";
import type { AnySchema } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { generateOpenApi, type JsonSchema, toOpenApiPath, toStableJson } from "../src/generate/index.js";
import {
  API_PREFIX,
  type NamedTypeName,
  NOTIFICATIONS_PATH,
  namedTypes,
  OPENAPI_PATH,
  PROBLEM_CONTENT_TYPE,
  routeList,
} from "../src/index.js";
import { specExamples } from "./spec-examples.js";
import { refsOf } from "./support/refs-of.js";

type Operation = {
  operationId: string;
  parameters: { name: string; in: string; required: boolean; schema: JsonSchema }[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, JsonSchema>;
  security?: unknown[];
};

const document = generateOpenApi();
const paths = document.paths as Record<string, Record<string, Operation>>;
const components = document.components as {
  schemas: Record<string, JsonSchema>;
  responses: Record<string, { content: Record<string, { schema: JsonSchema }> }>;
  securitySchemes: Record<string, JsonSchema>;
};

/** Resolves a local JSON pointer ("#/a/b") in the document. */
function resolve(ref: string): unknown {
  expect(ref.startsWith("#/")).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key.replaceAll("~1", "/")],
      document,
    );
}

describe("OpenAPI document", () => {
  it("passes an OpenAPI 3.1 validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is rejected by that validator when broken (the check can fail)", async () => {
    const broken = structuredClone(document) as Record<string, unknown>;
    const firstPath = Object.values(
      broken.paths as Record<string, Record<string, Record<string, unknown>>>,
    )[0];
    (Object.values(firstPath ?? {})[0] as Record<string, unknown>).responses = "none";
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("resolves every $ref inside the document", () => {
    const refs = refsOf(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(resolve(ref), ref).toBeDefined();
  });

  it("serves from API_PREFIX with the bearer scheme applied globally", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers).toEqual([{ url: API_PREFIX }]);
    expect(components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
  });

  it("has every named type as a component and no other", () => {
    expect(Object.keys(components.schemas).sort()).toEqual(Object.keys(namedTypes).sort());
  });

  it("documents the OpenAPI document itself (public) and the notification WebSocket upgrade", () => {
    expect(paths[OPENAPI_PATH]?.get?.security).toEqual([]);
    expect(paths[NOTIFICATIONS_PATH]?.get?.responses).toHaveProperty("101");
  });

  it("has exactly the routes of the table plus those two", () => {
    const operations = Object.values(paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    expect(operations.sort()).toEqual(
      [...routeList.map((route) => route.operation), "getOpenApiDocument", "openNotificationSocket"].sort(),
    );
  });

  describe.each(routeList.map((route) => [route.operation, route] as const))("%s", (_, route) => {
    const operation = paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()] as Operation;

    it("is at its path with {params}, operationId and every path param", () => {
      expect(operation.operationId).toBe(route.operation);
      expect(toOpenApiPath(route.path)).not.toContain(":");
      const pathParams = operation.parameters.filter((p) => p.in === "path");
      expect(pathParams.map((p) => `{${p.name}}`).join()).toBe(
        [...toOpenApiPath(route.path).matchAll(/\{[a-z_]+\}/g)].map((m) => m[0]).join(),
      );
      for (const param of pathParams) expect(param.required).toBe(true);
    });

    it("documents the request body, the success and every error status", () => {
      if (route.body) {
        expect(operation.requestBody?.required).toBe(route.bodyRequired);
        expect(operation.requestBody?.content["application/json"]).toBeDefined();
      } else {
        expect(operation.requestBody).toBeUndefined();
      }
      const statuses = Object.keys(operation.responses).map(Number).sort();
      expect(statuses).toEqual([route.successStatus, ...route.errorStatuses].sort());
      const success = operation.responses[String(route.successStatus)] as { content?: unknown };
      expect(success.content === undefined).toBe(route.successStatus === 204);
      for (const status of route.errorStatuses) {
        const response = resolve((operation.responses[String(status)] as { $ref: string }).$ref) as {
          content: Record<string, { schema: JsonSchema }>;
        };
        expect(response.content[PROBLEM_CONTENT_TYPE]?.schema).toEqual({
          $ref: "#/components/schemas/ProblemDetails",
        });
      }
    });
  });

  it("describes startCallbackType as the string enum of the query string, and end_event_id", () => {
    const operation = paths[
      toOpenApiPath("/process_models/:process_model_key/start_events/:start_event_key/start")
    ]?.post as Operation;
    const query = operation.parameters.filter((p) => p.in === "query");
    expect(query.map((p) => p.name)).toEqual(["startCallbackType", "end_event_id"]);
    expect(query[0]?.schema).toEqual({ type: "string", enum: ["1", "2", "3"] });
    expect(query.every((p) => p.required === false)).toBe(true);
  });

  it("its component schemas accept SPEC's examples and reject wrong ones (ajv, 2020-12)", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(structuredClone(document) as AnySchema, "openapi.json");
    for (const name of Object.keys(namedTypes) as NamedTypeName[]) {
      const validate = ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
      for (const value of specExamples[name].valid)
        expect(validate(value), `${name} ${JSON.stringify(value)}`).toBe(true);
      for (const value of specExamples[name].invalid)
        expect(validate(value), `${name} ${JSON.stringify(value)}`).toBe(false);
    }
  });

  it("is deterministic", () => {
    expect(toStableJson(generateOpenApi())).toBe(toStableJson(document));
  });
});
