import { afterAll, describe, expect } from "vitest";
import { concurrencyCases } from "../src/cases/concurrency.js";
import { elementCases } from "../src/cases/elements.js";
import { semanticsCases } from "../src/cases/semantics.js";
import { systemEventLaneCases } from "../src/cases/system-event-lanes.js";
import type { ConformanceOptions } from "../src/options.js";
import { openInternalOnFixtures } from "./support/internal-on-fixtures.js";

// The capability mechanism itself: with every capability declared absent, the cases that need one are
// skipped — not failed, not run — and the others still run and pass. Areas that hold such cases only, so
// this stays a fraction of a full run.
const options: ConformanceOptions = {
  name: "client-internal, capabilities declared absent",
  factory: async () => {
    const internal = await openInternalOnFixtures();
    return { api: internal.api, dispose: internal.close };
  },
  supports: { notifications: false, timers: false, concurrency: false },
};

interface TaskLike {
  name: string;
  type: string;
  mode?: string;
  result?: { state?: string; note?: string };
  tasks?: TaskLike[];
}
const testsOf = (task: TaskLike): TaskLike[] =>
  task.type === "test" ? [task] : (task.tasks ?? []).flatMap(testsOf);

/** The note of skip() on an absent capability. */
const ABSENT = /^(notifications|timers|concurrency) not supported$/;

describe(options.name, () => {
  for (const area of [elementCases, semanticsCases, concurrencyCases, systemEventLaneCases]) area(options);
  // biome-ignore lint/correctness/noEmptyPattern: vitest passes the suite second and wants a pattern first
  afterAll(({}, suite) => {
    const tests = testsOf(suite as unknown as TaskLike);
    const states = tests.map((t) => ({ name: t.name, state: t.result?.state, note: t.result?.note ?? "" }));
    expect(states.filter((t) => t.state === "fail")).toEqual([]);
    const skipped = states.filter((t) => t.state === "skip");
    for (const t of skipped) expect(t.note, t.name).toMatch(ABSENT);
    // One flag each at least: timers (2 here), concurrency (6), notifications (3).
    for (const flag of ["timers", "concurrency", "notifications"]) {
      expect(skipped.filter((t) => t.note.startsWith(flag)).length, flag).toBeGreaterThanOrEqual(2);
    }
    // The cases that need no capability ran, and passed.
    expect(states.filter((t) => t.state === "pass").length).toBeGreaterThan(10);
    expect(states.filter((t) => t.state !== "pass" && t.state !== "skip")).toEqual([]);
  });
});
