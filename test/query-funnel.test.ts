/**
 * End to end through Cube's compiler on every engine: a hand-made log whose numbers are worked
 * out below by hand, the real mart builder, the generated model, `runCubeQuery`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, USERS } from './support/handmade-log.ts';
import { ENGINES } from './support/engines.ts';
import { coreSteps, createCubeFixture, specText, type CubeFixture } from './support/cube-fixture.ts';

const US = 'United States';
const KR = 'South Korea';

const FUNNELS = `  - name: seq
    order: sequential
${coreSteps}  - name: anyorder
    order: any
${coreSteps}  - name: indep
    order: independent
${coreSteps}  - name: fast
    order: any
    steps:
      - event: first_visit
      - event: key_event_1
        within: { hours: 1 }
`;

const day = (d: string) => `${d}T00:00:00.000`;

/** A funnel query by cohort day; rows as [cohort date, step users..., rates...]. */
async function funnelRows(fx: CubeFixture, funnel: string, steps: string[], extra: object = {}, timezone = 'UTC') {
  const measures = [...steps.map((s) => `${funnel}.${s}_users`), ...steps.slice(1).map((s) => `${funnel}.${s}_conversion_rate`)];
  const data = await fx.query({ measures, timeDimensions: [{ dimension: `${funnel}.cohort_date`, granularity: 'day' }], order: { [`${funnel}.cohort_date`]: 'asc' }, timezone, ...extra });
  return data.map((row) => [String(row[`${funnel}.cohort_date.day`]).slice(0, 10), ...measures.map((m) => (m.endsWith('_rate') ? Number(row[m]) : Number(row[m])))]);
}

const STEPS = ['first_visit', 'key_event_1', 'key_event_2'];

