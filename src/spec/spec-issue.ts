/**
 * User errors are data: a stable code, a message that says what is expected, and where.
 * They are collected and reported together; broken invariants stay plain Errors.
 */
export interface SpecIssue {
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  /** JSON path of the offending field, e.g. funnels[0].steps[1].event */
  field: string;
}

export function formatIssue(issue: SpecIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.field ? `${issue.field}: ` : ''}${issue.message} [${issue.code}]`;
}

/** Thrown when metrics.yaml is invalid; carries every issue found. */
export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'SpecError';
  }
}
