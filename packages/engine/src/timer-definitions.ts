import { parseIsoDuration } from "./durations.js";
import type { ModdleElement } from "./moddle-element.js";

// BPMN timer definitions (ISO 8601, BPMN 2.0.2 §10.5.5): timeDuration, timeDate and timeCycle, and when they
// come due. A cycle's occurrences are start + k·period (k = 0, 1, …; start defaults to the moment it is armed
// plus one period). Occurrences missed during a downtime are not made up: a cycle fires once for everything
// it missed while the engine was down and continues with the next occurrence due after the engine came up,
// the missed ones counting against R<n>. One that comes due while the engine runs is never skipped, however
// late it fires (a loaded machine, a blocked event loop): it fires at once.

/**
 * The due time of a timer start event whose occurrences are all done: its row stays (so a restart with the
 * same definition does not start its schedule afresh, which would fire a past timeDate or an R<n> again) and
 * never comes due.
 */
export const NEVER = Number.MAX_SAFE_INTEGER;

export type TimerDef =
  | { kind: "duration"; ms: number }
  | { kind: "date"; at: number }
  /** `repeat` undefined: unbounded (`R/…`). */
  | { kind: "cycle"; repeat?: number; start?: number; periodMs: number };

/** An ISO 8601 date-time with an explicit offset (a date-time without one is refused: whose local time?). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseDateTime(text: string): number | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

/** The timer of a timerEventDefinition, or why it cannot run. */
export function parseTimer(definition: ModdleElement): TimerDef | string {
  const duration = definition.timeDuration?.body?.trim();
  const date = definition.timeDate?.body?.trim();
  const cycle = definition.timeCycle?.body?.trim();
  if ([duration, date, cycle].filter((text) => text).length !== 1) {
    return "a timer needs exactly one of timeDuration, timeDate and timeCycle";
  }
  if (duration) {
    const ms = parseIsoDuration(duration);
    return ms === undefined
      ? `timeDuration "${duration}" is not an ISO 8601 duration`
      : { kind: "duration", ms };
  }
  if (date) {
    const at = parseDateTime(date);
    return at === undefined
      ? `timeDate "${date}" is not an ISO 8601 date-time with a time zone offset (e.g. 2026-12-24T18:00:00Z)`
      : { kind: "date", at };
  }
  return parseCycle(cycle as string);
}

function parseCycle(text: string): TimerDef | string {
  const invalid = `timeCycle "${text}" is not an ISO 8601 repeating interval R[n]/[start/]duration (cron expressions are not supported)`;
  const parts = text.split("/");
  const match = /^R(\d*)$/.exec(parts[0] ?? "");
  if (!match || parts.length < 2 || parts.length > 3) return invalid;
  const repeat = match[1] === "" ? undefined : Number(match[1]);
  const start = parts.length === 3 ? parseDateTime(parts[1] as string) : undefined;
  if (parts.length === 3 && start === undefined) return invalid;
  const periodMs = parseIsoDuration(parts.at(-1) as string);
  if (periodMs === undefined || periodMs <= 0 || repeat === 0) return invalid;
  const def: TimerDef = { kind: "cycle", periodMs };
  if (repeat !== undefined) def.repeat = repeat;
  if (start !== undefined) def.start = start;
  return def;
}

/** An occurrence of a timer: when it is due, and (for a cycle) which one it is, 0-based. */
export interface Occurrence {
  dueAt: number;
  index: number;
}

/** The first occurrence of a timer armed at `now`: a cycle's first one not before now. */
export function firstOccurrence(def: TimerDef, now: number): Occurrence | undefined {
  if (def.kind === "duration") return { dueAt: now + def.ms, index: 0 };
  if (def.kind === "date") return { dueAt: def.at, index: 0 };
  const start = def.start ?? now + def.periodMs;
  return occurrenceFrom(def, start, start >= now ? 0 : Math.ceil((now - start) / def.periodMs));
}

/**
 * The occurrence after `fired`, skipping those due before `upSince` (when the engine came up: missed during a
 * downtime); undefined when none is left.
 */
export function nextOccurrence(def: TimerDef, fired: Occurrence, upSince: number): Occurrence | undefined {
  if (def.kind !== "cycle") return undefined;
  const start = fired.dueAt - fired.index * def.periodMs;
  const passed = Math.floor((upSince - start) / def.periodMs) + 1;
  return occurrenceFrom(def, start, Math.max(fired.index + 1, passed));
}

function occurrenceFrom(
  def: TimerDef & { kind: "cycle" },
  start: number,
  index: number,
): Occurrence | undefined {
  if (def.repeat !== undefined && index >= def.repeat) return undefined;
  return { dueAt: start + index * def.periodMs, index };
}
