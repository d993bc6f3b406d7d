import type { Capability } from "./application-info.js";
import type {
  ConsumerApi,
  NotificationCallback,
  NotificationMethodName,
  NotificationScopeOptions,
  Subscription,
} from "./consumer-api.js";
import type { ConsumerContext } from "./context.js";
import { BadRequestError } from "./errors.js";

/**
 * The notification channels of SPEC §5 and §12 as data. Each kind knows its templates, how to build and
 * parse a channel string, its message type, and which ConsumerApi method subscribes to it — so the
 * WebSocket server, both clients and the AsyncAPI description all derive from this one table.
 */
export type LevelOneChannelKind = "bpmnEvent" | "activity" | "systemEvent" | "signal";

/** SPEC §12's channels: `{scope}/<segment>`, scope empty (every model), a model, or a model's correlation. */
export const MORE_NOTIFICATION_CHANNELS = {
  processStarted: {
    segment: "process_started",
    method: "onProcessStarted",
    message: "NotificationMessage",
    description: "An instance started: event_key is its start event, payload the start token payload.",
  },
  processEnded: {
    segment: "process_ended",
    method: "onProcessEnded",
    message: "NotificationMessage",
    description:
      "An instance finished through a none end event: event_key is that end event, payload the result.",
  },
  processTerminated: {
    segment: "process_terminated",
    method: "onProcessTerminated",
    message: "NotificationMessage",
    description:
      "An instance ended at a terminate end event: event_key is that end event, payload the token payload.",
  },
  processError: {
    segment: "process_error",
    method: "onProcessError",
    message: "ProcessErrorNotificationMessage",
    description:
      "An instance failed (error end event, script or gateway failure, a worker's error): event_key is where, with error_message and error_code; no payload. Only for callers who may access where it failed.",
  },
  userTaskWaiting: {
    segment: "user_task_waiting",
    method: "onUserTaskWaiting",
    message: "UserTaskNotificationMessage",
    description:
      "A user task began waiting (already listed by SPEC §4.6): event_key is the task, user_task_id its id, payload the token payload. Unscoped: the caller's user tasks (onUserTaskForIdentityWaiting).",
  },
  userTaskFinished: {
    segment: "user_task_finished",
    method: "onUserTaskFinished",
    message: "UserTaskNotificationMessage",
    description:
      "A user task was finished: event_key is the task, user_task_id its id, payload the result { formFields }. Unscoped: the caller's user tasks (onUserTaskForIdentityFinished).",
  },
  boundaryEventTriggered: {
    segment: "boundary_event_triggered",
    method: "onBoundaryEventTriggered",
    message: "BoundaryEventNotificationMessage",
    description:
      "A boundary event occurred: event_key is the boundary event, attached_to_key its activity, payload what its path continues with.",
  },
  intermediateThrowEventTriggered: {
    segment: "intermediate_throw_event_triggered",
    method: "onIntermediateThrowEventTriggered",
    message: "NotificationMessage",
    description:
      "A token passed an intermediate throw event: event_key is the event, payload the token payload.",
  },
  intermediateCatchEventReached: {
    segment: "intermediate_catch_event_reached",
    method: "onIntermediateCatchEventReached",
    message: "CatchEventNotificationMessage",
    description:
      "A token reached an intermediate catch event and waits: event_key is the event, event_id its SPEC §4.4 eventId (already listed) when it can be triggered by id, payload the token payload on arrival.",
  },
  intermediateCatchEventFinished: {
    segment: "intermediate_catch_event_finished",
    method: "onIntermediateCatchEventFinished",
    message: "NotificationMessage",
    description:
      "An intermediate catch event occurred (triggered, timer fired): event_key is the event, payload what the token continues with.",
  },
} as const satisfies Record<
  string,
  { segment: string; method: NotificationMethodName; message: string; description: string }
>;

export type MoreChannelKind = keyof typeof MORE_NOTIFICATION_CHANNELS;
export type ChannelKind = LevelOneChannelKind | MoreChannelKind;

export type ChannelParams = {
  bpmnEvent: { processModelKey: string; eventKey: string; correlationId?: string };
  activity: { processModelKey: string; activityKey: string; correlationId?: string };
  systemEvent: { processModelKey: string; correlationId?: string };
  signal: { signalKey: string };
} & { [K in MoreChannelKind]: NotificationScopeOptions };

export type ParsedChannel = { [K in ChannelKind]: { kind: K; params: ChannelParams[K] } }[ChannelKind];

