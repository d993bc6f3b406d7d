import type { OperationName } from "./consumer-api.js";
import { wireDefs, wireRoots } from "./generated/wire-schemas.js";
import { schemaViolation } from "./json-schema-check.js";

/**
 * What a client receives and can check: an operation's 200 answer, a WebSocket frame, an error body, a §12
 * channel's message.
 */
export type WireSchemaName =
  | OperationName
  | "ServerFrame"
  | "ProblemDetails"
  | "UserTaskNotificationMessage"
  | "BoundaryEventNotificationMessage"
  | "CatchEventNotificationMessage"
  | "ProcessErrorNotificationMessage";

/**
 * What is wrong with a value a server sent, by the JSON Schema generated from the contract for it (the
 * first violation, naming its path), or undefined when nothing is. An operation answered with 204 has no
 * schema, so nothing is wrong with its (absent) answer.
 */
export function wireViolation(name: WireSchemaName, value: unknown, path = "value"): string | undefined {
  const schema = wireRoots[name];
  return schema === undefined ? undefined : schemaViolation(value, schema, wireDefs, path);
}
