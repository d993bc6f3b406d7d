import { z } from "zod";
import { NotificationMessage } from "./notification-message.js";

// client → server; strict, so an unknown key in a frame is a 400 naming it (SPEC Part two).
export const AuthenticateFrame = z
  .strictObject({ type: z.literal("authenticate"), token: z.string().min(1) })
  .meta({ id: "AuthenticateFrame" });
export type AuthenticateFrame = z.infer<typeof AuthenticateFrame>;

export const SubscribeFrame = z
  .strictObject({ type: z.literal("subscribe"), id: z.string().min(1), channel: z.string().min(1) })
  .meta({ id: "SubscribeFrame" });
export type SubscribeFrame = z.infer<typeof SubscribeFrame>;

export const UnsubscribeFrame = z
  .strictObject({ type: z.literal("unsubscribe"), id: z.string().min(1) })
  .meta({ id: "UnsubscribeFrame" });
export type UnsubscribeFrame = z.infer<typeof UnsubscribeFrame>;

export const ClientFrame = z
  .discriminatedUnion("type", [AuthenticateFrame, SubscribeFrame, UnsubscribeFrame])
  .meta({ id: "ClientFrame" });
export type ClientFrame = z.infer<typeof ClientFrame>;

// server → client
export const SubscribedFrame = z
  .object({ type: z.literal("subscribed"), id: z.string() })
  .meta({ id: "SubscribedFrame" });
export type SubscribedFrame = z.infer<typeof SubscribedFrame>;

export const NotificationFrame = z
  .object({
    type: z.literal("notification"),
    id: z.string(),
    channel: z.string(),
    message: NotificationMessage,
  })
  .meta({ id: "NotificationFrame" });
export type NotificationFrame = z.infer<typeof NotificationFrame>;

export const ErrorFrame = z
  .object({
    type: z.literal("error"),
    id: z.string().nullable(),
    status: z.number().int(),
    title: z.string(),
    detail: z.string(),
  })
  .meta({ id: "ErrorFrame" });
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export const ServerFrame = z
  .discriminatedUnion("type", [SubscribedFrame, NotificationFrame, ErrorFrame])
  .meta({ id: "ServerFrame" });
export type ServerFrame = z.infer<typeof ServerFrame>;
