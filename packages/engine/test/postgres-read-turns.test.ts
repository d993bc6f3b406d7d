// The PostgreSQL store's reads of committed state that arrive in one turn of the event loop go to the
// database as one query on one connection (`coalescedReads`): each read still gets its own rows, and a
// statement that fails fails its own read alone.
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { coalescedReads, type Run } from "../src/postgres-store.js";

let postgres: TestPostgres;
let pool: pg.Pool;
let sent = 0;

beforeAll(async () => {
  postgres = await startTestPostgres();
  // One connection: every query the reads cause is counted on it.
  pool = new pg.Pool({ connectionString: await postgres.createDatabase("read_turns"), max: 1 });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      sent++;
      return query(...args);
    };
  });
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await postgres?.stop();
});

const echo = (run: Run, n: number, text = `read ${n}`) =>
  run({ name: "echo", text: "SELECT $1::int AS n, $2::text AS text", values: [n, text] });
const queriesSentBy = async <T>(reads: () => Promise<T>): Promise<{ answers: T; queries: number }> => {
  const before = sent;
  const answers = await reads();
  return { answers, queries: sent - before };
};

it("answers each read of one turn with its own rows, in one query", async () => {
  const run = coalescedReads(pool);
  // The first turn on the connection prepares `echo` there.
  await Promise.all([echo(run, 0), echo(run, 0)]);
  const { answers, queries } = await queriesSentBy(() =>
    Promise.all([
      echo(run, 1),
      run({ text: "SELECT count(*)::int AS three FROM generate_series(1, $1::int)", values: [3] }),
      echo(run, 2, "it's a \\ back'slash"),
      echo(run, 3),
    ]),
  );
  expect(answers).toEqual([
    [{ n: 1, text: "read 1" }],
    [{ three: 3 }],
    [{ n: 2, text: "it's a \\ back'slash" }],
    [{ n: 3, text: "read 3" }],
  ]);
  expect(queries).toBe(1);
  // More than 16 in one turn: in as many queries of 16 as it takes.
  const many = await queriesSentBy(() => Promise.all(Array.from({ length: 20 }, (_, n) => echo(run, n))));
  expect(many.answers).toEqual(Array.from({ length: 20 }, (_, n) => [{ n, text: `read ${n}` }]));
  expect(many.queries).toBe(2);
  // One that may read far goes on its own, the others of its turn together.
  const far = await queriesSentBy(() =>
    Promise.all([echo(run, 7), run({ text: "SELECT 8 AS n", values: [], alone: true }), echo(run, 9)]),
  );
  expect(far.answers).toEqual([[{ n: 7, text: "read 7" }], [{ n: 8 }], [{ n: 9, text: "read 9" }]]);
  expect(far.queries).toBe(2);
  // Reads of different turns go apart.
  const apart = await queriesSentBy(async () => {
    const first = await echo(run, 4);
    return [first, await echo(run, 5)];
  });
  expect(apart.answers).toEqual([[{ n: 4, text: "read 4" }], [{ n: 5, text: "read 5" }]]);
  expect(apart.queries).toBe(2);
});

it("fails only the read whose statement failed; the others of its turn are answered", async () => {
  const run = coalescedReads(pool);
  const outcomes = await Promise.allSettled([
    echo(run, 1),
    run({ name: "divide", text: "SELECT 1 / $1::int AS q", values: [0] }),
    echo(run, 3),
  ]);
  expect(outcomes[0]).toEqual({ status: "fulfilled", value: [{ n: 1, text: "read 1" }] });
  expect(outcomes[1]).toMatchObject({ status: "rejected", reason: { code: "22012" } });
  expect(outcomes[2]).toEqual({ status: "fulfilled", value: [{ n: 3, text: "read 3" }] });
  // The connection serves on.
  expect(await echo(run, 6)).toEqual([{ n: 6, text: "read 6" }]);
});
