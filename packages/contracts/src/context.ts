import { z } from "zod";

/** Who calls: `identity` is the caller's token (over HTTP: `Authorization: Bearer <token>`). */
export const ConsumerContext = z
  .object({
    identity: z.string().min(1).describe("The caller's token."),
  })
  .meta({ id: "ConsumerContext" });
export type ConsumerContext = z.infer<typeof ConsumerContext> & {
  /**
   * Aborted when the caller gives up (a transport: the client's connection closed before the answer). A long
   * wait — a start with callback 2 or 3 — then releases what it holds; the instance runs on. Runtime only:
   * it never travels.
   */
  signal?: AbortSignal;
};
