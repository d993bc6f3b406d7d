import { z } from "zod";
import { TotalCount } from "./pagination.js";

export const UserTaskFormFieldType = z
  .enum(["string", "long", "number", "boolean", "date", "enum"])
  .meta({ id: "UserTaskFormFieldType" });
export type UserTaskFormFieldType = z.infer<typeof UserTaskFormFieldType>;

export const UserTaskEnumValue = z
  .object({
    id: z.string(),
    name: z.string(),
  })
  .meta({ id: "UserTaskEnumValue" });
export type UserTaskEnumValue = z.infer<typeof UserTaskEnumValue>;

/** One camunda:formField of a user task. */
export const UserTaskFormField = z
  .object({
    id: z.string(),
    type: UserTaskFormFieldType,
    label: z.string().optional(),
    defaultValue: z.unknown().optional().describe("Converted to the field's type."),
    enumValues: z.array(UserTaskEnumValue).optional().describe("Only for enum fields."),
    required: z.boolean().optional(),
  })
  .meta({ id: "UserTaskFormField" });
export type UserTaskFormField = z.infer<typeof UserTaskFormField>;

export const UserTaskData = z
  .object({
    formFields: z.array(UserTaskFormField),
  })
  .meta({ id: "UserTaskData" });
export type UserTaskData = z.infer<typeof UserTaskData>;

/** A user task that currently waits. */
export const UserTask = z
  .object({
    id: z.string().describe("Identifies one waiting occurrence; pass it to finishUserTask."),
    key: z.string().describe("The id of the bpmn:userTask."),
    name: z.string().optional(),
    processInstanceId: z.string(),
    processModelKey: z.string(),
    correlationId: z.string(),
    data: UserTaskData,
    tokenPayload: z.unknown().describe("The token payload as it reached the task."),
  })
  .meta({ id: "UserTask" });
export type UserTask = z.infer<typeof UserTask>;

export const UserTaskList = z
  .object({ userTasks: z.array(UserTask), totalCount: TotalCount })
  .meta({ id: "UserTaskList" });
export type UserTaskList = z.infer<typeof UserTaskList>;

/** The values of a finished user task, by form field id. */
// Strict at the top level only: the values inside formFields are checked against the form instead.
export const UserTaskResult = z
  .strictObject({
    formFields: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "UserTaskResult" });
export type UserTaskResult = z.infer<typeof UserTaskResult>;
