import { generateJsonSchema } from "@consumer-api/contracts/generate";
import { Ajv, type ValidateFunction } from "ajv";

let validate: ValidateFunction | undefined;

/**
 * What is wrong with a server's WebSocket frame by the generated JSON Schema ServerFrame, checked with ajv
 * (independent of zod), or undefined when nothing is.
 */
export function serverFrameViolation(text: string): string | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(generateJsonSchema("ServerFrame"));
  if (validate(frame)) return undefined;
  return `does not match the JSON Schema ServerFrame: ${JSON.stringify(validate.errors)}; frame: ${text.slice(0, 500)}`;
}
