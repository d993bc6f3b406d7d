import type { InstanceData } from "./store.js";
import type { InstanceRecord } from "./types.js";

export function recordOf(data: InstanceData): InstanceRecord {
  const record: InstanceRecord = {
    processInstanceId: data.id,
    processModelKey: data.modelKey,
    modelHash: data.modelHash,
    correlationId: data.correlationId,
    state: data.state,
    startedAt: data.startedAt,
  };
  if (data.callerId !== undefined) record.callerId = data.callerId;
  if (data.starterId !== undefined) record.starterId = data.starterId;
  if (data.endEventKey !== undefined) {
    record.endEventKey = data.endEventKey;
    record.endEventLane = data.endEventLane ?? null;
    record.result = data.result;
  }
  if (data.failure !== undefined) record.failure = data.failure;
  if (data.finishedAt !== undefined) record.finishedAt = data.finishedAt;
  return record;
}
