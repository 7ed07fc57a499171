/**
 * Every funnel view measure through Cube's compiler (`runCubeQuery`) against the plain-TypeScript
 * reference (test/support/funnel-reference.ts): step users, conversion rates from the first step
 * and from the previous step, mean and median seconds to convert; all orders, all window kinds,
 * exclusions; four spec time zones, queried from other zones; on every engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './support/engines.ts';
import { createCubeFixture, type CubeFixture } from './support/cube-fixture.ts';
import { FUNNELS_YAML, REF_FUNNELS, ZONES, randomFunnelLog } from './support/funnel-log.ts';
import { referenceFunnelStats, referenceFunnelTable, type RefCohortStats } from './support/funnel-reference.ts';
import { seededRandom } from './support/random.ts';
import type { SourceUser } from './support/sources.ts';

const COUNTRIES = ['United States', 'India', 'Chile'];

/** The view's answer per cohort date, in the reference's shape. */
async function viewStats(fx: CubeFixture, funnel: string, timezone: string, country?: string): Promise<Map<string, RefCohortStats>> {
  const steps = REF_FUNNELS[funnel].steps.map((s) => s.name);
  const later = steps.slice(1);
  const m = (suffix: string, s: string) => `${funnel}.${s}_${suffix}`;
  const measures = [...steps.map((s) => m('users', s)), ...['conversion_rate', 'step_conversion_rate', 'avg_seconds_to_convert', 'median_seconds_to_convert'].flatMap((x) => later.map((s) => m(x, s)))];
  const data = await fx.query({
    measures,
    timeDimensions: [{ dimension: `${funnel}.cohort_date`, granularity: 'day' }],
    ...(country && { filters: [{ member: `${funnel}.country`, operator: 'equals', values: [country] }] }),
    order: { [`${funnel}.cohort_date`]: 'asc' },
    timezone,
  });
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return new Map(
    data.map((r) => [
      String(r[`${funnel}.cohort_date.day`]).slice(0, 10),
      {
        users: steps.map((s) => Number(r[m('users', s)])),
        conversion: later.map((s) => num(r[m('conversion_rate', s)])),
        stepConversion: later.map((s) => num(r[m('step_conversion_rate', s)])),
        avgSeconds: later.map((s) => num(r[m('avg_seconds_to_convert', s)])),
        medianSeconds: later.map((s) => num(r[m('median_seconds_to_convert', s)])),
      },
    ]),
  );
}

describe.each(ENGINES)('funnel measures through Cube on %s', (engine) => {
  describe.each(ZONES.map((z, i) => ({ ...z, i })))('spec zone $zone', ({ zone, start, i }) => {
    const log = randomFunnelLog(4200 + i, start);
    const r = seededRandom(77 + i);
    const users: SourceUser[] = log.users.map((u) => ({ ...u, country: r.pick(COUNTRIES) }));
    const country = new Map(users.map((u) => [u.user_id, u.country]));
    // The builder's watermark is the newest event; the reference reads everything up to it.
    const events = log.events.filter((e) => e.datetime <= log.through);
    let fx: CubeFixture;
    beforeAll(async () => {
      fx = await createCubeFixture(engine, `version: 1\ntimezone: ${zone}\nevents: [key_event_1, key_event_2, uninstall]\nfunnels:\n${FUNNELS_YAML}`, { users, events });
    }, 120_000);
    afterAll(async () => fx?.drop());

    it.each(Object.keys(REF_FUNNELS))('%s: every measure by cohort day equals the reference (query zones UTC and Pacific/Honolulu; a country filter)', async (funnel) => {
      const rows = referenceFunnelTable(events, log.users, REF_FUNNELS[funnel], zone, log.through);
      expect(await viewStats(fx, funnel, 'UTC')).toEqual(referenceFunnelStats(rows));
      expect(await viewStats(fx, funnel, 'Pacific/Honolulu', 'India')).toEqual(referenceFunnelStats(rows, (u) => country.get(u) === 'India'));
    });
  });
});
