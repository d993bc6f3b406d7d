import type { z } from "zod";
import { channelList } from "../channels.js";
import type { NamedTypeName } from "../named-types.js";
import { API_PREFIX, NOTIFICATIONS_PATH } from "../routes.js";
import { ClientFrame, ServerFrame } from "../ws-frames.js";
import { generateJsonSchema, type JsonSchema, namedTypeOf, rewriteRefs } from "./json-schema.js";
import { CONTRACT_VERSION } from "./openapi.js";
import { sortKeysDeep } from "./stable-json.js";

export type AsyncApiDocument = { asyncapi: "3.0.0"; [key: string]: unknown };

const SOCKET = "notificationSocket";
const BEARER = "bearerAuth";
const schemaRef = (name: string) => `#/components/schemas/${name}`;

interface Frame {
  name: NamedTypeName;
  /** The frame's `type` discriminator, used as the message name. */
  type: string;
}

/** The members of a frame union, by their named type and discriminator. */
function framesOf(union: typeof ClientFrame | typeof ServerFrame): Frame[] {
  return union.options.map((option: z.ZodObject) => {
    const name = namedTypeOf(option);
    if (!name) throw new Error("Every frame must be a named type.");
    return { name, type: String((option.shape.type as z.ZodLiteral).value) };
  });
}

/**
 * AsyncAPI's default schema format is a superset of JSON Schema draft-07, so components are the draft-07
 * schemas with refs pointing at other components. Only the named types the frames reach are included.
 */
function componentSchemas(seeds: NamedTypeName[]): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  const pending = [...seeds];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (schemas[name]) continue;
    const { $schema: _, definitions, ...schema } = generateJsonSchema(name, { draft: "07" });
    rewriteRefs(schema, (ref) =>
      ref === "#" ? schemaRef(name as string) : ref.replace("#/definitions/", "#/components/schemas/"),
    );
    schemas[name] = schema;
    pending.push(...(Object.keys(definitions ?? {}) as NamedTypeName[]));
  }
  return schemas;
}

/**
 * The template decides the suffix, so ids stay stable when templates are added: `bpmnEvent` /
 * `bpmnEventInCorrelation` (§5, a model always given); `processStarted` / `processStartedInModel` /
 * `processStartedInCorrelation` (§12, unscoped or scoped).
 */
function channelSuffix(template: string, modelOptional: boolean): "" | "InModel" | "InCorrelation" {
  if (template.includes("{correlation_id}")) return "InCorrelation";
  return modelOptional && template.includes("{process_model_key}") ? "InModel" : "";
}

/**
 * The AsyncAPI 3.0 description of the notification WebSocket (SPEC §5), seen from the server: frames a
 * client sends are `receive` operations, frames the server sends are `send` operations. The notification
 * channels of SPEC §5 are not socket addresses but strings inside `subscribe` and `notification` frames;
 * they are listed as channels of their own (with `x-consumer-api-method`, the ConsumerApi method that
 * subscribes to them) so every template and parameter is documented in one place.
 */
export function generateAsyncApi(): AsyncApiDocument {
  const clientFrames = framesOf(ClientFrame);
  const serverFrames = framesOf(ServerFrame);
  const messages: Record<string, JsonSchema> = {};
  for (const frame of [...clientFrames, ...serverFrames]) {
    messages[frame.name] = {
      name: frame.type,
      title: frame.name,
      payload: { $ref: schemaRef(frame.name) },
    };
  }
  const notificationMessages = [...new Set(channelList.map((definition) => definition.message))];
  for (const name of notificationMessages) {
    messages[name] = {
      name,
      title: name,
      summary:
        name === "NotificationMessage"
          ? "The message of a notification frame: SPEC §5's shape, on every §5 channel and several of §12."
          : "The message of a notification frame on a SPEC §12 channel: §5's shape with the fields it adds.",
      payload: { $ref: schemaRef(name) },
    };
  }

  const messageRef = (name: string) => ({ $ref: `#/components/messages/${name}` });
  const channels: Record<string, JsonSchema> = {
    [SOCKET]: {
      address: NOTIFICATIONS_PATH,
      title: "Notification WebSocket",
      description:
        "One WebSocket per client, JSON text frames. Subscriptions name a notification channel in their `channel` field.",
      messages: Object.fromEntries(
        [...clientFrames, ...serverFrames].map((frame) => [frame.name, messageRef(frame.name)]),
      ),
    },
  };
  const operations: Record<string, JsonSchema> = {};
  for (const frame of clientFrames) {
    operations[`receive${frame.name}`] = {
      action: "receive",
      channel: { $ref: `#/channels/${SOCKET}` },
      summary: `A client sends a "${frame.type}" frame.`,
      messages: [{ $ref: `#/channels/${SOCKET}/messages/${frame.name}` }],
    };
  }
  for (const frame of serverFrames) {
    operations[`send${frame.name}`] = {
      action: "send",
      channel: { $ref: `#/channels/${SOCKET}` },
      summary: `The server sends a "${frame.type}" frame.`,
      messages: [{ $ref: `#/channels/${SOCKET}/messages/${frame.name}` }],
    };
  }

  const titleSuffix = { "": "", InModel: " of one process model", InCorrelation: " in one correlation" };
  for (const definition of channelList) {
    const modelOptional = definition.capability === "moreNotifications";
    for (const template of definition.templates) {
      const suffix = channelSuffix(template, modelOptional);
      const id = `${definition.kind}${suffix}`;
      const names = [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] as string);
      channels[id] = {
        address: template,
        title: `${definition.kind} notifications${titleSuffix[suffix]}`,
        description: `${definition.description} Carried in the \`channel\` field of subscribe and notification frames on ${API_PREFIX}${NOTIFICATIONS_PATH}.`,
        parameters: Object.fromEntries(
          names.map((name) => [name, { description: `The ${name.replaceAll("_", " ")} (URI-encoded).` }]),
        ),
        messages: { [definition.message]: messageRef(definition.message) },
        "x-consumer-api-method": definition.method,
        "x-consumer-api-capability": definition.capability,
      };
      operations[`${definition.method}${suffix}`] = {
        action: "send",
        channel: { $ref: `#/channels/${id}` },
        summary: `Notifies subscribers of ${definition.method}.`,
        messages: [{ $ref: `#/channels/${id}/messages/${definition.message}` }],
      };
    }
  }

  return sortKeysDeep({
    asyncapi: "3.0.0",
    info: {
      title: "ConsumerAPI notifications",
      version: CONTRACT_VERSION,
      description:
        "Notifications of the ConsumerAPI over a WebSocket (SPEC §5, §12). A caller receives only messages about elements it may access, except signals. A channel of a capability the server does not offer (x-consumer-api-capability, SPEC §14) is refused with a 400 error frame.",
    },
    defaultContentType: "application/json",
    servers: {
      consumerApi: {
        host: "{host}",
        protocol: "ws",
        pathname: API_PREFIX,
        description: "A ConsumerAPI server; wss behind TLS.",
        variables: { host: { default: "127.0.0.1:8080", description: "host:port of the server." } },
        security: [{ $ref: `#/components/securitySchemes/${BEARER}` }],
      },
    },
    channels,
    operations,
    components: {
      schemas: componentSchemas(["ClientFrame", "ServerFrame", ...notificationMessages]),
      messages,
      securitySchemes: {
        [BEARER]: {
          type: "http",
          scheme: "bearer",
          description:
            "The token in the upgrade request's Authorization header, or (browsers) in a first authenticate frame.",
        },
      },
    },
  }) as AsyncApiDocument;
}
