import type {
  Event,
  ExternalTask,
  ProcessInstance,
  ProcessModel,
  UserTask,
  UserTaskFormField,
} from "@consumer-api/contracts";
import type {
  ExternalTaskRecord,
  FlowNodeInfo,
  FormFieldDefinition,
  InstanceRecord,
  ProcessModelInfo,
  WaitingEvent,
  WaitingUserTask,
} from "@consumer-api/engine";

/** A model as the caller sees it: only the start and end events it may access. */
export function toProcessModel(
  model: ProcessModelInfo,
  accessible: (node: FlowNodeInfo) => boolean,
): ProcessModel {
  return {
    key: model.key,
    startEvents: model.startEvents.filter(accessible).map((node) => ({ key: node.key, data: {} })),
    endEvents: model.endEvents.filter(accessible).map((node) => ({ key: node.key, data: {} })),
  };
}

export function toEvent(event: WaitingEvent): Event {
  return {
    eventId: event.id,
    eventKey: event.key,
    processInstanceId: event.processInstanceId,
    processModelKey: event.processModelKey,
    correlationId: event.correlationId,
    eventData: {
      eventType: event.eventType,
      eventName: event.eventName,
      ...(event.attachedToKey === undefined ? {} : { attachedToKey: event.attachedToKey }),
    },
  };
}

export function toFormField(field: FormFieldDefinition): UserTaskFormField {
  return {
    id: field.id,
    type: field.type,
    ...(field.label === undefined ? {} : { label: field.label }),
    ...(field.defaultValue === undefined ? {} : { defaultValue: field.defaultValue }),
    ...(field.enumValues === undefined
      ? {}
      : { enumValues: field.enumValues.map((v) => ({ id: v.id, name: v.name })) }),
    ...(field.required === undefined ? {} : { required: field.required }),
  };
}

export function toUserTask(task: WaitingUserTask): UserTask {
  return {
    id: task.id,
    key: task.key,
    ...(task.name === undefined ? {} : { name: task.name }),
    processInstanceId: task.processInstanceId,
    processModelKey: task.processModelKey,
    correlationId: task.correlationId,
    data: { formFields: task.formFields.map(toFormField) },
    // JSON has no undefined: an instance started without inputValues carries null, so the field stays on the wire.
    tokenPayload: task.tokenPayload ?? null,
  };
}

/** An instance for its starter: no identity, token or result (SPEC §10). */
export function toProcessInstance(instance: InstanceRecord): ProcessInstance {
  return {
    processInstanceId: instance.processInstanceId,
    processModelKey: instance.processModelKey,
    correlationId: instance.correlationId,
    state: instance.state,
    startedAt: instance.startedAt,
    ...(instance.finishedAt === undefined ? {} : { finishedAt: instance.finishedAt }),
  };
}

/** A task as fetched: locked, so it has a holder and an expiry. */
export function toExternalTask(task: ExternalTaskRecord): ExternalTask {
  return {
    id: task.id,
    workerId: task.workerId as string,
    topic: task.topic,
    processModelKey: task.processModelKey,
    processInstanceId: task.processInstanceId,
    correlationId: task.correlationId,
    flowNodeKey: task.key,
    payload: task.payload ?? null,
    lockExpirationTime: task.lockExpirationTime as string,
  };
}
