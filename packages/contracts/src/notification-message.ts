import { z } from "zod";

/** One notification; the same shape for BPMN events, activities, system events and signals. */
export const NotificationMessage = z
  .object({
    process_model_key: z.string(),
    event_key: z.string(),
    correlation_id: z.string(),
    process_instance_id: z.string(),
    payload: z.unknown().optional(),
  })
  .meta({ id: "NotificationMessage" });
export type NotificationMessage = z.infer<typeof NotificationMessage>;

export const SystemEventKey = {
  ProcessInstanceStarted: "ProcessInstanceStarted",
  ProcessInstanceFinishedSuccessfully: "ProcessInstanceFinishedSuccessfully",
  ProcessInstanceTerminated: "ProcessInstanceTerminated",
} as const;
export type SystemEventKey = (typeof SystemEventKey)[keyof typeof SystemEventKey];

export const ActivityEventKey = { started: "started", finished: "finished" } as const;
export type ActivityEventKey = (typeof ActivityEventKey)[keyof typeof ActivityEventKey];
