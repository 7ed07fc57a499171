/**
 * Funnel tables (src/funnel/funnel-table-sql.ts) on every engine against the plain-TypeScript
 * reference (test/support/funnel-reference.ts): every order, every window kind, exclusions, in four
 * time zones, on randomized logs. The builder is not involved: the test makes the users relation
 * itself, as the contract describes it, and runs the SELECT into a table with the contract's columns.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { funnelOpenUntil, funnelTableColumns, funnelTableName, funnelTableSelect } from '../src/funnel/funnel-table-sql.ts';
import { parseSpec } from '../src/spec/load-spec.ts';
import type { MetricsSpec } from '../src/spec/spec-types.ts';
import { BoundParams } from '../src/warehouse/bound-params.ts';
import { duckdbDialect } from '../src/warehouse/duckdb/duckdb-dialect.ts';
import { postgresDialect } from '../src/warehouse/postgres/postgres-dialect.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import { ENGINES, createTestDatabase, type TestDatabase } from './support/engines.ts';
import { FUNNELS_YAML, REF_FUNNELS, ZONES, randomFunnelLog, type FunnelLog } from './support/funnel-log.ts';
import { referenceFunnelTable, type RefFunnelRow } from './support/funnel-reference.ts';
import { readFunnelTable } from './support/funnel-snapshot.ts';
import { localDate } from './support/reference.ts';
import { appendEvents } from './support/sources.ts';

const specFor = (zone: string, suffix: string): MetricsSpec =>
  parseSpec(`version: 1
timezone: ${zone}
sources: { events: events_${suffix} }
events: [key_event_1, key_event_2, uninstall]
funnels:
${FUNNELS_YAML.replace(/table: (\w+)/g, `table: $1_${suffix}`)}`);

/** Creates the raw log and the users relation of the contract (user_id, first_datetime, first_visit_date). */
async function loadLog(wh: Warehouse, log: FunnelLog, zone: string, suffix: string) {
  const q = (n: string) => wh.dialect.quoteIdentifier(n);
  const { string, timestamp, date } = wh.dialect.types;
  await wh.run(`CREATE TABLE ${q(`events_${suffix}`)} (date ${date}, datetime ${timestamp}, user_id ${string}, event_name ${string})`);
  await appendEvents(wh, log.events, `events_${suffix}`);
  await wh.run(`CREATE TABLE ${q(`users_${suffix}`)} (user_id ${string}, first_datetime ${timestamp}, first_visit_date ${date})`);
  const p = new BoundParams(wh.dialect);
  const rows = log.users.map((u) => `(${p.bind(u.user_id)}, ${p.bind(u.first_datetime, timestamp)}, ${p.bind(localDate(u.first_datetime, zone), date)})`);
  await wh.run(`INSERT INTO ${q(`users_${suffix}`)} VALUES ${rows.join(', ')}`, p.values);
}

/** Runs the funnel's SELECT into a table made from funnelTableColumns, as the builder does, and reads it back. */
async function buildFunnelTable(wh: Warehouse, spec: MetricsSpec, name: string, suffix: string, through: string, onlyUsers?: string): Promise<RefFunnelRow[]> {
  const funnel = spec.funnels.find((f) => f.name === name)!;
  const q = (n: string) => wh.dialect.quoteIdentifier(n);
  const table = `${funnelTableName(spec, funnel)}${onlyUsers ? '_only' : ''}`;
  const columns = funnelTableColumns(funnel, wh.dialect, wh.dialect.types.string);
  await wh.run(`DROP TABLE IF EXISTS ${q(table)}`);
  await wh.run(`CREATE TABLE ${q(table)} (${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`);
  const select = funnelTableSelect(wh.dialect, spec, funnel, { events: spec.sources.events, users: `users_${suffix}`, through, onlyUsers });
  await wh.run(`INSERT INTO ${q(table)} (${columns.map((c) => q(c.name)).join(', ')}) ${select.sql}`, select.params);
  return readFunnelTable(wh, funnel, table);
}

const timestampText = (v: unknown) => String(v).replace('T', ' ').slice(0, 19);

describe('funnel table SQL (golden per engine; UPDATE_GOLDEN=1 rewrites)', () => {
  const spec = specFor('America/New_York', 'g');
  it.each(spec.funnels.map((f) => f.name))('%s', (name) => {
    const funnel = spec.funnels.find((f) => f.name === name)!;
    for (const dialect of [duckdbDialect, postgresDialect]) {
      const { sql, params } = funnelTableSelect(dialect, spec, funnel, { events: 'fact__events', users: '_am_users', through: '2025-03-12 00:00:00', onlyUsers: '_am_changed_users' });
      const text = `${sql}\n-- params: ${JSON.stringify(params)}\n`;
      const file = join('test/golden/funnel-sql', dialect.name, `${name}.sql`);
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      expect(text, file).toBe(readFileSync(file, 'utf8'));
    }
  });
});

