import { z } from "zod";
import { ConsumerKey } from "./key.js";

export const StartCallbackType = {
  /** Answer once the instance started (ran up to its first wait state). */
  CallbackOnProcessInstanceCreated: 1,
  /** Answer once the instance finished. */
  CallbackOnProcessInstanceFinished: 2,
  /** Answer once the instance finished through a given end event. */
  CallbackOnEndEventReached: 3,
} as const;

export const StartCallbackTypeSchema = z
  .union([z.literal(1), z.literal(2), z.literal(3)])
  .describe(
    "1 CallbackOnProcessInstanceCreated, 2 CallbackOnProcessInstanceFinished, 3 CallbackOnEndEventReached.",
  )
  .meta({ id: "StartCallbackType" });
export type StartCallbackType = z.infer<typeof StartCallbackTypeSchema>;

// Strict (SPEC Part two): a misspelt key ("corelationId") is a 400 naming it, not another behaviour.
export const ProcessStartRequestPayload = z
  .strictObject({
    correlationId: ConsumerKey.optional().describe("Join this correlation; generated (UUID v4) when absent."),
    callerId: z.string().optional(),
    inputValues: z.unknown().optional().describe("The initial token payload."),
  })
  .meta({ id: "ProcessStartRequestPayload" });
export type ProcessStartRequestPayload = z.infer<typeof ProcessStartRequestPayload>;

export const ProcessStartResponsePayload = z
  .object({
    correlationId: z.string(),
    processInstanceId: z.string(),
    endEventKey: z.string().optional().describe("Only for callback types 2 and 3, and only when accessible."),
    tokenPayload: z
      .unknown()
      .optional()
      .describe("Only for callback types 2 and 3, and only when accessible."),
  })
  .meta({ id: "ProcessStartResponsePayload" });
export type ProcessStartResponsePayload = z.infer<typeof ProcessStartResponsePayload>;
