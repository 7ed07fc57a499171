/**
 * A problem with the user's input or environment (a missing table, a wrong column type, a bad
 * query): reported as one clear message and a non-zero exit, never as a stack trace.
 * `code` is stable and kebab-case, for tests and scripts.
 */
export class UserError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'UserError';
  }
}