describe.each(ENGINES)('funnel tables on %s', (engine) => {
  let db: TestDatabase;
  let wh: Warehouse;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    wh = await db.connect();
  });
  afterAll(async () => {
    await wh?.close();
    await db?.drop();
  });

  // Santiago: 2025-09-07 00:00 does not exist (clocks jump to 01:00 -03); on 2025-04-06 clocks fall back from 00:00 -03 to 23:00 -04 the day before.
  it("localMidnightUtc: a day's first instant, also when local midnight does not exist (a DST gap at midnight)", async () => {
    const p = new BoundParams(wh.dialect);
    const at = (date: string, zone: string) => wh.dialect.localMidnightUtc(p.bind(date, wh.dialect.types.date), p.bind(zone));
    const [row] = await wh.query(`SELECT ${at('2025-09-07', 'America/Santiago')} AS gap, ${at('2025-04-06', 'America/Santiago')} AS back, ${at('2025-01-10', 'Asia/Kolkata')} AS east`, p.values);
    expect([row.gap, row.back, row.east].map(timestampText)).toEqual(['2025-09-07 04:00:00', '2025-04-06 04:00:00', '2025-01-09 18:30:00']);
  });

  describe.each(ZONES.map((z, i) => ({ ...z, i })))('in $zone', ({ zone, start, i }) => {
    const suffix = `z${i}`;
    const log = randomFunnelLog(9000 + i, start);
    let spec: MetricsSpec;
    beforeAll(async () => {
      spec = specFor(zone, suffix);
      await loadLog(wh, log, zone, suffix);
    });

    it.each(Object.keys(REF_FUNNELS))('%s equals the reference', async (name) => {
      const actual = await buildFunnelTable(wh, spec, name, suffix, log.through);
      const expected = referenceFunnelTable(log.events, log.users, REF_FUNNELS[name], zone, log.through);
      expect(actual).toEqual(expected);
      // The log exercises what it should: some users reach the last step, some are excluded, some stop early.
      const last = expected.filter((r) => r.at[r.at.length - 1] !== null).length;
      expect(last).toBeGreaterThan(0);
      expect(last).toBeLessThan(expected.length);
      if (REF_FUNNELS[name].exclusions) expect(expected.some((r) => r.excluded)).toBe(true);
    });

    it('the issue-9 case: a repeat of a later step after an earlier step counts under sequential, whatever the first occurrences', async () => {
      let found = 0;
      for (const name of ['seq_days', 'seq_elapsed', 'seq_hours']) {
        const rows = referenceFunnelTable(log.events, log.users, REF_FUNNELS[name], zone, log.through);
        const actual = await buildFunnelTable(wh, spec, name, suffix, log.through);
        const times = (r: RefFunnelRow, e: string) =>
          log.events.filter((x) => x.user_id === r.user_id && x.event_name === e && x.datetime >= r.first_visit_datetime && x.datetime <= log.through).map((x) => x.datetime).sort();
        // Users whose first key_event_2 after their first visit precedes their matched key_event_1, who reach step 3 all the same.
        const lateRepeaters = rows.filter((r) => r.at[1] !== null && times(r, 'key_event_2')[0] < r.at[0]!);
        for (const r of lateRepeaters) expect(actual.find((a) => a.user_id === r.user_id)).toEqual(r);
        found += lateRepeaters.length;
      }
      expect(found).toBeGreaterThan(0);
    });

    it('onlyUsers restricts the rows to those users', async () => {
      const only = `only_${suffix}`;
      await wh.run(`CREATE TABLE ${wh.dialect.quoteIdentifier(only)} (user_id ${wh.dialect.types.string})`);
      await wh.run(`INSERT INTO ${wh.dialect.quoteIdentifier(only)} VALUES ('u001'), ('u007'), ('ghost')`);
      const actual = await buildFunnelTable(wh, spec, 'seq_days', suffix, log.through, only);
      const expected = referenceFunnelTable(log.events, log.users, REF_FUNNELS.seq_days, zone, log.through).filter((r) => ['u001', 'u007'].includes(r.user_id));
      expect(actual).toEqual(expected);
    });

    it('funnelOpenUntil: no event after it changes a row; undefined with a step without a window', async () => {
      const p = new BoundParams(wh.dialect);
      const rows = await wh.query(
        `SELECT user_id, ${spec.funnels.map((f, k) => `${funnelOpenUntil(wh.dialect, spec, f, 'u.first_datetime', 'u.first_visit_date', p) ?? 'NULL'} AS open_${k}`).join(', ')} FROM ${wh.dialect.quoteIdentifier(`users_${suffix}`)} AS u ORDER BY user_id`,
        p.values,
      );
      expect(spec.funnels.map((f, k) => rows.every((r) => r[`open_${k}`] === null) === (f.name === 'seq_hours'))).toEqual(spec.funnels.map(() => true));
      // Per funnel: moving the watermark to each user's open-until instant changes nothing for that user.
      for (const [k, f] of spec.funnels.entries()) {
        if (f.name === 'seq_hours') continue;
        const everything = referenceFunnelTable(log.events, log.users, REF_FUNNELS[f.name], zone, '2100-01-01 00:00:00');
        for (const r of rows) {
          const until = timestampText(r[`open_${k}`]);
          const cut = referenceFunnelTable(log.events, log.users.filter((u) => u.user_id === r.user_id), REF_FUNNELS[f.name], zone, until);
          expect(cut[0], `${f.name} ${String(r.user_id)} open until ${until}`).toEqual(everything.find((e) => e.user_id === r.user_id));
        }
      }
    });
  });
});
