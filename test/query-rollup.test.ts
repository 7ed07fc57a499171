/**
 * The funnels' `by_cohort_day` rollup on every engine: Cube's compiler routes funnel queries to it,
 * and `activation query` returns the same numbers whether its build exists (read) or not (base
 * tables), in every query time zone, and never reads a build the last `activation build` outdated.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMart } from '../src/mart/build-mart.ts';
import type { CubeRestQuery } from '../src/query/cube-query.ts';
import { materializeRollups, type RollupDriver } from '../src/query/rollup-tables.ts';
import { compileCubeQuery, openCubeDriver, runCubeQuery } from '../src/query/run-cube-query.ts';
import { parseSpec } from '../src/spec/load-spec.ts';
import { coreSteps, createCubeFixture, specText, type CubeFixture } from './support/cube-fixture.ts';
import { ENGINES } from './support/engines.ts';
import { EVENTS, USERS } from './support/handmade-log.ts';
import { appendEvents } from './support/sources.ts';

const FUNNELS = `  - name: seq
    order: sequential
${coreSteps}`;
const TABLE = 'prod_pre_aggregations.seq__funnel_by_cohort_day';
const MEASURES = ['seq.first_visit_users', 'seq.key_event_1_users', 'seq.key_event_2_users', 'seq.key_event_1_conversion_rate', 'seq.key_event_2_conversion_rate'];
const byCohort = (granularity: string, extra: Partial<CubeRestQuery> = {}): CubeRestQuery => ({
  measures: MEASURES,
  timeDimensions: [{ dimension: 'seq.cohort_date', granularity }],
  order: { 'seq.cohort_date': 'asc' },
  ...extra,
});
const US = { member: 'seq.country', operator: 'equals', values: ['United States'] };
/** Queries the rollup answers. */
const ROUTED: [string, CubeRestQuery][] = [
  ['by cohort day', byCohort('day')],
  ['by cohort week', byCohort('week')],
  ['by cohort month', byCohort('month')],
  ['by day, country = United States', byCohort('day', { filters: [US] })],
  ['by week and country, cohort_is_complete', byCohort('week', {
    dimensions: ['seq.country', 'seq.cohort_is_complete'],
    // A total order: rows that tie on the week come back in any order otherwise.
    order: { 'seq.cohort_date': 'asc', 'seq.country': 'asc', 'seq.cohort_is_complete': 'asc' },
  })],
  ['a date range', { measures: MEASURES, timeDimensions: [{ dimension: 'seq.cohort_date', granularity: 'week', dateRange: ['2025-01-02', '2025-01-03'] }] }],
  ['no time dimension', { measures: MEASURES, dimensions: ['seq.country'], order: { 'seq.country': 'asc' } }],
  ['step conversion and average seconds to convert', byCohort('day', { measures: [...MEASURES, 'seq.key_event_2_step_conversion_rate', 'seq.key_event_1_avg_seconds_to_convert', 'seq.key_event_2_avg_seconds_to_convert'] })],
];
/** Queries it cannot answer: members it does not hold. */
const NOT_ROUTED: [string, CubeRestQuery][] = [
  ['per user', { measures: ['seq.first_visit_users'], dimensions: ['seq.user_id'] }],
  ['the raw cohort date', { measures: ['seq.first_visit_users'], dimensions: ['seq.cohort_date'] }],
  ['a filter on user_id', byCohort('day', { filters: [{ member: 'seq.user_id', operator: 'equals', values: ['u1'] }] })],
  ['a median (not additive)', byCohort('day', { measures: ['seq.key_event_1_median_seconds_to_convert'] })],
];
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati', 'America/Santiago'];

