import { ConsumerApiError, type ErrorStatus, errorClassByStatus } from "@consumer-api/contracts";
import { expect } from "vitest";

export type { ErrorStatus };

function describeValue(value: unknown): string {
  if (value instanceof ConsumerApiError) {
    return `${value.constructor.name} ${value.status}: ${value.detail}`;
  }
  if (value instanceof Error) return `${value.constructor.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Awaits a call that must fail with the contract's error class for `status` (SPEC §3), and returns the error.
 * Failure messages say what came instead, so a report names the actual behaviour.
 */
export async function expectError(call: Promise<unknown>, status: ErrorStatus): Promise<ConsumerApiError> {
  const ErrorClass = errorClassByStatus[status];
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await call };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) {
    expect.fail(
      `expected ${ErrorClass.name} (${status}), but the call succeeded with ${describeValue(outcome.value)}`,
    );
  }
  const { error } = outcome;
  if (!(error instanceof ErrorClass) || error.status !== status) {
    expect.fail(`expected ${ErrorClass.name} (${status}), got ${describeValue(error)}`);
  }
  expect(error).toBeInstanceOf(ConsumerApiError);
  expect(typeof error.title).toBe("string");
  expect(typeof error.detail).toBe("string");
  return error;
}

/** A 400 whose detail names the offending field (SPEC §3). */
export async function expectBadRequest(
  call: Promise<unknown>,
  field: string | RegExp,
): Promise<ConsumerApiError> {
  const error = await expectError(call, 400);
  if (typeof field === "string") expect(error.detail, "the 400 detail names the field").toContain(field);
  else expect(error.detail, "the 400 detail names the field").toMatch(field);
  return error;
}

/**
 * An error whose detail names none of the given elements: no detail may name an element the caller may not
 * access (SPEC §4.3's rule for failures, which holds for every error), not even one the caller named itself.
 */
export async function expectErrorHiding(
  call: Promise<unknown>,
  status: ErrorStatus,
  hidden: readonly string[],
): Promise<ConsumerApiError> {
  const error = await expectError(call, status);
  for (const key of hidden) {
    expect(error.detail, `the ${status} detail names the inaccessible element "${key}"`).not.toContain(key);
  }
  return error;
}
