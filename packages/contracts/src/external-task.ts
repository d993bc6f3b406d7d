import { z } from "zod";

// External tasks (SPEC §13): service tasks that workers fetch, lock and complete over the API. Request bodies
// are strict, as every request body is: an unknown key is a 400 naming it (SPEC Part two).

const WorkerId = z
  .string()
  .min(1)
  .describe("The worker's id; the task's holder is the worker that locked it last.");
const Topic = z.string().min(1);

export const ExternalTaskTopicName = z
  .union([Topic, z.array(Topic).min(1)])
  .describe("A topic, or a non-empty array of topics.")
  .meta({ id: "ExternalTaskTopicName" });
export type ExternalTaskTopicName = z.infer<typeof ExternalTaskTopicName>;

export const FetchAndLockRequest = z
  .strictObject({
    workerId: WorkerId,
    topicName: ExternalTaskTopicName,
    maxTasks: z.int().min(1).describe("At most this many tasks are locked."),
    longPollingTimeout: z
      .int()
      .min(0)
      .describe("Milliseconds to wait for a task when none is available; then the answer is an empty list."),
    lockDuration: z.int().min(1).describe("Milliseconds the locks last from now."),
  })
  .meta({ id: "FetchAndLockRequest" });
export type FetchAndLockRequest = z.infer<typeof FetchAndLockRequest>;

/** A task locked for the worker that fetched it. */
export const ExternalTask = z
  .object({
    id: z.string().describe("The external task's id; pass it to the lock and outcome operations."),
    workerId: z.string(),
    topic: z.string(),
    processModelKey: z.string(),
    processInstanceId: z.string(),
    correlationId: z.string(),
    flowNodeKey: z.string().describe("The id of the service, send or business-rule task."),
    payload: z.unknown().describe("The token payload as the task was reached."),
    lockExpirationTime: z.string().describe("ISO 8601; the lock is held until then."),
  })
  .meta({ id: "ExternalTask" });
export type ExternalTask = z.infer<typeof ExternalTask>;

export const ExternalTaskList = z
  .object({ externalTasks: z.array(ExternalTask) })
  .meta({ id: "ExternalTaskList" });
export type ExternalTaskList = z.infer<typeof ExternalTaskList>;

export const ExtendLockRequest = z
  .strictObject({
    workerId: WorkerId,
    additionalDuration: z.int().min(1).describe("The lock then expires this many milliseconds from now."),
  })
  .meta({ id: "ExtendLockRequest" });
export type ExtendLockRequest = z.infer<typeof ExtendLockRequest>;

export const FinishExternalTaskRequest = z
  .strictObject({
    workerId: WorkerId,
    result: z
      .unknown()
      .refine((value) => value !== undefined, { message: "Required: any JSON value, null included." })
      .describe("Any JSON value (null too); it becomes the token payload."),
  })
  .meta({ id: "FinishExternalTaskRequest" });
export type FinishExternalTaskRequest = z.infer<typeof FinishExternalTaskRequest>;

export const HandleBpmnErrorRequest = z
  .strictObject({
    workerId: WorkerId,
    errorCode: z.string().min(1).describe("Matched against the errorCode of error boundary events."),
    errorMessage: z.string().optional(),
  })
  .meta({ id: "HandleBpmnErrorRequest" });
export type HandleBpmnErrorRequest = z.infer<typeof HandleBpmnErrorRequest>;

export const HandleServiceErrorRequest = z
  .strictObject({
    workerId: WorkerId,
    errorMessage: z.string().describe("Why the work failed; the instance fails with it."),
    errorDetails: z.unknown().optional().describe("Any JSON value."),
    errorCode: z.string().optional(),
  })
  .meta({ id: "HandleServiceErrorRequest" });
export type HandleServiceErrorRequest = z.infer<typeof HandleServiceErrorRequest>;
