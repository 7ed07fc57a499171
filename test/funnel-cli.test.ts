/**
 * End to end through the real CLI: `activation build` writes the funnel tables with the mart,
 * `activation generate` the model, `activation query --format json` answers every funnel measure,
 * and every number equals the plain-TypeScript reference (test/support/funnel-reference.ts):
 * all orders, all window kinds, exclusions, step conversion, mean and median seconds to convert,
 * in a zone east of UTC, one west with a DST change inside the data, and UTC; on every engine.
 * Then late events and an incremental build: the answers move exactly as the reference's do.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from './support/engines.ts';
import { FUNNELS_YAML, REF_FUNNELS, ZONES, randomFunnelLog } from './support/funnel-log.ts';
import { referenceFunnelStats, referenceFunnelTable, type RefCohortStats } from './support/funnel-reference.ts';
import { utcMillis } from './support/reference.ts';
import { runCli } from './support/run-cli.ts';
import type { SourceEvent } from './support/sources.ts';

const MEASURES = ['conversion_rate', 'step_conversion_rate', 'avg_seconds_to_convert', 'median_seconds_to_convert'];

function query(funnel: string) {
  const steps = REF_FUNNELS[funnel].steps.map((s) => s.name);
  return {
    measures: [...steps.map((s) => `${funnel}.${s}_users`), ...MEASURES.flatMap((m) => steps.slice(1).map((s) => `${funnel}.${s}_${m}`))],
    timeDimensions: [{ dimension: `${funnel}.cohort_date`, granularity: 'day' }],
    order: { [`${funnel}.cohort_date`]: 'asc' },
  };
}

function asStats(funnel: string, data: Record<string, string | null>[]): Map<string, RefCohortStats> {
  const steps = REF_FUNNELS[funnel].steps.map((s) => s.name);
  const later = steps.slice(1);
  const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  const m = (s: string, x: string) => `${funnel}.${s}_${x}`;
  return new Map(
    data.map((r) => [
      String(r[`${funnel}.cohort_date.day`]).slice(0, 10),
      {
        users: steps.map((s) => Number(r[m(s, 'users')])),
        conversion: later.map((s) => num(r[m(s, 'conversion_rate')])),
        stepConversion: later.map((s) => num(r[m(s, 'step_conversion_rate')])),
        avgSeconds: later.map((s) => num(r[m(s, 'avg_seconds_to_convert')])),
        medianSeconds: later.map((s) => num(r[m(s, 'median_seconds_to_convert')])),
      },
    ]),
  );
}

describe.each(ENGINES)('funnels end to end through the CLI on %s', (engine) => {
  describe.each(ZONES.filter((z) => z.zone !== 'America/Santiago').map((z, i) => ({ ...z, i })))('spec zone $zone', ({ zone, start, i }) => {
    const log = randomFunnelLog(31 + i, start, 120);
    // First build: everything up to `through`, less every other event of its last two days, which arrive late (inside
    // the default 3-day lookback) with the tail after `through` for the second, incremental build.
    const lateFrom = utcMillis(log.through) - 2 * 86_400_000;
    const isLate = (e: SourceEvent, k: number) => utcMillis(e.datetime) > utcMillis(log.through) || (utcMillis(e.datetime) > lateFrom && k % 2 === 0);
    const early = log.events.filter((e, k) => !isLate(e, k));
    const late: SourceEvent[] = log.events.filter((e, k) => isLate(e, k));
    let db: TestDatabase;
    let cwd: string;
    const cli = (...args: string[]) => runCli(args, db.env, cwd);
    /** Sources are written from another process: this one must not hold the DuckDB file the CLI opens. */
    const seed = (dir: string, data: object, mode?: 'append') => {
      const file = join(dir, `${mode ?? 'sources'}.json`);
      writeFileSync(file, JSON.stringify(data));
      const r = spawnSync(process.execPath, ['--import', 'tsx', resolve('test/support/seed-sources.ts'), file, ...(mode ? [mode] : [])], { env: { ...process.env, ...db.env }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    };
    const answers = (funnel: string) => {
      const r = cli('query', JSON.stringify(query(funnel)), '--format', 'json');
      expect(r.code, r.stderr).toBe(0);
      return asStats(funnel, JSON.parse(r.stdout));
    };
    const newest = (events: SourceEvent[]) => events.reduce((a, e) => (utcMillis(e.datetime) > utcMillis(a) ? e.datetime : a), '0001-01-01 00:00:00');

    beforeAll(async () => {
      cwd = mkdtempSync(join(tmpdir(), 'activation-funnel-cli-'));
      writeFileSync(join(cwd, 'metrics.yaml'), `version: 1\ntimezone: ${zone}\nevents: [key_event_1, key_event_2, uninstall]\nfunnels:\n${FUNNELS_YAML}`);
      db = await createTestDatabase(engine);
      seed(cwd, { users: log.users, events: early });
      const build = cli('build');
      expect(build.code, build.stderr).toBe(0);
      expect(cli('generate').code).toBe(0);
    }, 120_000);
    afterAll(async () => db?.drop());

    it.each(Object.keys(REF_FUNNELS))('%s: activation query equals the reference', (funnel) => {
      const rows = referenceFunnelTable(early, log.users, REF_FUNNELS[funnel], zone, newest(early));
      expect(answers(funnel)).toEqual(referenceFunnelStats(rows));
    });

    it('after late events and an incremental build, every funnel still equals the reference', async () => {
      seed(cwd, { events: late }, 'append');
      const build = cli('build');
      expect(build.code, build.stderr).toBe(0);
      for (const funnel of Object.keys(REF_FUNNELS)) {
        const rows = referenceFunnelTable(log.events, log.users, REF_FUNNELS[funnel], zone, newest(log.events));
        expect(answers(funnel), funnel).toEqual(referenceFunnelStats(rows));
      }
    }, 120_000);
  });
});
