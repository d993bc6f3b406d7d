import { z } from "zod";
import { TotalCount } from "./pagination.js";

export const StartEventEntry = z
  .object({
    key: z.string().describe("The id of the bpmn:startEvent."),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "StartEventEntry" });
export type StartEventEntry = z.infer<typeof StartEventEntry>;

export const EndEventEntry = z
  .object({
    key: z.string().describe("The id of the bpmn:endEvent."),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "EndEventEntry" });
export type EndEventEntry = z.infer<typeof EndEventEntry>;

/** An executable process model with the start and end events the caller may access. */
export const ProcessModel = z
  .object({
    key: z.string().describe("The id of the bpmn:process."),
    startEvents: z.array(StartEventEntry),
    endEvents: z.array(EndEventEntry),
  })
  .meta({ id: "ProcessModel" });
export type ProcessModel = z.infer<typeof ProcessModel>;

export const ProcessModelList = z
  .object({
    processModels: z.array(ProcessModel),
    totalCount: TotalCount,
  })
  .meta({ id: "ProcessModelList" });
export type ProcessModelList = z.infer<typeof ProcessModelList>;
