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

// SPEC §12: §5's shape, with the fields some channels add. `event_key` names the flow node concerned.

/** user_task_waiting / user_task_finished: `user_task_id` is the task's §4.6 `id`. */
export const UserTaskNotificationMessage = NotificationMessage.extend({
  user_task_id: z.string().describe("The user task's id, as getUserTasks… list it (SPEC §4.6)."),
}).meta({ id: "UserTaskNotificationMessage" });
export type UserTaskNotificationMessage = z.infer<typeof UserTaskNotificationMessage>;

/** boundary_event_triggered: `attached_to_key` is the activity the boundary event is attached to. */
export const BoundaryEventNotificationMessage = NotificationMessage.extend({
  attached_to_key: z.string().describe("The key of the activity the boundary event is attached to."),
}).meta({ id: "BoundaryEventNotificationMessage" });
export type BoundaryEventNotificationMessage = z.infer<typeof BoundaryEventNotificationMessage>;

/** intermediate_catch_event_reached: `event_id` when §4.4 lists the waiting event (message, signal). */
export const CatchEventNotificationMessage = NotificationMessage.extend({
  event_id: z
    .string()
    .optional()
    .describe("The waiting event's eventId (SPEC §4.4), for an event that can be triggered by it."),
}).meta({ id: "CatchEventNotificationMessage" });
export type CatchEventNotificationMessage = z.infer<typeof CatchEventNotificationMessage>;

/** process_error: where the instance failed, with the failure's message and (a worker's) code; no payload. */
export const ProcessErrorNotificationMessage = NotificationMessage.extend({
  error_message: z.string(),
  error_code: z.string().optional().describe("A BPMN error's or a worker's error code (SPEC §13)."),
}).meta({ id: "ProcessErrorNotificationMessage" });
export type ProcessErrorNotificationMessage = z.infer<typeof ProcessErrorNotificationMessage>;
