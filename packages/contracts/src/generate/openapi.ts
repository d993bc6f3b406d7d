import type { z } from "zod";
import { errorFromProblem } from "../errors.js";
import { type NamedTypeName, namedTypes } from "../named-types.js";
import { PROBLEM_CONTENT_TYPE } from "../problem-details.js";
import { type AnyRoute, API_PREFIX, NOTIFICATIONS_PATH, OPENAPI_PATH, routeList } from "../routes.js";
import {
  generateJsonSchema,
  type JsonSchema,
  namedTypeOf,
  rewriteRefs,
  zodToJsonSchema,
} from "./json-schema.js";
import { sortKeysDeep } from "./stable-json.js";
import type { WireSide } from "./wire-direction.js";

/** The version of the contract (the `v1` of API_PREFIX), not of the npm package: it changes with the API only. */
export const CONTRACT_VERSION = "1.0.0";

export type OpenApiDocument = { openapi: "3.1.0"; [key: string]: unknown };

const componentRef = (name: string) => `#/components/schemas/${name}`;
const BEARER = "bearerAuth";

/** The title of the contract's error class for a status (its reason phrase). */
const problemTitle = (status: number) =>
  errorFromProblem({ type: "about:blank", title: "Error", status, detail: "" }).title;

/** A named type as an OpenAPI component: its 2020-12 schema with refs pointing at other components. */
function componentSchema(name: NamedTypeName): JsonSchema {
  const { $schema: _, $defs: __, ...schema } = generateJsonSchema(name, { draft: "2020-12" });
  rewriteRefs(schema, (ref) =>
    ref === "#" ? componentRef(name) : ref.replace("#/$defs/", "#/components/schemas/"),
  );
  return schema;
}

/** A schema used by a route: a $ref when it is a named type, else inline with nested named types as refs. */
function schemaFor(schema: z.ZodType, io: WireSide): JsonSchema {
  const name = namedTypeOf(schema);
  if (name) return { $ref: componentRef(name) };
  const { $schema: _, $defs: __, ...inline } = zodToJsonSchema(schema, "2020-12", io);
  rewriteRefs(inline, (ref) => ref.replace("#/$defs/", "#/components/schemas/"));
  return inline;
}

function parameters(route: AnyRoute): JsonSchema[] {
  const path = schemaFor(route.params, "input");
  const pathProperties = (path.properties ?? {}) as Record<string, JsonSchema>;
  // Path parameters in the order they appear in the template.
  const pathNames = [...route.path.matchAll(/:([a-z_]+)/g)].map((m) => m[1] as string);
  const result: JsonSchema[] = pathNames.map((name) => {
    const { description, ...schema } = pathProperties[name] ?? { type: "string" };
    return { name, in: "path", required: true, ...(description ? { description } : {}), schema };
  });
  // Query values arrive as strings: the query schema's input side is the wire shape.
  const query = schemaFor(route.query, "input");
  const required = new Set((query.required ?? []) as string[]);
  for (const [name, property] of Object.entries((query.properties ?? {}) as Record<string, JsonSchema>)) {
    const { description, ...schema } = property;
    result.push({
      name,
      in: "query",
      required: required.has(name),
      ...(description ? { description } : {}),
      schema,
    });
  }
  return result;
}

function responses(route: AnyRoute): JsonSchema {
  const result: JsonSchema = {};
  if (route.successStatus === 204 || !route.response) {
    result[String(route.successStatus)] = { description: "Done; no content." };
  } else {
    result[String(route.successStatus)] = {
      description: "OK",
      content: { "application/json": { schema: schemaFor(route.response, "output") } },
    };
  }
  for (const status of route.errorStatuses)
    result[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  return result;
}

function operation(route: AnyRoute): JsonSchema {
  const op: JsonSchema = {
    operationId: route.operation,
    summary: route.summary,
    parameters: parameters(route),
    responses: responses(route),
  };
  if (route.body) {
    op.requestBody = {
      required: route.bodyRequired,
      content: { "application/json": { schema: schemaFor(route.body, "input") } },
    };
  }
  return op;
}

/** `/process_models/:process_model_key` → `/process_models/{process_model_key}` */
export function toOpenApiPath(template: string): string {
  return template.replace(/:([a-z_]+)/g, "{$1}");
}

/**
 * The OpenAPI 3.1 document of every route of the route table. The server URL is API_PREFIX (relative, so
 * it resolves against wherever the document is served) and paths are the route templates relative to it.
 * The result is a plain, key-sorted object: serve it with JSON.stringify or write it with toStableJson.
 */
export function generateOpenApi(): OpenApiDocument {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routeList) {
    const path = toOpenApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  paths[OPENAPI_PATH] = {
    get: {
      operationId: "getOpenApiDocument",
      summary: "This document.",
      security: [],
      responses: {
        "200": {
          description: "The OpenAPI document.",
          content: { "application/json": { schema: { type: "object" } } },
        },
      },
    },
  };
  paths[NOTIFICATIONS_PATH] = {
    get: {
      operationId: "openNotificationSocket",
      summary: "Upgrade to the notification WebSocket.",
      description:
        "Frames and channels are described by the AsyncAPI document (asyncapi.json). The token comes in the Authorization header of the upgrade request or, for browsers, in a first `authenticate` frame.",
      // The bearer header is optional here: a browser authenticates with its first frame instead.
      security: [{ [BEARER]: [] }, {}],
      parameters: [
        { name: "Upgrade", in: "header", required: true, schema: { type: "string", const: "websocket" } },
      ],
      responses: { "101": { description: "Switching Protocols: the WebSocket is open." } },
    },
  };

  const schemas: Record<string, JsonSchema> = {};
  for (const name of Object.keys(namedTypes) as NamedTypeName[]) schemas[name] = componentSchema(name);

  const problemResponses: Record<string, JsonSchema> = {};
  const statuses = new Set(routeList.flatMap((route) => route.errorStatuses));
  for (const status of [...statuses].sort()) {
    problemResponses[`Problem${status}`] = {
      description: problemTitle(status),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: componentRef("ProblemDetails") } } },
    };
  }

  return sortKeysDeep({
    openapi: "3.1.0",
    info: {
      title: "ConsumerAPI",
      version: CONTRACT_VERSION,
      description:
        "Executes BPMN process models and carries the interaction between a consumer and a process engine. Every error is an RFC 9457 problem+json body.",
    },
    servers: [{ url: API_PREFIX }],
    security: [{ [BEARER]: [] }],
    paths,
    components: {
      schemas,
      responses: problemResponses,
      securitySchemes: {
        [BEARER]: {
          type: "http",
          scheme: "bearer",
          description: "The caller's token (ConsumerContext.identity).",
        },
      },
    },
  }) as OpenApiDocument;
}