interface ChannelDefinition<K extends ChannelKind> {
  kind: K;
  /** The ConsumerApi method that subscribes to this kind. */
  method: NotificationMethodName;
  /** The capability that offers it (SPEC §14): an unoffered channel is §5.1's 400. */
  capability: Extract<Capability, "notifications" | "moreNotifications">;
  /** The named type of its messages. */
  message: "NotificationMessage" | (typeof MORE_NOTIFICATION_CHANNELS)[MoreChannelKind]["message"];
  /**
   * Templates for AsyncAPI and documentation: §5's with and without the correlation filter; §12's
   * unscoped, for a model, for a model's correlation.
   */
  templates: readonly string[];
  description: string;
  build(params: ChannelParams[K]): string;
  subscribe(
    api: ConsumerApi,
    context: ConsumerContext,
    params: ChannelParams[K],
    callback: NotificationCallback,
  ): Promise<Subscription>;
}

/** One percent-encoded segment; a lone surrogate, which no encoding carries, is a 400 naming the param. */
const enc = (value: string, name: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    throw new BadRequestError(`${name}: expected well-formed Unicode (it has a lone surrogate)`);
  }
};
const scope = (processModelKey: string, correlationId?: string) =>
  `/process_model/${enc(processModelKey, "processModelKey")}${correlationId === undefined ? "" : `/correlations/${enc(correlationId, "correlationId")}`}`;
const correlationOption = (correlationId?: string) =>
  correlationId === undefined ? undefined : { correlationId };

const LEVEL_ONE = { capability: "notifications", message: "NotificationMessage" } as const;

/** §12: `{scope}/<segment>`; a correlation without a model is a 400 naming it. */
function moreChannel<K extends MoreChannelKind>(kind: K): ChannelDefinition<K> {
  const { segment, method, message, description } = MORE_NOTIFICATION_CHANNELS[kind];
  return {
    kind,
    method,
    capability: "moreNotifications",
    message,
    templates: [
      `/${segment}`,
      `/process_model/{process_model_key}/${segment}`,
      `/process_model/{process_model_key}/correlations/{correlation_id}/${segment}`,
    ],
    description,
    build: (p) => {
      if (p.processModelKey === undefined) {
        if (p.correlationId !== undefined) {
          throw new BadRequestError("correlationId: only together with processModelKey (SPEC §12)");
        }
        return `/${segment}`;
      }
      return `${scope(p.processModelKey, p.correlationId)}/${segment}`;
    },
    subscribe: (api, ctx, p, cb) => {
      const options: NotificationScopeOptions = {};
      if (p.processModelKey !== undefined) options.processModelKey = p.processModelKey;
      if (p.correlationId !== undefined) options.correlationId = p.correlationId;
      return (api[method] as ConsumerApi["onProcessStarted"])(ctx, cb, options);
    },
  };
}

export const channels: { [K in ChannelKind]: ChannelDefinition<K> } = {
  bpmnEvent: {
    kind: "bpmnEvent",
    method: "onBpmnEvent",
    ...LEVEL_ONE,
    templates: [
      "/process_model/{process_model_key}/events/{event_key}/process_notifications",
      "/process_model/{process_model_key}/correlations/{correlation_id}/events/{event_key}/process_notifications",
    ],
    description: "A modelled event (start, end, intermediate, boundary) was reached or triggered.",
    build: (p) =>
      `${scope(p.processModelKey, p.correlationId)}/events/${enc(p.eventKey, "eventKey")}/process_notifications`,
    subscribe: (api, ctx, p, cb) =>
      api.onBpmnEvent(ctx, p.processModelKey, p.eventKey, cb, correlationOption(p.correlationId)),
  },
  activity: {
    kind: "activity",
    method: "onActivity",
    ...LEVEL_ONE,
    templates: [
      "/process_model/{process_model_key}/activities/{activity_key}/process_notifications",
      "/process_model/{process_model_key}/correlations/{correlation_id}/activities/{activity_key}/process_notifications",
    ],
    description: 'An activity "started" or "finished" (event_key).',
    build: (p) =>
      `${scope(p.processModelKey, p.correlationId)}/activities/${enc(p.activityKey, "activityKey")}/process_notifications`,
    subscribe: (api, ctx, p, cb) =>
      api.onActivity(ctx, p.processModelKey, p.activityKey, cb, correlationOption(p.correlationId)),
  },
  systemEvent: {
    kind: "systemEvent",
    method: "onSystemEvent",
    ...LEVEL_ONE,
    templates: [
      "/process_model/{process_model_key}/system_events",
      "/process_model/{process_model_key}/correlations/{correlation_id}/system_events",
    ],
    description:
      'Instance lifecycle: event_key "ProcessInstanceStarted", "ProcessInstanceFinishedSuccessfully" or "ProcessInstanceTerminated".',
    build: (p) => `${scope(p.processModelKey, p.correlationId)}/system_events`,
    subscribe: (api, ctx, p, cb) =>
      api.onSystemEvent(ctx, p.processModelKey, cb, correlationOption(p.correlationId)),
  },
  signal: {
    kind: "signal",
    method: "onSignal",
    ...LEVEL_ONE,
    templates: ["/signals/{signal_key}/process_notifications"],
    description: "A process threw the signal; every authenticated identity receives it.",
    build: (p) => `/signals/${enc(p.signalKey, "signalKey")}/process_notifications`,
    subscribe: (api, ctx, p, cb) => api.onSignal(ctx, p.signalKey, cb),
  },
  processStarted: moreChannel("processStarted"),
  processEnded: moreChannel("processEnded"),
  processTerminated: moreChannel("processTerminated"),
  processError: moreChannel("processError"),
  userTaskWaiting: moreChannel("userTaskWaiting"),
  userTaskFinished: moreChannel("userTaskFinished"),
  boundaryEventTriggered: moreChannel("boundaryEventTriggered"),
  intermediateThrowEventTriggered: moreChannel("intermediateThrowEventTriggered"),
  intermediateCatchEventReached: moreChannel("intermediateCatchEventReached"),
  intermediateCatchEventFinished: moreChannel("intermediateCatchEventFinished"),
};

