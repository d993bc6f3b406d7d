import type {
  EventRow,
  ExternalTaskRow,
  InstanceData,
  ScriptJobRow,
  StartTimerRow,
  TimerRow,
  UserTaskRow,
} from "./store.js";
import type { EventType, InstanceState } from "./types.js";

// Rows as the SQL stores read them (snake_case columns, JSON as text) into the Store's records: one mapping
// for SQLite and PostgreSQL, whose schemas name every column alike.

export type Row = Record<string, unknown>;

export const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const fromJson = (text: unknown): unknown =>
  text === null || text === undefined ? undefined : JSON.parse(text as string);

export function instanceOf(row: Row | undefined): InstanceData | undefined {
  if (!row) return undefined;
  const instance: InstanceData = {
    id: row.id as string,
    modelKey: row.model_key as string,
    modelHash: row.model_hash as string,
    correlationId: row.correlation_id as string,
    state: row.state as InstanceState,
    startedAt: row.started_at as string,
  };
  if (row.caller_id !== null) instance.callerId = row.caller_id as string;
  if (row.starter_id != null) instance.starterId = row.starter_id as string;
  if (row.end_event_key !== null) {
    instance.endEventKey = row.end_event_key as string;
    instance.endEventLane = (row.end_event_lane as string | null) ?? null;
    instance.result = fromJson(row.result);
  }
  if (row.failure !== null) instance.failure = fromJson(row.failure) as InstanceData["failure"];
  if (row.runtime !== null) instance.runtime = row.runtime as string;
  if (row.finished_at !== null) instance.finishedAt = row.finished_at as string;
  if (row.end_seq !== null) instance.endSeq = row.end_seq as number;
  return instance;
}

export function userTaskOf(row: Row | undefined): UserTaskRow | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    instanceId: row.instance_id as string,
    key: row.key as string,
    modelKey: row.model_key as string,
    modelHash: row.model_hash as string,
    correlationId: row.correlation_id as string,
    lane: (row.lane as string | null) ?? null,
    payload: fromJson(row.payload),
    createdAt: row.created_at as string,
  };
}

export function eventOf(row: Row | undefined): EventRow | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    instanceId: row.instance_id as string,
    key: row.key as string,
    modelKey: row.model_key as string,
    modelHash: row.model_hash as string,
    correlationId: row.correlation_id as string,
    lane: (row.lane as string | null) ?? null,
    eventType: row.event_type as EventType,
    eventName: row.event_name as string,
    ...(row.attached_to_key == null ? {} : { attachedToKey: row.attached_to_key as string }),
    createdAt: row.created_at as string,
  };
}

export function startTimerOf(row: Row): StartTimerRow {
  return {
    modelKey: row.model_key as string,
    eventKey: row.event_key as string,
    spec: row.spec as string,
    dueAt: row.due_at as number,
    occurrence: row.occurrence as number,
  };
}

export function timerOf(row: Row | undefined): TimerRow | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    instanceId: row.instance_id as string,
    key: row.key as string,
    dueAt: row.due_at as number,
  };
}

export function scriptJobOf(row: Row | undefined): ScriptJobRow | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    instanceId: row.instance_id as string,
    key: row.key as string,
    modelKey: row.model_key as string,
    modelHash: row.model_hash as string,
    input: row.input as string,
    createdAt: row.created_at as string,
  };
}

export function externalTaskOf(row: Row | undefined): ExternalTaskRow | undefined {
  if (!row) return undefined;
  const task: ExternalTaskRow = {
    id: row.id as string,
    instanceId: row.instance_id as string,
    key: row.key as string,
    modelKey: row.model_key as string,
    modelHash: row.model_hash as string,
    correlationId: row.correlation_id as string,
    lane: (row.lane as string | null) ?? null,
    topic: row.topic as string,
    payload: fromJson(row.payload),
    createdAt: row.created_at as string,
  };
  if (row.worker_id !== null) task.workerId = row.worker_id as string;
  if (row.lock_expires_at !== null) task.lockExpiresAt = row.lock_expires_at as number;
  return task;
}
