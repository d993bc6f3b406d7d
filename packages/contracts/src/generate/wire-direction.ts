import type { NamedTypeName } from "../named-types.js";

/**
 * Which side of a zod schema a named type is published with. A server *receives* request bodies and
 * client frames, so they are described by zod's input side; everything a server *sends* is described by
 * its output side. What a server sends stays open to added keys; what it receives is closed where its
 * properties are fixed (SPEC Part two). No named type
 * travels in both directions, so one schema per name is enough.
 */
const received: ReadonlySet<NamedTypeName> = new Set<NamedTypeName>([
  "ConsumerContext",
  "StartCallbackType",
  "ProcessStartRequestPayload",
  "EventTriggerPayload",
  "UserTaskResult",
  "AuthenticateFrame",
  "SubscribeFrame",
  "UnsubscribeFrame",
  "ClientFrame",
]);

export type WireSide = "input" | "output";

/** zod's `io` for a named type: "input" for what a server receives, "output" for what it sends. */
export function wireSideOf(name: NamedTypeName): WireSide {
  return received.has(name) ? "input" : "output";
}
