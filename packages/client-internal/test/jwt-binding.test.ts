import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnauthorizedError } from "@consumer-api/contracts";
import { SignJWT } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type InternalConsumerApi, jwtIdentityProvider, openInternalConsumerApi } from "../src/index.js";
import { modelsDir } from "./helpers.js";

const SECRET = "binding-test-secret-binding-test-secret";
const sign = (claims: string[], expiresIn: string | number = "1h") =>
  new SignJWT({ claims })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("jwt-user")
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));

let data: string;
let api: InternalConsumerApi;
beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), "client-internal-jwt-"));
  api = await openInternalConsumerApi({
    models: modelsDir,
    data,
    identities: jwtIdentityProvider({ secret: SECRET }),
  });
});
afterAll(async () => {
  await api.close();
  await rm(data, { recursive: true, force: true });
});

it("applies the lane rule to the claims of a JWT and answers 401 for an expired one", async () => {
  const manager = { identity: await sign(["Managers"]) };
  const plain = { identity: await sign([]) };
  const answer = await api.startProcessInstance(
    manager,
    "Outcomes",
    "Start",
    { inputValues: { route: "secret" } },
    2,
  );
  expect(answer.endEventKey).toBe("EndSecret");
  const hidden = await api.startProcessInstance(
    plain,
    "Outcomes",
    "Start",
    { inputValues: { route: "secret" } },
    2,
  );
  expect(hidden.endEventKey).toBeUndefined();
  const expired = { identity: await sign(["Managers"], Math.floor(Date.now() / 1000) - 60) };
  await expect(api.getProcessModels(expired)).rejects.toBeInstanceOf(UnauthorizedError);
});
