import { SpecError } from '../spec/spec-issue.ts';
import { UserError } from '../user-error.ts';
import { BuildLockedError } from '../warehouse/warehouse.ts';

/**
 * Wraps a command's action: user errors print as clear messages and exit 1; anything else is a
 * bug and prints its stack (exit 2).
 */
export function runCommand<A extends unknown[]>(action: (...args: A) => Promise<number | void>) {
  return async (...args: A) => {
    try {
      process.exitCode = (await action(...args)) ?? 0;
    } catch (error) {
      if (error instanceof SpecError) {
        process.stderr.write(`${error.issues.length} problem(s) in the spec:\n${error.message}\n`);
        process.exitCode = 1;
      } else if (error instanceof UserError || error instanceof BuildLockedError) {
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`unexpected error: ${(error as Error).stack ?? String(error)}\n`);
        process.exitCode = 2;
      }
    }
  };
}
