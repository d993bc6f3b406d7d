import { z } from "zod";

/** Who calls: `identity` is the caller's token (over HTTP: `Authorization: Bearer <token>`). */
export const ConsumerContext = z
  .object({
    identity: z.string().min(1).describe("The caller's token."),
  })
  .meta({ id: "ConsumerContext" });
export type ConsumerContext = z.infer<typeof ConsumerContext>;
