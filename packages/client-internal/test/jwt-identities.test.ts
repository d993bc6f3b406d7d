import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jwtIdentityProvider } from "../src/index.js";

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
const key = new TextEncoder().encode(SECRET);

function hs256(
  claims: Record<string, unknown>,
  options: { expiresIn?: string | number; subject?: string } = {},
) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt();
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  return jwt;
}

describe("jwtIdentityProvider with an HS256 secret", () => {
  const provider = jwtIdentityProvider({ secret: SECRET });

  it("resolves a valid token: sub is the userId, the claims claim the claims", async () => {
    const token = await hs256({ claims: ["Clerks"] }, { subject: "alice", expiresIn: "1h" }).sign(key);
    expect(await provider.resolve(token)).toEqual({ userId: "alice", claims: ["Clerks"] });
  });

  it("rejects an expired token", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = await hs256({ claims: [] }, { subject: "alice", expiresIn: past }).sign(key);
    expect(await provider.resolve(token)).toBeUndefined();
  });

  it("rejects a token signed with another secret", async () => {
    const token = await hs256({ claims: [] }, { subject: "alice", expiresIn: "1h" }).sign(
      new TextEncoder().encode("another-secret-another-secret-another"),
    );
    expect(await provider.resolve(token)).toBeUndefined();
  });

  it("rejects a token whose signature was tampered with", async () => {
    const token = await hs256({ claims: ["Clerks"] }, { subject: "alice", expiresIn: "1h" }).sign(key);
    const [header, , signature] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ sub: "alice", claims: ["Managers"] })).toString(
      "base64url",
    );
    expect(await provider.resolve(`${header}.${forgedPayload}.${signature}`)).toBeUndefined();
  });

  it("rejects a claims claim that is not a string array", async () => {
    for (const claims of ["Clerks", [1, 2], { a: 1 }, ["ok", null]]) {
      const token = await hs256({ claims }, { subject: "alice", expiresIn: "1h" }).sign(key);
      expect(await provider.resolve(token)).toBeUndefined();
    }
  });

  it("treats a token without the claims claim as an identity without claims", async () => {
    const token = await hs256({}, { subject: "alice", expiresIn: "1h" }).sign(key);
    expect(await provider.resolve(token)).toEqual({ userId: "alice", claims: [] });
  });

  it("rejects a token without sub, and garbage", async () => {
    const token = await hs256({ claims: [] }, { expiresIn: "1h" }).sign(key);
    expect(await provider.resolve(token)).toBeUndefined();
    expect(await provider.resolve("not-a-jwt")).toBeUndefined();
  });

  it("reads the claims from a configurable claim and checks issuer and audience", async () => {
    const custom = jwtIdentityProvider({
      secret: SECRET,
      claimsClaim: "roles",
      issuer: "iss-1",
      audience: "aud-1",
    });
    const good = await hs256(
      { roles: ["Managers"], claims: ["ignored"] },
      { subject: "bob", expiresIn: "1h" },
    )
      .setIssuer("iss-1")
      .setAudience("aud-1")
      .sign(key);
    expect(await custom.resolve(good)).toEqual({ userId: "bob", claims: ["Managers"] });
    const wrongIssuer = await hs256({ roles: [] }, { subject: "bob", expiresIn: "1h" })
      .setIssuer("iss-2")
      .setAudience("aud-1")
      .sign(key);
    expect(await custom.resolve(wrongIssuer)).toBeUndefined();
  });

  it("refuses options with neither or both of secret and jwksUrl", () => {
    expect(() => jwtIdentityProvider({})).toThrow(/exactly one/);
    expect(() => jwtIdentityProvider({ secret: SECRET, jwksUrl: "http://127.0.0.1/jwks" })).toThrow(
      /exactly one/,
    );
  });
});

describe("jwtIdentityProvider with a JWKS URL", () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: SigningKey;
  let otherPrivateKey: SigningKey;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    otherPrivateKey = (await generateKeyPair("RS256")).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((req, res) => {
      if (req.url === "/.well-known/jwks.json") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const rs256 = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setSubject("carol")
      .setExpirationTime("1h");

  it("resolves a token signed with a key of the set", async () => {
    const provider = jwtIdentityProvider({ jwksUrl });
    expect(await provider.resolve(await rs256({ claims: ["Seniors"] }).sign(privateKey))).toEqual({
      userId: "carol",
      claims: ["Seniors"],
    });
  });

  it("rejects a token signed with a key outside the set", async () => {
    const provider = jwtIdentityProvider({ jwksUrl });
    expect(await provider.resolve(await rs256({ claims: [] }).sign(otherPrivateKey))).toBeUndefined();
  });

  it("rejects an HS256 token (algorithm confusion) and treats an unreachable JWKS as not authenticated", async () => {
    const provider = jwtIdentityProvider({ jwksUrl });
    const hs = await hs256({ claims: [] }, { subject: "x", expiresIn: "1h" }).sign(key);
    expect(await provider.resolve(hs)).toBeUndefined();
    const unreachable = jwtIdentityProvider({ jwksUrl: `${jwksUrl}.missing` });
    expect(await unreachable.resolve(await rs256({ claims: [] }).sign(privateKey))).toBeUndefined();
  });
});
