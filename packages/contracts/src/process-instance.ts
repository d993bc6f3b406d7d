import { z } from "zod";
import { TotalCount } from "./pagination.js";

export const ProcessInstanceState = z
  .enum(["running", "finished", "terminated", "failed"])
  .describe(
    "running; finished (none end event); terminated (terminate end event); failed (error end event, script or gateway failure).",
  )
  .meta({ id: "ProcessInstanceState" });
export type ProcessInstanceState = z.infer<typeof ProcessInstanceState>;

/** One process instance as its starter sees it (SPEC §10); no identity or token leaves the server. */
export const ProcessInstance = z
  .object({
    processInstanceId: z.string(),
    processModelKey: z.string(),
    correlationId: z.string(),
    state: ProcessInstanceState,
    startedAt: z.string().describe("ISO 8601 UTC with milliseconds."),
    finishedAt: z.string().optional().describe("ISO 8601 UTC with milliseconds; set once not running."),
  })
  .meta({ id: "ProcessInstance" });
export type ProcessInstance = z.infer<typeof ProcessInstance>;

export const ProcessInstanceList = z
  .object({ processInstances: z.array(ProcessInstance), totalCount: TotalCount })
  .meta({ id: "ProcessInstanceList" });
export type ProcessInstanceList = z.infer<typeof ProcessInstanceList>;
