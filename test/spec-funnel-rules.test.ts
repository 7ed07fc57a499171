/** metrics.yaml for issue 9: elapsed windows, exclusions, funnel tables; every rejection at file:line:col. */
import { describe, expect, it } from 'vitest';
import { funnelPlan, parseDuration } from '../src/funnel/funnel-semantics.ts';
import { parseSpec } from '../src/spec/load-spec.ts';
import { SpecError, type SpecIssue } from '../src/spec/spec-issue.ts';

const spec = (funnel: string, top = '') => `version: 1
timezone: UTC
${top}events: [key_event_1, key_event_2, uninstall]
funnels:
  - name: f
${funnel}`;

const STEPS = `    steps:
      - event: first_visit
      - event: key_event_1
        within: { duration: 24h }
      - event: key_event_2
        within: { duration: 2w }
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

function expectIssue(text: string, code: string, line: number, column: number, message: RegExp) {
  const issues = issuesOf(text);
  const issue = issues.find((i) => i.code === code);
  expect(issue, `${code} not in ${JSON.stringify(issues)}`).toBeDefined();
  expect([issue!.line, issue!.column]).toEqual([line, column]);
  expect(issue!.message).toMatch(message);
}

describe('elapsed windows', () => {
  it('accepts m, h, d, w and normalizes them to seconds', () => {
    const parsed = parseSpec(spec(STEPS));
    expect(parsed.funnels[0].steps[1].within).toEqual({ duration: '24h' });
    expect(funnelPlan(parsed.funnels[0]).steps.map((s) => s.window)).toEqual([undefined, { kind: 'elapsed', seconds: 86_400, text: '24h' }, { kind: 'elapsed', seconds: 1_209_600, text: '2w' }]);
    expect(['90m', '3h', '2d', '1w'].map(parseDuration)).toEqual([5400, 10_800, 172_800, 604_800]);
  });

  it('rejects a malformed duration and two units at once', () => {
    expectIssue(spec(STEPS.replace('24h', '24 hours')), 'invalid-duration', 9, 29, /"24 hours" is not valid: expected elapsed time/);
    expectIssue(spec(STEPS.replace('24h', '0h')), 'invalid-duration', 9, 29, /not valid/);
    expectIssue(spec(STEPS.replace('{ duration: 24h }', '{ duration: 24h, days: 1 }')), 'invalid-duration', 9, 17, /exactly one unit.*duration/);
  });

  it('rejects a shrinking window across kinds in a sequential funnel', () => {
    expectIssue(spec(STEPS.replace('2w', '23h')), 'non-monotonic-window', 11, 17, /shorter than the previous step's/);
    expect(() => parseSpec(spec(STEPS.replace('{ duration: 2w }', '{ days: 1 }')))).not.toThrow(); // a calendar day reaches up to 24 hours
  });
});

describe('exclusions', () => {
  const withExclusion = (x: string, order = 'sequential') => spec(`    order: ${order}\n    exclusions:\n      - ${x}\n${STEPS}`);

  it('accepts an exclusion between two steps and defaults to none', () => {
    const parsed = parseSpec(withExclusion('{ event: uninstall, between: [first_visit, key_event_2] }'));
    expect(parsed.funnels[0].exclusions).toEqual([{ event: 'uninstall', between: ['first_visit', 'key_event_2'] }]);
    expect(funnelPlan(parsed.funnels[0]).exclusions).toEqual([{ event: 'uninstall', from: 0, to: 2 }]);
    expect(funnelPlan(parsed.funnels[0]).events).toEqual(['key_event_1', 'key_event_2', 'uninstall']);
    expect(parseSpec(spec(STEPS)).funnels[0].exclusions).toEqual([]);
  });

  it('rejects an unknown step name', () => {
    expectIssue(withExclusion('{ event: uninstall, between: [first_visit, key_event_3] }'), 'unknown-step', 8, 52, /no step of funnel "f" is named "key_event_3"/);
  });

  it('rejects a pair out of order, or the same step twice', () => {
    expectIssue(withExclusion('{ event: uninstall, between: [key_event_2, key_event_1] }'), 'exclusion-pair-order', 8, 38, /"key_event_2" must come before "key_event_1"/);
    expectIssue(withExclusion('{ event: uninstall, between: [key_event_1, key_event_1] }'), 'exclusion-pair-order', 8, 38, /must come before/);
  });

  it('rejects an exclusion on another order', () => {
    expectIssue(withExclusion('{ event: uninstall, between: [first_visit, key_event_2] }', 'any'), 'exclusion-order', 8, 9, /sequential funnels only; funnel "f" has order any/);
    expectIssue(withExclusion('{ event: uninstall, between: [first_visit, key_event_2] }', 'independent'), 'exclusion-order', 8, 9, /order independent/);
  });

  it('rejects an excluded event that is a step between the pair (both ends included), and accepts one outside it', () => {
    expectIssue(withExclusion('{ event: key_event_1, between: [first_visit, key_event_2] }'), 'exclusion-is-step', 8, 18, /is step "key_event_1"/);
    expectIssue(withExclusion('{ event: key_event_2, between: [key_event_1, key_event_2] }'), 'exclusion-is-step', 8, 18, /is step "key_event_2"/);
    expect(() => parseSpec(withExclusion('{ event: key_event_2, between: [first_visit, key_event_1] }'))).not.toThrow();
  });

  it('rejects an untracked event, first_visit, and unknown keys', () => {
    expectIssue(withExclusion('{ event: uninstal, between: [first_visit, key_event_2] }'), 'untracked-event', 8, 18, /"uninstal" is not tracked/);
    expectIssue(withExclusion('{ event: first_visit, between: [first_visit, key_event_2] }'), 'exclusion-event', 8, 18, /cannot be excluded/);
    expectIssue(withExclusion('{ event: uninstall, between: [first_visit, key_event_2], after: x }'), 'unknown-key', 8, 66, /unknown key "after"/);
  });
});

describe('funnel tables', () => {
  it('defaults to <funnel>__funnel_users, in the mart schema when it has one; table: overrides', () => {
    expect(parseSpec(spec(STEPS)).funnels[0].table).toBe('f__funnel_users');
    expect(parseSpec(spec(STEPS, 'mart: { table: analytics.mart }\n')).funnels[0].table).toBe('analytics.f__funnel_users');
    expect(parseSpec(spec(`    table: my_funnel\n${STEPS}`)).funnels[0].table).toBe('my_funnel');
  });

  it('rejects a table that is a source, the mart, the state table or another funnel table (any case)', () => {
    expectIssue(spec(`    table: fact__events\n${STEPS}`), 'table-collision', 6, 12, /"fact__events" is already sources.events/);
    expectIssue(spec(`    table: DIM__USERS\n${STEPS}`), 'table-collision', 6, 12, /already sources.users/);
    expectIssue(spec(`    table: public.dim__users\n${STEPS}`), 'table-collision', 6, 12, /already sources.users/);
    expectIssue(spec(`    table: fact__events\n${STEPS}`, 'sources: { events: main.fact__events }\n'), 'table-collision', 7, 12, /already sources.events/);
    expectIssue(spec(`    table: fact__first_activation_events\n${STEPS}`), 'table-collision', 6, 12, /already the mart/);
    expectIssue(spec(`    table: fact__first_activation_events__build_state\n${STEPS}`), 'table-collision', 6, 12, /state table/);
    const two = spec(`${STEPS}  - name: g\n    table: f__funnel_users\n${STEPS}`);
    expectIssue(two, 'table-collision', 13, 12, /"f__funnel_users" is already funnel "f"'s table/);
    // The default collides too, reported at the funnel's name.
    expectIssue(spec(STEPS, 'sources: { users: f__funnel_users }\n'), 'table-collision', 6, 11, /\(the default\) is already sources.users/);
  });

  it('rejects an invalid table name', () => {
    expectIssue(spec(`    table: "a b"\n${STEPS}`), 'invalid-table-name', 6, 12, /"a b" is not valid/);
  });
});
