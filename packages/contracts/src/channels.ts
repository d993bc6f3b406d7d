import type { ConsumerApi, NotificationCallback, Subscription } from "./consumer-api.js";
import type { ConsumerContext } from "./context.js";
import { BadRequestError } from "./errors.js";

/**
 * The notification channels of SPEC §5 as data. Each kind knows its template, how to build and parse a
 * channel string, and which ConsumerApi method subscribes to it — so the WebSocket server, the external
 * client and the AsyncAPI description all derive from this one table.
 */
export type ChannelKind = "bpmnEvent" | "activity" | "systemEvent" | "signal";

export interface ChannelParams {
  bpmnEvent: { processModelKey: string; eventKey: string; correlationId?: string };
  activity: { processModelKey: string; activityKey: string; correlationId?: string };
  systemEvent: { processModelKey: string; correlationId?: string };
  signal: { signalKey: string };
}

export type ParsedChannel = { [K in ChannelKind]: { kind: K; params: ChannelParams[K] } }[ChannelKind];

interface ChannelDefinition<K extends ChannelKind> {
  kind: K;
  /** The ConsumerApi method that subscribes to this kind. */
  method: "onBpmnEvent" | "onActivity" | "onSystemEvent" | "onSignal";
  /** Templates for AsyncAPI and documentation, with and without the correlation filter. */
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

export const channels: { [K in ChannelKind]: ChannelDefinition<K> } = {
  bpmnEvent: {
    kind: "bpmnEvent",
    method: "onBpmnEvent",
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
    templates: ["/signals/{signal_key}/process_notifications"],
    description: "A process threw the signal; every authenticated identity receives it.",
    build: (p) => `/signals/${enc(p.signalKey, "signalKey")}/process_notifications`,
    subscribe: (api, ctx, p, cb) => api.onSignal(ctx, p.signalKey, cb),
  },
};

export const channelList: readonly ChannelDefinition<ChannelKind>[] = Object.values(channels) as never;

/** Builds the channel string of a kind for its params. */
export function buildChannel<K extends ChannelKind>(kind: K, params: ChannelParams[K]): string {
  return (channels[kind] as ChannelDefinition<K>).build(params);
}

/** Parses a channel string; anything that is not one of SPEC §5's channels is a 400 naming the channel. */
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