describe.each(ENGINES)('the funnel rollup on %s', (engine) => {
  let fx: CubeFixture;
  const compile = (q: CubeRestQuery, rollups: 'auto' | 'never' | 'routed' = 'auto') => compileCubeQuery(q, { env: fx.db.env, compiled: fx.compiled, rollups });
  const run = (q: CubeRestQuery, rollups: 'auto' | 'never' = 'auto') => runCubeQuery(q, { env: fx.db.env, compiled: fx.compiled, rollups });
  /** Builds the rollup a query routes to, as a Cube server would (the description's loadSql, Cube's versioned name). */
  const materialize = async (q: CubeRestQuery) => {
    const c = await compile(q, 'routed');
    try {
      return await materializeRollups(c.driver as unknown as RollupDriver, c.rollupDescriptions);
    } finally {
      await c.release();
    }
  };
  /** Base-table answers for every routed query and zone, before any rollup is built. */
  const baseline = new Map<string, unknown>();

  beforeAll(async () => {
    fx = await createCubeFixture(engine, specText('Asia/Seoul', FUNNELS), { users: USERS, events: EVENTS });
  });
  afterAll(async () => fx?.drop());

  it.each(ROUTED)('Cube routes the funnel query %s to the rollup', async (_, q) => {
    const c = await compile(q, 'routed');
    await c.release();
    expect(c.rollups).toEqual([{ preAggregationId: 'seq__funnel.by_cohort_day', tableName: TABLE, builtTable: null }]);
    expect(c.sql).toContain(`FROM ${TABLE}`);
    expect(c.sql).not.toContain('fact__first_activation_events');
    expect(c.sql).not.toContain('seq__funnel_users');
  });

  it.each(NOT_ROUTED)('Cube does not route %s to the rollup', async (_, q) => {
    const c = await compile(q, 'routed');
    await c.release();
    expect(c.rollups).toEqual([]);
    expect(c.sql).not.toContain('pre_aggregations');
  });

  it('without a build, matching queries read the base tables', async () => {
    for (const timezone of ZONES) {
      for (const [name, q] of ROUTED) {
        const result = await run({ ...q, timezone });
        expect(result.rollups).toEqual([{ preAggregationId: 'seq__funnel.by_cohort_day', tableName: TABLE, builtTable: null }]);
        expect(result.sql).not.toContain('pre_aggregations');
        expect(result.data, `${name} in ${timezone}`).toEqual((await run({ ...q, timezone }, 'never')).data);
        baseline.set(`${name} ${timezone}`, result.data);
      }
    }
    // Calendar cohorts: every zone gives the UTC numbers.
    for (const timezone of ZONES) for (const [name] of ROUTED) expect(baseline.get(`${name} ${timezone}`), `${name} in ${timezone}`).toEqual(baseline.get(`${name} UTC`));
    expect(baseline.get('by cohort day UTC')).toHaveLength(4);
  });

  it('a driver held open across queries (as a Cube server holds it) answers as a driver per query does, and stays open', async () => {
    const driver = await openCubeDriver(fx.db.env);
    try {
      for (const [name, q] of ROUTED) {
        const held = await runCubeQuery(q, { env: fx.db.env, compiled: fx.compiled, driver, rollups: 'never' });
        expect(held.data, name).toEqual((await run(q, 'never')).data);
      }
      expect(await driver.query('SELECT 1 AS one', [])).toHaveLength(1);
    } finally {
      await driver.release();
    }
  });

  it('a build is per query time zone (its loadSql is): a UTC build is not read by a New York query', async () => {
    const [built] = await materialize({ ...byCohort('day'), timezone: 'UTC' });
    expect(built).toMatch(/^prod_pre_aggregations\.seq__funnel_by_cohort_day_[a-z0-5]+_[a-z0-5]+_[0-9a-v]+$/);
    expect((await run({ ...byCohort('day'), timezone: 'UTC' })).rollups[0].builtTable).toBe(built);
    expect((await run({ ...byCohort('day'), timezone: 'America/New_York' })).rollups[0].builtTable).toBeNull();
  });

  it('with a build, matching queries read it and return the same numbers, in every zone and granularity', async () => {
    for (const timezone of ZONES.slice(1)) await materialize({ ...byCohort('day'), timezone });
    for (const timezone of ZONES) {
      for (const [name, q] of ROUTED) {
        const result = await run({ ...q, timezone });
        const built = result.rollups[0]?.builtTable;
        expect(built, `${name} in ${timezone}`).toMatch(/^prod_pre_aggregations\.seq__funnel_by_cohort_day_/);
        expect(result.sql).toContain(`FROM ${built} `);
        expect(result.sql).not.toContain('fact__first_activation_events');
        expect(result.data, `${name} in ${timezone}`).toEqual(baseline.get(`${name} ${timezone}`));
      }
    }
    // Queries the rollup cannot answer still read the base tables, with the rollups built.
    for (const [, q] of NOT_ROUTED) expect((await run(q)).sql).not.toContain('pre_aggregations');
  });

  it('after `activation build` moves the refresh key, the outdated build is not read', async () => {
    const wh = await fx.db.connect();
    try {
      // u6 (United States, cohort Jan 2 KST) reaches key_event_1 within a day; u7's event moves the watermark (the refresh key).
      await appendEvents(wh, [
        { user_id: 'u6', event_name: 'key_event_1', datetime: '2025-01-01 17:00:00' },
        { user_id: 'u7', event_name: 'key_event_2', datetime: '2025-01-09 03:00:00' },
      ]);
      await buildMart(wh, parseSpec(readFileSync(fx.specFile, 'utf8'), fx.specFile), { fullRefresh: true });
    } finally {
      await wh.close();
    }
    const q = byCohort('day', { filters: [US] });
    const stale = await run(q);
    expect(stale.rollups[0].builtTable).toBeNull();
    expect(stale.sql).not.toContain('pre_aggregations');
    const fresh = stale.data.map((r) => [String(r['seq.cohort_date.day']).slice(0, 10), Number(r['seq.first_visit_users']), Number(r['seq.key_event_1_users'])]);
    expect(fresh).toEqual([
      ['2025-01-01', 2, 2],
      ['2025-01-02', 1, 1], // u6, new
      ['2025-01-03', 1, 0],
    ]);
    const [built] = await materialize(q);
    const rebuilt = await run(q);
    expect(rebuilt.rollups[0].builtTable).toBe(built);
    expect(rebuilt.data).toEqual(stale.data);
  });
});
