/**
 * Golden SQL per engine (MetricFlow's snapshots habit): the statements a full and an incremental
 * build send, and the SQL Cube compiles for a few funnel queries, so that a change to generated
 * SQL shows in review as a diff of test/golden/builder-sql/<engine>/ and
 * test/golden/query-sql/<engine>/. UPDATE_GOLDEN=1 rewrites them. Build ids and the run's table
 * names are normalized; values are bound, so no data appears in the text.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMart } from '../src/mart/build-mart.ts';
import type { CubeRestQuery } from '../src/query/cube-query.ts';
import { compileCubeQuery } from '../src/query/run-cube-query.ts';
import { parseSpec } from '../src/spec/load-spec.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import { createCubeFixture, type CubeFixture } from './support/cube-fixture.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';
import { EVENTS, USERS } from './support/handmade-log.ts';
import { appendEvents, createSources } from './support/sources.ts';
import { withCapabilities } from './support/without-transactions.ts';

const SPEC = `version: 1
timezone: Asia/Seoul
events: [key_event_1, key_event_2]
funnels:
  - name: core
    steps:
      - event: first_visit
      - event: key_event_1
        within: { days: 1 }
      - event: key_event_2
        within: { duration: 7d }
  - name: core_any
    order: any
    steps:
      - event: first_visit
      - event: key_event_1
        within: { hours: 24 }
      - event: key_event_2
        within: { days: 7 }
`;

const QUERIES: Record<string, CubeRestQuery> = {
  'core-by-cohort-day': {
    measures: ['core.first_visit_users', 'core.key_event_1_users', 'core.key_event_2_users', 'core.key_event_2_conversion_rate'],
    timeDimensions: [{ dimension: 'core.cohort_date', granularity: 'day' }],
    order: { 'core.cohort_date': 'asc' },
  },
  // UTC: a pinned cohort date is its midnight, grouped by week with DATE_TRUNC and by day without, and filtered as it is (src/query/utc-session-query.ts).
  'core-by-cohort-week': {
    measures: ['core.first_visit_users', 'core.key_event_1_users'],
    timeDimensions: [{ dimension: 'core.cohort_date', granularity: 'week', dateRange: ['2025-01-01', '2025-01-31'] }],
    order: { 'core.cohort_date': 'asc' },
  },
  'core-time-to-convert-by-country': {
    measures: ['core.key_event_2_avg_seconds_to_convert', 'core.key_event_2_median_seconds_to_convert'],
    dimensions: ['core.country'],
    filters: [{ member: 'core.cohort_is_complete', operator: 'equals', values: ['true'] }],
  },
  'core-any-by-week-in-new-york': {
    measures: ['core_any.key_event_2_users', 'core_any.key_event_2_step_conversion_rate'],
    timeDimensions: [{ dimension: 'core_any.cohort_date', granularity: 'week', dateRange: ['2025-01-01', '2025-01-31'] }],
    timezone: 'America/New_York',
  },
};

/**
 * Statements as the warehouse received them, in order. One at a time even where the engine runs
 * independent statements side by side (Trino), so that the order is the same on every run.
 */
function recording(warehouse: Warehouse, log: string[]): Warehouse {
  return withCapabilities(
    warehouse,
    { concurrentStatements: false },
    {
      query: { value: (sql: string, params?: unknown[]) => (log.push(sql), warehouse.query(sql, params)) },
      run: { value: (sql: string, params?: unknown[]) => (log.push(sql), warehouse.run(sql, params)) },
    },
  );
}

/** A build lock's renewal runs on a timer (every 40 s on Trino): whether one falls inside a build depends on the machine's speed. */
const TIMED = /^UPDATE .*_am_build_locks" SET expires_at/;

/** Build ids, the test database's schema and timed statements out, one statement per paragraph. */
function normalize(statements: string[]): string {
  return `${statements
    .filter((s) => !TIMED.test(s.trim()))
    .map((s) =>
      s
        .replace(/_am_([0-9a-f]{8})_[0-9a-f]{8}_/g, '_am_$1_<build>_')
        .replace(/"t_\d+_[0-9a-z]+_\d+"/g, '"<test schema>"')
        .replace(/[ \t]+$/gm, '')
        .trim(),
    )
    .join(';\n\n')};\n`;
}

function checkGolden(file: string, text: string) {
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe.each(ENGINES)('golden SQL on %s', (engine) => {
  describe('builder statements', () => {
    let db: TestDatabase;
    let wh: Warehouse;
    beforeAll(async () => {
      db = await createTestDatabase(engine);
      wh = await db.connect();
      await createSources(wh, { events: EVENTS, users: USERS });
    });
    afterAll(async () => {
      await wh.close();
      await db.drop();
    });

    it('a full build, then an incremental build after one appended day', async () => {
      const spec = parseSpec(SPEC);
      const now = new Date('2025-01-20T00:00:00Z');
      const full: string[] = [];
      await buildMart(recording(wh, full), spec, { fullRefresh: true, now });
      await appendEvents(wh, [{ user_id: 'u5', event_name: 'key_event_2', datetime: '2025-01-09 01:00:00' }]);
      const incremental: string[] = [];
      await buildMart(recording(wh, incremental), spec, { now });
      checkGolden(`test/golden/builder-sql/${engine}/full-build.sql`, normalize(full));
      checkGolden(`test/golden/builder-sql/${engine}/incremental-build.sql`, normalize(incremental));
    });
  });

  describe('funnel queries compiled by Cube', () => {
    let fx: CubeFixture;
    beforeAll(async () => {
      fx = await createCubeFixture(engine, SPEC, { events: EVENTS, users: USERS });
    });
    afterAll(async () => fx?.drop());
    const compile = async (query: CubeRestQuery) => {
      const { sql, params, release } = await compileCubeQuery(query, { modelDir: fx.modelDir, env: fx.db.env, compiled: fx.compiled, rollups: 'never' });
      await release();
      return { sql, params };
    };

    it.each(Object.keys(QUERIES))('%s', async (name) => {
      const { sql, params } = await compile(QUERIES[name]);
      checkGolden(`test/golden/query-sql/${engine}/${name}.sql`, `${sql.trim()}\n-- params: ${JSON.stringify(params)}\n`);
    });

    // The builder's and the model's list of UTC's names (src/warehouse/local-time.ts) decides which queries take the UTC shortcut.
    it.each(['Etc/Universal', 'Zulu', 'GMT0'])('a query in %s compiles to the SQL of a query in UTC', async (timezone) => {
      const query = QUERIES['core-by-cohort-week'];
      const inUtc = await compile(query);
      expect(inUtc.sql).toContain('/* calendar date */');
      expect(await compile({ ...query, timezone })).toEqual(inUtc);
    });
  });
});