const moreKindOfSegment = new Map<string, MoreChannelKind>(
  (Object.keys(MORE_NOTIFICATION_CHANNELS) as MoreChannelKind[]).map((kind) => [
    MORE_NOTIFICATION_CHANNELS[kind].segment,
    kind,
  ]),
);

export const channelList: readonly ChannelDefinition<ChannelKind>[] = Object.values(channels) as never;

/** Builds the channel string of a kind for its params. */
export function buildChannel<K extends ChannelKind>(kind: K, params: ChannelParams[K]): string {
  return (channels[kind] as ChannelDefinition<K>).build(params);
}

/** Parses a channel string; anything that is not one of SPEC §5's or §12's channels is a 400 naming the channel. */
export function parseChannel(channel: string): ParsedChannel {
  const bad = (why: string) => new BadRequestError(`channel: ${why}: ${JSON.stringify(channel)}`);
  if (!channel.startsWith("/")) throw bad("must start with /");
  const raw = channel.slice(1).split("/");
  let parts: string[];
  try {
    parts = raw.map((p) => {
      if (p === "") throw bad("empty segment");
      return decodeURIComponent(p);
    });
  } catch (error) {
    if (error instanceof BadRequestError) throw error;
    throw bad("malformed percent-encoding");
  }
  if (parts[0] === "signals" && parts.length === 3 && parts[2] === "process_notifications") {
    return { kind: "signal", params: { signalKey: parts[1] as string } };
  }
  const unscoped = parts.length === 1 ? moreKindOfSegment.get(parts[0] as string) : undefined;
  if (unscoped !== undefined) return { kind: unscoped, params: {} };
  if (parts[0] !== "process_model" || parts.length < 3) throw bad("unknown channel");
  const processModelKey = parts[1] as string;
  let rest = parts.slice(2);
  let correlationId: string | undefined;
  if (rest[0] === "correlations") {
    if (rest.length < 3) throw bad("unknown channel");
    correlationId = rest[1];
    rest = rest.slice(2);
  }
  const withCorrelation = <T extends object>(p: T) =>
    correlationId === undefined ? p : { ...p, correlationId };
  if (rest.length === 1 && rest[0] === "system_events") {
    return { kind: "systemEvent", params: withCorrelation({ processModelKey }) };
  }
  const more = rest.length === 1 ? moreKindOfSegment.get(rest[0] as string) : undefined;
  if (more !== undefined) return { kind: more, params: withCorrelation({ processModelKey }) };
  if (rest.length === 3 && rest[2] === "process_notifications") {
    if (rest[0] === "events") {
      return { kind: "bpmnEvent", params: withCorrelation({ processModelKey, eventKey: rest[1] as string }) };
    }
    if (rest[0] === "activities") {
      return {
        kind: "activity",
        params: withCorrelation({ processModelKey, activityKey: rest[1] as string }),
      };
    }
  }
  throw bad("unknown channel");
}

/**
 * Subscribes `api` to whatever a channel string names (used by transports that receive channel strings).
 * Async so a bad channel rejects the promise like every other failure instead of throwing synchronously.
 */
export async function subscribeToChannel(
  api: ConsumerApi,
  context: ConsumerContext,
  channel: string,
  callback: NotificationCallback,
): Promise<Subscription> {
  const parsed = parseChannel(channel);
  const definition = channels[parsed.kind] as ChannelDefinition<typeof parsed.kind>;
  return definition.subscribe(api, context, parsed.params as never, callback);
}