describe.each(ENGINES)('funnels through Cube on %s', (engine) => {
  let fx: CubeFixture;
  beforeAll(async () => {
    fx = await createCubeFixture(engine, specText('Asia/Seoul', FUNNELS), { users: USERS, events: EVENTS });
  });
  afterAll(async () => fx?.drop());

  it('sequential: u2 (key_event_2 before key_event_1) stops at step 2', async () => {
    expect(await funnelRows(fx, 'seq', STEPS)).toEqual([
      ['2025-01-01', 4, 3, 1, 0.75, 0.25], // u1..u4; k1: u1 u2 u4; k2: u1 only
      ['2025-01-02', 2, 1, 0, 0.5, 0], // u5 u6; k1: u5
      ['2025-01-03', 1, 0, 0, 0, 0], // u7 (its key_event_1 came before its first visit)
      ['2025-04-06', 1, 0, 0, 0, 0],
    ]);
  });

  it('any: u2 reaches step 3 whatever the order; u3 (key_event_1 on day 2 in Seoul) stops at step 1', async () => {
    expect(await funnelRows(fx, 'anyorder', STEPS)).toEqual([
      ['2025-01-01', 4, 3, 2, 0.75, 0.5],
      ['2025-01-02', 2, 1, 0, 0.5, 0],
      ['2025-01-03', 1, 0, 0, 0, 0],
      ['2025-04-06', 1, 0, 0, 0, 0],
    ]);
  });

  it('independent: each step on its own (u3 counts at step 3 without step 2; u4 misses 7 days by one calendar day)', async () => {
    expect(await funnelRows(fx, 'indep', STEPS)).toEqual([
      ['2025-01-01', 4, 3, 3, 0.75, 0.75],
      ['2025-01-02', 2, 1, 0, 0.5, 0],
      ['2025-01-03', 1, 0, 0, 0, 0],
      ['2025-04-06', 1, 0, 0, 0, 0],
    ]);
  });

  it('an hours window: u4 within 1 hour, u5 outside by one hour', async () => {
    expect(await funnelRows(fx, 'fast', ['first_visit', 'key_event_1'])).toEqual([
      ['2025-01-01', 4, 1, 0.25],
      ['2025-01-02', 2, 0, 0],
      ['2025-01-03', 1, 0, 0],
      ['2025-04-06', 1, 0, 0],
    ]);
  });

  it('filters by a user attribute (country)', async () => {
    const filters = [{ member: 'seq.country', operator: 'equals', values: [US] }];
    expect(await funnelRows(fx, 'seq', STEPS, { filters })).toEqual([
      ['2025-01-01', 2, 2, 1, 1, 0.5], // u1 u2
      ['2025-01-02', 1, 0, 0, 0, 0], // u6
      ['2025-01-03', 1, 0, 0, 0, 0], // u7
    ]);
  });

  it('returns REST /load data: member keys, granularity keys, timestamps without zone, numbers as strings', async () => {
    const data = await fx.query({
      measures: ['seq.first_visit_users', 'seq.key_event_1_conversion_rate'],
      dimensions: ['seq.country'],
      timeDimensions: [{ dimension: 'seq.cohort_date', granularity: 'month' }],
      filters: [{ member: 'seq.country', operator: 'equals', values: [KR] }],
    });
    expect(data).toEqual([
      { 'seq.country': KR, 'seq.cohort_date.month': day('2025-01-01'), 'seq.cohort_date': day('2025-01-01'), 'seq.first_visit_users': '3', 'seq.key_event_1_conversion_rate': '0.6666666666666666' }, // u4 u5 of u3 u4 u5,
    ]);
  });

  it("cohort_is_complete: judged against the build's newest event (2025-01-08 14:00 UTC), per funnel's longest window", async () => {
    const complete = async (funnel: string) =>
      (await fx.query({ measures: [`${funnel}.first_visit_users`], dimensions: [`${funnel}.cohort_is_complete`], timeDimensions: [{ dimension: `${funnel}.cohort_date`, granularity: 'day' }], order: { [`${funnel}.cohort_date`]: 'asc' } })).map((r) => [
        String(r[`${funnel}.cohort_date.day`]).slice(0, 10),
        r[`${funnel}.cohort_is_complete`],
      ]);
    // 7 days: Jan 1 closes at KST Jan 8 00:00 = Jan 7 15:00 UTC (passed); Jan 2 closes at Jan 8 15:00 UTC (not yet).
    expect(await complete('seq')).toEqual([['2025-01-01', true], ['2025-01-02', false], ['2025-01-03', false], ['2025-04-06', false]]);
    // 1 hour: D closes at KST midnight starting D+1, plus one hour.
    expect(await complete('fast')).toEqual([['2025-01-01', true], ['2025-01-02', true], ['2025-01-03', true], ['2025-04-06', false]]);
  });

  describe("the seed's section-4 queries, one Cube query each", () => {
    it('beginner: key_event_1 users by the date of their first key_event_1 (in Seoul)', async () => {
      const data = await fx.query({
        measures: ['activation_events.count'],
        timeDimensions: [{ dimension: 'activation_events.date', granularity: 'day' }],
        filters: [{ member: 'activation_events.event_name', operator: 'equals', values: ['key_event_1'] }],
        order: { 'activation_events.date': 'asc' },
      });
      // u1 u2 u4 on KST Jan 1; u3 (UTC Jan 1 15:00 = KST Jan 2 00:00) and u5 on Jan 2.
      expect(data).toEqual([
        { 'activation_events.date.day': day('2025-01-01'), 'activation_events.date': day('2025-01-01'), 'activation_events.count': '3' },
        { 'activation_events.date.day': day('2025-01-02'), 'activation_events.date': day('2025-01-02'), 'activation_events.count': '2' },
      ]);
    });

    const seedMeasures = ['activation_events.first_visit_users', 'activation_events.key_event_1_within_1_day_users', 'activation_events.key_event_2_within_7_days_users'];
    const seedRows = async (extra: object) =>
      (await fx.query({ measures: seedMeasures, timeDimensions: [{ dimension: 'activation_events.first_visit_date', granularity: 'day' }], order: { 'activation_events.first_visit_date': 'asc' }, ...extra })).map((r) => [
        String(r['activation_events.first_visit_date.day']).slice(0, 10),
        ...seedMeasures.map((m) => Number(r[m])),
      ]);

    it('intermediate: first_visit → key_event_1 in 1 day → key_event_2 in 7 days, by cohort (= the independent funnel)', async () => {
      expect(await seedRows({})).toEqual([
        ['2025-01-01', 4, 3, 3],
        ['2025-01-02', 2, 1, 0],
        ['2025-01-03', 1, 0, 0],
        ['2025-04-06', 1, 0, 0],
      ]);
    });

    it('advanced: the same for users in the United States', async () => {
      expect(await seedRows({ filters: [{ member: 'activation_events.country', operator: 'equals', values: [US] }] })).toEqual([
        ['2025-01-01', 2, 2, 2],
        ['2025-01-02', 1, 0, 0],
        ['2025-01-03', 1, 0, 0],
      ]);
    });
  });

  // Cube converts time dimensions into the query's zone; a cohort date must never move.
  it.each(['Pacific/Kiritimati', 'Asia/Seoul', 'Asia/Kolkata', 'UTC', 'America/New_York', 'America/Santiago', 'Pacific/Pago_Pago'])(
    'cohort dates and date ranges do not move in query time zone %s',
    async (timezone) => {
      expect(await funnelRows(fx, 'seq', STEPS, {}, timezone)).toEqual([
        ['2025-01-01', 4, 3, 1, 0.75, 0.25],
        ['2025-01-02', 2, 1, 0, 0.5, 0],
        ['2025-01-03', 1, 0, 0, 0, 0],
        ['2025-04-06', 1, 0, 0, 0, 0],
      ]);
      const ranged = await fx.query({
        measures: ['seq.first_visit_users'],
        timeDimensions: [{ dimension: 'seq.cohort_date', granularity: 'week', dateRange: ['2025-01-02', '2025-01-03'] }],
        timezone,
      });
      expect(ranged).toEqual([{ 'seq.cohort_date.week': day('2024-12-30'), 'seq.cohort_date': day('2024-12-30'), 'seq.first_visit_users': '3' }]);
      const raw = await fx.query({ measures: ['seq.first_visit_users'], dimensions: ['seq.cohort_date'], filters: [{ member: 'seq.country', operator: 'equals', values: ['Chile'] }], timezone });
      expect(raw).toEqual([{ 'seq.cohort_date': day('2025-04-06'), 'seq.first_visit_users': '1' }]);
    },
  );
});
