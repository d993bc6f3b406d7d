import { z } from "zod";

/** How the most recently finished instance of a model in a correlation ended. */
export const CorrelationResult = z
  .object({
    correlationId: z.string(),
    processModelKey: z.string(),
    processInstanceId: z.string(),
    endEventKey: z.string(),
    result: z.unknown().describe("The token payload as it reached the end event."),
  })
  .meta({ id: "CorrelationResult" });
export type CorrelationResult = z.infer<typeof CorrelationResult>;
