import { BadRequestError } from "@consumer-api/contracts";
import type { FormFieldDefinition } from "@consumer-api/engine";

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-](\d{2}):?(\d{2}))?)?$/;

/** ISO 8601 calendar date, optionally with a time and offset; rejects impossible dates like 2025-02-30. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, mo, d, h, mi, s, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59)) return false;
  if (s !== undefined && Number(s) > 59) return false;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return false;
  return true;
}

/** Why a value does not fit a field, or undefined when it does. */
function typeProblem(field: FormFieldDefinition, value: unknown): string | undefined {
  switch (field.type) {
    case "string":
      return typeof value === "string" ? undefined : "expected a string";
    case "long":
      return typeof value === "number" && Number.isInteger(value) ? undefined : "expected an integer";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "expected a finite number";
    case "boolean":
      return typeof value === "boolean" ? undefined : "expected a boolean";
    case "date":
      return typeof value === "string" && isIsoDate(value) ? undefined : "expected an ISO 8601 date string";
    case "enum": {
      const ids = (field.enumValues ?? []).map((v) => v.id);
      return typeof value === "string" && ids.includes(value)
        ? undefined
        : `expected one of ${ids.map((id) => JSON.stringify(id)).join(", ")}`;
    }
    default:
      return `unsupported field type ${JSON.stringify(field.type)}`;
  }
}

/**
 * Checks a user task result against the task's form fields (SPEC §4.7) and throws a 400 that names every
 * offending field: unknown fields, values of the wrong type or outside an enum, missing required fields.
 */
export function validateFormValues(
  fields: readonly FormFieldDefinition[],
  values: Record<string, unknown>,
): void {
  const byId = new Map(fields.map((field) => [field.id, field]));
  const problems: string[] = [];
  for (const [id, value] of Object.entries(values)) {
    const field = byId.get(id);
    if (field === undefined) {
      problems.push(`formFields.${id}: unknown form field`);
      continue;
    }
    if (value === undefined) continue;
    const problem = typeProblem(field, value);
    if (problem !== undefined) problems.push(`formFields.${id}: ${problem}`);
  }
  for (const field of fields) {
    if (field.required === true && (!Object.hasOwn(values, field.id) || values[field.id] === undefined)) {
      problems.push(`formFields.${field.id}: required`);
    }
  }
  if (problems.length > 0) throw new BadRequestError(problems.join("; "));
}
