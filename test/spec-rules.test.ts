/** Every rejection names the file, line and column and says what is expected. */
import { describe, expect, it } from 'vitest';
import { loadSpecFile, parseSpec } from '../src/spec/load-spec.ts';
import { SpecError, type SpecIssue } from '../src/spec/spec-issue.ts';

const BASE = `version: 1
timezone: UTC
events: [key_event_1, key_event_2]
funnels:
  - name: core_activation
    steps:
      - event: first_visit
      - event: key_event_1
        within: { days: 1 }
      - event: key_event_2
        within: { days: 7 }
`;

function issuesOf(text: string): SpecIssue[] {
  try {
    parseSpec(text, 'metrics.yaml');
  } catch (error) {
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

/** The single issue with `code`, at line:column. */
function expectIssue(text: string, code: string, line: number, column: number, message: RegExp) {
  const issues = issuesOf(text);
  const issue = issues.find((i) => i.code === code);
  expect(issue, `${code} not in ${JSON.stringify(issues)}`).toBeDefined();
  expect([issue!.file, issue!.line, issue!.column]).toEqual(['metrics.yaml', line, column]);
  expect(issue!.message).toMatch(message);
  expect(new SpecError([issue!]).message).toMatch(new RegExp(`^metrics\\.yaml:${line}:${column}: `));
}

describe('metrics.yaml validation', () => {
  it('accepts the shipped metrics.yaml and fills defaults', () => {
    const spec = loadSpecFile('metrics.yaml');
    expect(spec.funnels.map((f) => [f.name, f.order])).toEqual([['core_activation', 'sequential'], ['core_activation_independent', 'independent']]);
    expect(spec.mart).toEqual({ table: 'fact__first_activation_events', stateTable: 'fact__first_activation_events__build_state' });
  });

  it('accepts the minimal example with defaults (order sequential, step names = events)', () => {
    const spec = parseSpec(BASE);
    expect(spec.timezone).toBe('UTC');
    expect(spec.funnels[0].order).toBe('sequential');
    expect(spec.funnels[0].steps.map((s) => s.name)).toEqual(['first_visit', 'key_event_1', 'key_event_2']);
  });

  it('rejects an unknown key, naming the expected keys', () => {
    expectIssue(BASE.replace('timezone: UTC', 'timezone: UTC\ntimezon: UTC'), 'unknown-key', 3, 1, /unknown key "timezon"; expected one of: version, timezone/);
    expectIssue(BASE.replace('within: { days: 1 }', 'within: { day: 1 }'), 'unknown-key', 9, 19, /unknown key "day"/);
  });

  it('rejects a wrong version', () => {
    expectIssue(BASE.replace('version: 1', 'version: 2'), 'unsupported-version', 1, 10, /unsupported version 2; expected 1/);
  });

  it('rejects an unknown time zone', () => {
    expectIssue(BASE.replace('timezone: UTC', 'timezone: Mars/Olympus'), 'unknown-timezone', 2, 11, /unknown time zone "Mars\/Olympus"; expected an IANA name/);
  });

  it('rejects a step event that is not tracked', () => {
    expectIssue(BASE.replace('- event: key_event_2', '- event: key_event_3'), 'untracked-event', 10, 16, /"key_event_3" is not tracked; add it to events/);
  });

  it('rejects a first step other than first_visit', () => {
    expectIssue(BASE.replace('- event: first_visit', '- event: key_event_2'), 'first-step', 7, 16, /first step must be "first_visit"/);
  });

  it('rejects duplicate funnel names', () => {
    const text = `${BASE}  - name: core_activation\n    steps:\n      - event: first_visit\n      - event: key_event_1\n`;
    expectIssue(text, 'duplicate-funnel', 12, 11, /funnel name "core_activation" is used twice/);
  });

  it('rejects duplicate step names', () => {
    expectIssue(BASE.replace('- event: key_event_2', '- event: key_event_1'), 'duplicate-step', 10, 16, /step name "key_event_1" is used twice/);
  });

  it('rejects shrinking windows in a sequential funnel, not in an independent one', () => {
    const shrinking = BASE.replace('within: { days: 7 }', 'within: { hours: 12 }');
    expectIssue(shrinking, 'non-monotonic-window', 11, 17, /window 12 hour\(s\) is shorter than the previous step's \(1 day\(s\)\)/);
    expect(() => parseSpec(shrinking.replace('  - name: core_activation\n', '  - name: core_activation\n    order: independent\n'))).not.toThrow();
  });

  it('rejects names that are not Cube member names', () => {
    expectIssue(BASE.replace('name: core_activation', 'name: core-activation'), 'invalid-member-name', 5, 11, /"core-activation" is not valid: expected a cube member name/i);
    expectIssue(BASE.replace('events: [key_event_1, key_event_2]', 'events: [key_event_1, key event 2]').replace('- event: key_event_2', '- event: key event 2'), 'step-name-required', 10, 16, /not a valid Cube member name; give the step a name/);
  });

  it('rejects an unknown order and a malformed window', () => {
    expectIssue(BASE.replace('  - name: core_activation\n', '  - name: core_activation\n    order: strict\n'), 'invalid-value', 6, 12, /"strict" is not allowed; expected one of: sequential, any, independent/);
    expectIssue(BASE.replace('within: { days: 1 }', 'within: { days: 1, hours: 2 }'), 'invalid-duration', 9, 17, /exactly one unit/);
  });

  it('rejects a funnel named like a generated cube or view', () => {
    expectIssue(BASE.replace('name: core_activation', 'name: activation_events'), 'reserved-name', 5, 11, /taken by a table or cube/);
    const text = `${BASE}  - name: core_activation__funnel\n    steps:\n      - event: first_visit\n      - event: key_event_1\n`;
    expectIssue(text, 'reserved-name', 12, 11, /generated cube/);
  });

  it('rejects a user attribute that would shadow a model member', () => {
    const text = BASE.replace('timezone: UTC', 'timezone: UTC\nsources:\n  user_attributes: [country, event_name]');
    expectIssue(text, 'reserved-attribute', 4, 30, /user attribute "event_name" would shadow a member/);
  });

  it('rejects braces in event names (Cube would read the model file as Jinja)', () => {
    expectIssue(BASE.replace('events: [key_event_1, key_event_2]', "events: [key_event_1, key_event_2, 'a{{b}}']"), 'unsupported-event-name', 3, 36, /contains \{ or \}/);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf(BASE.replace('timezone: UTC', 'timezone: Nowhere').replace('- event: key_event_2', '- event: nope'));
    expect(issues.map((i) => i.code).sort()).toEqual(['unknown-timezone', 'untracked-event']);
  });
});
