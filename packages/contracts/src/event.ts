import { z } from "zod";
import { TotalCount } from "./pagination.js";

export const EventType = z.enum(["message", "signal"]).meta({ id: "EventType" });
export type EventType = z.infer<typeof EventType>;

export const EventData = z
  .object({
    eventType: EventType,
    eventName: z.string().describe("The message's or signal's name."),
    attachedToKey: z
      .string()
      .optional()
      .describe("For a boundary event: the key of the activity it is attached to (SPEC §6.1)."),
  })
  .meta({ id: "EventData" });
export type EventData = z.infer<typeof EventData>;

/** A message or signal catch event, receive task or boundary event that currently waits. */
export const Event = z
  .object({
    eventId: z.string().describe("Identifies one waiting occurrence."),
    eventKey: z.string().describe("The id of the catch event in the model."),
    processInstanceId: z.string(),
    processModelKey: z.string(),
    correlationId: z.string(),
    eventData: EventData,
  })
  .meta({ id: "Event" });
export type Event = z.infer<typeof Event>;

export const EventList = z
  .object({ events: z.array(Event), totalCount: TotalCount })
  .meta({ id: "EventList" });
export type EventList = z.infer<typeof EventList>;

/** Any JSON value; when given it becomes the instance's token payload. */
export const EventTriggerPayload = z.unknown().meta({ id: "EventTriggerPayload" });
export type EventTriggerPayload = z.infer<typeof EventTriggerPayload>;
