import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type AnySchema } from "ajv";
import { describe, expect, it } from "vitest";
import {
  type AsyncApiDocument,
  generateAsyncApi,
  type JsonSchema,
  toStableJson,
} from "../src/generate/index.js";
import { API_PREFIX, channelList, type NamedTypeName, NOTIFICATIONS_PATH } from "../src/index.js";
import { specExamples } from "./spec-examples.js";
import { refsOf } from "./support/refs-of.js";

const require = createRequire(import.meta.url);
// The official AsyncAPI 3.0.0 JSON Schema, bundled with its own copy of the draft-07 meta-schema, which is
// why ajv must not load its built-in one (meta: false) and must not validate the spec schema against it.
const asyncApiSchema = JSON.parse(
  readFileSync(require.resolve("@asyncapi/specs/schemas/3.0.0.json"), "utf8"),
);
const ajv = new Ajv({
  strict: false,
  allErrors: true,
  meta: false,
  validateSchema: false,
  validateFormats: false,
});
const validateAsyncApi = ajv.compile(asyncApiSchema as AnySchema);

const document = generateAsyncApi();
const channels = document.channels as Record<
  string,
  { address: string; parameters?: Record<string, unknown> }
>;
const operations = document.operations as Record<string, { action: string; messages: { $ref: string }[] }>;
const components = document.components as {
  schemas: Record<string, JsonSchema>;
  messages: Record<string, JsonSchema>;
};

function resolve(ref: string): unknown {
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

describe("AsyncAPI document", () => {
  it("is valid AsyncAPI 3.0.0", () => {
    expect(validateAsyncApi(document), JSON.stringify(validateAsyncApi.errors?.slice(0, 3))).toBe(true);
  });

  it("is rejected when broken (the check can fail)", () => {
    const broken = structuredClone(document) as AsyncApiDocument & {
      operations: Record<string, { action: string }>;
    };
    (Object.values(broken.operations)[0] as { action: string }).action = "publish";
    expect(validateAsyncApi(broken)).toBe(false);
  });

  it("resolves every $ref inside the document", () => {
    for (const ref of refsOf(document)) expect(resolve(ref), ref).toBeDefined();
  });

  it("puts the socket at API_PREFIX + NOTIFICATIONS_PATH", () => {
    const server = (document.servers as Record<string, { pathname: string; protocol: string }>).consumerApi;
    expect(server?.protocol).toBe("ws");
    expect(`${server?.pathname}${channels.notificationSocket?.address}`).toBe(
      `${API_PREFIX}${NOTIFICATIONS_PATH}`,
    );
  });

  it("client frames are receive operations, server frames send operations", () => {
    const byAction = (action: string) =>
      Object.values(operations)
        .filter(
          (op) => op.action === action && op.messages[0]?.$ref.startsWith("#/channels/notificationSocket/"),
        )
        .map((op) => op.messages[0]?.$ref.split("/").pop())
        .sort();
    expect(byAction("receive")).toEqual(["AuthenticateFrame", "SubscribeFrame", "UnsubscribeFrame"]);
    expect(byAction("send")).toEqual(["ErrorFrame", "NotificationFrame", "SubscribedFrame"]);
  });

  it("lists every notification channel template with its parameters", () => {
    const addresses = Object.values(channels).map((c) => c.address);
    for (const definition of channelList) {
      for (const template of definition.templates) {
        expect(addresses).toContain(template);
        const channel = Object.values(channels).find((c) => c.address === template);
        const names = [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]).sort();
        expect(Object.keys(channel?.parameters ?? {}).sort()).toEqual(names);
      }
    }
  });

  it("its frame schemas accept SPEC's examples and reject wrong ones", () => {
    const frames = new Ajv({ strict: false, allErrors: true });
    frames.addSchema(structuredClone(document) as AnySchema, "asyncapi.json");
    for (const name of Object.keys(components.schemas) as NamedTypeName[]) {
      const validate = frames.compile({ $ref: `asyncapi.json#/components/schemas/${name}` });
      for (const value of specExamples[name].valid)
        expect(validate(value), `${name} ${JSON.stringify(value)}`).toBe(true);
      for (const value of specExamples[name].invalid)
        expect(validate(value), `${name} ${JSON.stringify(value)}`).toBe(false);
    }
  });

  it("is deterministic", () => {
    expect(toStableJson(generateAsyncApi())).toBe(toStableJson(document));
  });
});
