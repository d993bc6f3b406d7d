// The harness the cluster tests stand on: a real PostgreSQL with durable commits, and a fetch that really
// alternates between nodes.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { spreadingFetch, startTestPostgres } from "../src/index.js";

const postgres = await startTestPostgres();
afterAll(() => postgres.stop());

it("starts a PostgreSQL that commits durably, with a fresh database per name", async () => {
  const client = new pg.Client({ connectionString: await postgres.createDatabase("harness") });
  await client.connect();
  try {
    const { rows } = await client.query("SHOW synchronous_commit");
    expect(rows[0]).toEqual({ synchronous_commit: "on" });
    expect((await client.query("SELECT current_database() AS name")).rows[0]).toEqual({ name: "harness" });
  } finally {
    await client.end();
  }
});

it("sends every other call to the other node, path and query kept", async () => {
  const servers = await Promise.all(
    ["a", "b"].map(
      (name) =>
        new Promise<{ url: string; close(): void }>((resolve) => {
          const server = createServer((req, res) => res.end(`${name} ${req.url}`));
          server.listen(0, "127.0.0.1", () => {
            const address = server.address() as { port: number };
            resolve({ url: `http://127.0.0.1:${address.port}`, close: () => server.close() });
          });
        }),
    ),
  );
  try {
    const fetch = spreadingFetch(servers.map((server) => server.url));
    const base = servers[0]?.url as string;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await (await fetch(`${base}/x?i=${i}`)).text());
    expect(answers).toEqual(["a /x?i=0", "b /x?i=1", "a /x?i=2", "b /x?i=3"]);
  } finally {
    for (const server of servers) server.close();
  }
});

it("shuts down as a restart does, refusing connections, and starts again with its data", async () => {
  const url = await postgres.createDatabase("restart");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)");
  // The server ends every session on its way down: the open one hears of it.
  const ended = new Promise((resolve) => client.on("error", resolve));
  await postgres.shutDown();
  await ended;
  const refused = new pg.Client({ connectionString: url });
  await expect(refused.connect()).rejects.toThrow(/ECONNREFUSED/);
  await postgres.startAgain();
  const again = new pg.Client({ connectionString: url });
  await again.connect();
  try {
    expect((await again.query("SELECT n FROM kept")).rows).toEqual([{ n: 1 }]);
  } finally {
    await again.end();
  }
});

it("stops and removes its data after a start again that failed (its port taken meanwhile)", async () => {
  const other = await startTestPostgres();
  const port = Number(new URL(other.url).port);
  await other.shutDown();
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
  try {
    await expect(other.startAgain()).rejects.toThrow(/did not start again/);
  } finally {
    squatter.close();
  }
  await other.stop();
  expect(existsSync(path.dirname(other.dataDirectory))).toBe(false);
});
