/**
 * `runCubeQuery` against the independent plain-TypeScript oracle (test/support/reference.ts) on a
 * randomized log of thousands of users, for all three orders, on every engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './support/engines.ts';
import { createCubeFixture, specText, type CubeFixture } from './support/cube-fixture.ts';
import { referenceFunnelStats, referenceFunnelTable } from './support/funnel-reference.ts';
import { referenceFunnel, referenceMart, type ReferenceStep } from './support/reference.ts';
import type { RefUser } from './support/funnel-reference.ts';
import type { SourceEvent, SourceUser } from './support/sources.ts';

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ts = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function randomLog(seed: number, users: number) {
  const rand = mulberry32(seed);
  const start = Date.parse('2025-03-01T00:00:00Z'); // spans the US daylight-saving change (Mar 9)
  const COUNTRIES = ['United States', 'South Korea', 'Chile'];
  const us: SourceUser[] = [];
  const events: SourceEvent[] = [];
  for (let i = 0; i < users; i++) {
    const user_id = `u${String(i).padStart(5, '0')}`;
    const fv = start + Math.floor(rand() * 14 * 86_400_000 / 60_000) * 60_000;
    us.push({ user_id, first_datetime: ts(fv), country: COUNTRIES[Math.floor(rand() * COUNTRIES.length)] });
    for (const event of ['key_event_1', 'key_event_2', 'other']) {
      const n = Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) {
        // Mostly after the first visit (minutes to ~10 days), sometimes before it (bad data).
        const offset = (rand() < 0.1 ? -1 : 1) * Math.floor(rand() * rand() * 10 * 24 * 60) * 60_000;
        events.push({ user_id, event_name: event, datetime: ts(fv + offset) });
      }
    }
  }
  // Events of a user missing from the users table: excluded by the builder.
  events.push({ user_id: 'ghost', event_name: 'key_event_1', datetime: ts(start) });
  return { users: us, events };
}

const STEPS: ReferenceStep[] = [{ event: 'first_visit' }, { event: 'key_event_1', within: { hours: 30 } }, { event: 'key_event_2', within: { days: 5 } }];
const stepsYaml = `    steps:
      - event: first_visit
      - event: key_event_1
        within: { hours: 30 }
      - event: key_event_2
        within: { days: 5 }
`;
const ORDERS = ['sequential', 'any', 'independent'] as const;
const TIMEZONE = 'America/Los_Angeles';

describe.each(ENGINES)('randomized log against the reference on %s', (engine) => {
  let fx: CubeFixture;
  const log = randomLog(20250301, 3000);
  const mart = referenceMart(log.events, log.users, ['key_event_1', 'key_event_2'], TIMEZONE);
  const country = new Map(log.users.map((u) => [u.user_id, u.country]));

  beforeAll(async () => {
    fx = await createCubeFixture(engine, specText(TIMEZONE, ORDERS.map((o) => `  - name: f_${o}\n    order: ${o}\n${stepsYaml}`).join('')), log);
  }, 240_000);
  afterAll(async () => fx?.drop());

  it.each(ORDERS)('%s: per-cohort step users match, in query time zones east and west', async (order) => {
    // Etc/Universal: an alias of UTC takes UTC's shortcut too (src/query/utc-session-query.ts).
    for (const [timezone, filter] of [['UTC', undefined], ['Etc/Universal', 'Chile'], ['Asia/Seoul', 'Chile'], ['Pacific/Honolulu', 'United States']] as const) {
      const keep = (u: string) => filter === undefined || country.get(u) === filter;
      // sequential matches any occurrence (issue 9), so it needs the raw log; any and independent are still first occurrences.
      const expected =
        order === 'sequential'
          ? new Map([...referenceFunnelStats(referenceFunnelTable(log.events, log.users as RefUser[], { order, steps: STEPS.map((s) => ({ name: s.event, ...s })) }, TIMEZONE, '2100-01-01 00:00:00'), keep)].map(([d, s]) => [d, s.users]))
          : referenceFunnel(mart, order, STEPS, keep);
      const funnel = `f_${order}`;
      const data = await fx.query({
        measures: ['first_visit', 'key_event_1', 'key_event_2'].map((s) => `${funnel}.${s}_users`),
        timeDimensions: [{ dimension: `${funnel}.cohort_date`, granularity: 'day' }],
        ...(filter && { filters: [{ member: `${funnel}.country`, operator: 'equals', values: [filter] }] }),
        order: { [`${funnel}.cohort_date`]: 'asc' },
        timezone,
      });
      const actual = new Map(data.map((r) => [String(r[`${funnel}.cohort_date.day`]).slice(0, 10), ['first_visit', 'key_event_1', 'key_event_2'].map((s) => Number(r[`${funnel}.${s}_users`]))]));
      expect(actual).toEqual(expected);
      // A date range on the cohort date keeps exactly those calendar dates, whatever the query's zone
      // (in UTC the pinned date renders without its conversion: src/query/utc-session-query.ts).
      const ranged = await fx.query({
        measures: [`${funnel}.key_event_2_users`],
        timeDimensions: [{ dimension: `${funnel}.cohort_date`, granularity: 'day', dateRange: ['2025-03-05', '2025-03-09'] }],
        ...(filter && { filters: [{ member: `${funnel}.country`, operator: 'equals', values: [filter] }] }),
        order: { [`${funnel}.cohort_date`]: 'asc' },
        timezone,
      });
      const inRange = [...expected].filter(([d]) => d >= '2025-03-05' && d <= '2025-03-09').map(([d, c]) => [d, c[2]]);
      expect(inRange).toHaveLength(5);
      expect(ranged.map((r) => [String(r[`${funnel}.cohort_date.day`]).slice(0, 10), Number(r[`${funnel}.key_event_2_users`])])).toEqual(inRange);
      // The orders must actually differ on this log, or the test proves little.
      if (order === 'sequential' && !filter) {
        const any = referenceFunnel(mart, 'any', STEPS);
        expect([...any.values()].some((c, i) => c[2] !== [...expected.values()][i][2])).toBe(true);
        // ... and any occurrence finds users that first occurrences lose.
        const firstOccurrences = referenceFunnel(mart, 'sequential', STEPS);
        expect([...firstOccurrences.values()].some((c, i) => c[2] < [...expected.values()][i][2])).toBe(true);
      }
    }
  });
});
