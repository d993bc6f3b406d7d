/**
 * What a worker's handler throws to report a business error (SPEC §13): it goes to a matching error boundary
 * event, instead of failing the instance as any other error does.
 */
export class BpmnError extends Error {
  readonly code: string;
  /** The message as given (Error's `message` falls back to the code). */
  readonly errorMessage: string | undefined;

  constructor(code: string, message?: string) {
    super(message ?? code);
    this.name = "BpmnError";
    this.code = code;
    this.errorMessage = message;
  }
}
