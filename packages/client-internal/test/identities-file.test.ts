import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { identitiesFromFile, identitiesFromObject } from "../src/index.js";

describe("identitiesFromObject", () => {
  it("resolves a known token to its identity and an unknown one to undefined", async () => {
    const provider = identitiesFromObject({
      tokens: { t1: { userId: "alice", claims: ["Clerks", "Managers"] } },
    });
    expect(await provider.resolve("t1")).toEqual({ userId: "alice", claims: ["Clerks", "Managers"] });
    expect(await provider.resolve("t2")).toBeUndefined();
    expect(await provider.resolve("")).toBeUndefined();
  });

  it("does not resolve tokens through the prototype", async () => {
    const provider = identitiesFromObject({ tokens: {} });
    expect(await provider.resolve("constructor")).toBeUndefined();
    expect(await provider.resolve("__proto__")).toBeUndefined();
    expect(await provider.resolve("toString")).toBeUndefined();
  });

  it("hands out copies, so a caller cannot change another caller's claims", async () => {
    const provider = identitiesFromObject({ tokens: { t: { userId: "u", claims: ["A"] } } });
    const first = await provider.resolve("t");
    first?.claims.push("B");
    expect((await provider.resolve("t"))?.claims).toEqual(["A"]);
  });

  it.each([
    ["not an object", 42, /Invalid identities/],
    ["no tokens", {}, /tokens/],
    ["claims not an array", { tokens: { t: { userId: "u", claims: "A" } } }, /tokens\.t\.claims/],
    ["a claim not a string", { tokens: { t: { userId: "u", claims: ["A", 1] } } }, /tokens\.t\.claims\.1/],
    ["userId missing", { tokens: { bad: { claims: [] } } }, /tokens\.bad\.userId/],
    ["userId empty", { tokens: { t: { userId: "", claims: [] } } }, /tokens\.t\.userId/],
  ])("rejects %s with an error naming the bad entry", (_name, value, message) => {
    expect(() => identitiesFromObject(value)).toThrow(message);
  });
});

describe("identitiesFromFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "client-internal-identities-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a valid file", async () => {
    const file = join(dir, "identities.json");
    await writeFile(file, JSON.stringify({ tokens: { abc: { userId: "bob", claims: [] } } }));
    const provider = await identitiesFromFile(file);
    expect(await provider.resolve("abc")).toEqual({ userId: "bob", claims: [] });
  });

  it("names the file and the entry when an entry is invalid", async () => {
    const file = join(dir, "identities.json");
    await writeFile(file, JSON.stringify({ tokens: { abc: { userId: "bob", claims: [7] } } }));
    await expect(identitiesFromFile(file)).rejects.toThrow(/identities\.json.*tokens\.abc\.claims\.0/);
  });

  it("names the file when it is not JSON", async () => {
    const file = join(dir, "broken.json");
    await writeFile(file, "{ tokens: ");
    await expect(identitiesFromFile(file)).rejects.toThrow(/broken\.json is not valid JSON/);
  });

  it("names the file when it cannot be read", async () => {
    await expect(identitiesFromFile(join(dir, "missing.json"))).rejects.toThrow(/missing\.json/);
  });
});
