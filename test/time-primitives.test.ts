/**
 * The dialect's time and aggregate primitives, on every engine, against answers worked out by
 * hand (Malloy's time.spec.ts habit): daylight-saving edges, calendar-day and hour-bucket
 * boundaries, zones off the hour, a DST gap at midnight, microseconds. Every window and cohort
 * date the builder and the model compute goes through these, so an engine that disagrees here
 * would disagree everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUtcZone, localDateSql, localMidnightUtcSql } from '../src/warehouse/local-time.ts';
import type { Dialect, Warehouse } from '../src/warehouse/warehouse.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';

interface Case {
  name: string;
  sql: (d: Dialect) => string;
  expected: string | number | null;
}

const ts = (d: Dialect, value: string) => `CAST(${d.quoteLiteral(value)} AS ${d.types.timestamp})`;
const date = (d: Dialect, value: string) => `CAST(${d.quoteLiteral(value)} AS ${d.types.date})`;
const zone = (d: Dialect, name: string) => d.quoteLiteral(name);

const localDate = (utc: string, tz: string, expected: string): Case => ({
  name: `localDate ${utc} UTC in ${tz} = ${expected}`,
  sql: (d) => d.localDate(ts(d, utc), zone(d, tz)),
  expected,
});
const localMidnight = (day: string, tz: string, expected: string): Case => ({
  name: `localMidnightUtc ${day} in ${tz} = ${expected} UTC`,
  sql: (d) => d.localMidnightUtc(date(d, day), zone(d, tz)),
  expected,
});
// What the builder and the model render (src/warehouse/local-time.ts): a cast in UTC, the dialect's conversion elsewhere.
const rendered = (utc: string, tz: string, expected: string): Case[] => [
  { name: `localDateSql ${utc} UTC in ${tz} = ${expected}`, sql: (d) => localDateSql(d, ts(d, utc), tz, (z) => zone(d, z)), expected },
  // The shortcut must agree with the engine's own conversion of the same zone name (an alias it did not know would fail here).
  { name: `localDateSql ${utc} in ${tz} agrees with the conversion`, sql: (d) => `CASE WHEN ${localDateSql(d, ts(d, utc), tz, (z) => zone(d, z))} = ${d.localDate(ts(d, utc), zone(d, tz))} THEN 'same' ELSE 'different' END`, expected: 'same' },
  { name: `localMidnightUtcSql ${expected} in ${tz}`, sql: (d) => localMidnightUtcSql(d, date(d, expected), tz, (z) => zone(d, z)), expected: `${expected} 00:00:00` },
];
const hourBuckets = (later: string, earlier: string, expected: number): Case => ({
  name: `hourBucketsBetween ${later} and ${earlier} = ${expected}`,
  sql: (d) => d.hourBucketsBetween(ts(d, later), ts(d, earlier)),
  expected,
});
const daysBetween = (later: string, earlier: string, expected: number): Case => ({
  name: `daysBetween ${later} and ${earlier} = ${expected}`,
  sql: (d) => d.daysBetween(date(d, later), date(d, earlier)),
  expected,
});

const CASES: Case[] = [
  // New York springs forward on 2025-03-09 at 02:00 local (07:00 UTC).
  localDate('2025-03-09 06:59:59', 'America/New_York', '2025-03-09'),
  localDate('2025-03-09 04:59:59.999999', 'America/New_York', '2025-03-08'),
  localDate('2025-03-09 05:00:00', 'America/New_York', '2025-03-09'),
  localDate('2025-03-10 03:59:59.999999', 'America/New_York', '2025-03-09'),
  localDate('2025-03-10 04:00:00', 'America/New_York', '2025-03-10'),
  // London falls back on 2025-10-26 at 02:00 BST (01:00 UTC): midnight starting the 26th is 23:00 UTC the day before.
  localDate('2025-10-25 22:59:59.999999', 'Europe/London', '2025-10-25'),
  localDate('2025-10-25 23:00:00', 'Europe/London', '2025-10-26'),
  localDate('2025-10-27 00:00:00', 'Europe/London', '2025-10-27'),
  // Zones off the hour, and the article's zone (no DST).
  localDate('2025-01-01 18:29:59.999999', 'Asia/Kolkata', '2025-01-01'),
  localDate('2025-01-01 18:30:00', 'Asia/Kolkata', '2025-01-02'),
  localDate('2025-06-30 14:59:59.999999', 'Asia/Seoul', '2025-06-30'),
  localDate('2025-06-30 15:00:00', 'Asia/Seoul', '2025-07-01'),
  localDate('2024-02-29 12:00:00', 'UTC', '2024-02-29'),
  ...rendered('2024-02-29 23:59:59.999999', 'UTC', '2024-02-29'),
  ...rendered('2024-03-01 00:00:00', 'Etc/UTC', '2024-03-01'),
  ...rendered('2025-12-31 23:59:59.999999', 'GMT', '2025-12-31'),

  localMidnight('2025-03-09', 'America/New_York', '2025-03-09 05:00:00'),
  localMidnight('2025-03-10', 'America/New_York', '2025-03-10 04:00:00'),
  localMidnight('2025-10-26', 'Europe/London', '2025-10-25 23:00:00'),
  localMidnight('2025-10-27', 'Europe/London', '2025-10-27 00:00:00'),
  localMidnight('2025-01-02', 'Asia/Kolkata', '2025-01-01 18:30:00'),
  localMidnight('2025-07-01', 'Asia/Seoul', '2025-06-30 15:00:00'),
  // Santiago springs forward at midnight on 2024-09-08 (00:00 → 01:00, UTC−4 → UTC−3): the day starts at 01:00 local, 04:00 UTC.
  localMidnight('2024-09-08', 'America/Santiago', '2024-09-08 04:00:00'),
  localMidnight('2024-09-09', 'America/Santiago', '2024-09-09 03:00:00'),

  // Hour buckets are UTC hours, counted by bucket, not by elapsed time.
  hourBuckets('2025-01-01 10:59:59.999999', '2025-01-01 10:00:00', 0),
  hourBuckets('2025-01-01 11:00:00', '2025-01-01 10:59:59.999999', 1),
  hourBuckets('2025-01-02 00:00:00', '2025-01-01 23:59:59', 1),
  hourBuckets('2025-03-09 08:00:00', '2025-03-09 06:30:00', 2),
  hourBuckets('2025-01-08 00:00:00', '2025-01-01 00:00:00', 168),

  // Calendar days between dates: month, year and leap-day edges.
  daysBetween('2025-03-10', '2025-03-09', 1),
  daysBetween('2025-01-01', '2024-12-31', 1),
  daysBetween('2024-03-01', '2024-02-28', 2),
  daysBetween('2025-03-01', '2025-02-28', 1),
  daysBetween('2025-01-01', '2025-01-01', 0),

  { name: 'addDays 2024-02-28 + 1 = 2024-02-29', sql: (d) => d.addDays(date(d, '2024-02-28'), '1'), expected: '2024-02-29' },
  { name: 'addDays 2024-12-31 + 7 = 2025-01-07', sql: (d) => d.addDays(date(d, '2024-12-31'), '7'), expected: '2025-01-07' },
  { name: 'plusSeconds is UTC arithmetic (no DST hour)', sql: (d) => d.plusSeconds(ts(d, '2025-03-09 06:30:00'), '3600'), expected: '2025-03-09 07:30:00' },
  { name: 'plusSeconds keeps microseconds', sql: (d) => d.plusSeconds(ts(d, '2025-01-01 23:59:59.000001'), '86400'), expected: '2025-01-02 23:59:59.000001' },
  { name: 'plusSeconds of ten years', sql: (d) => d.plusSeconds(ts(d, '2025-01-01 00:00:00'), '315360000'), expected: '2034-12-30 00:00:00' },
  { name: 'secondsBetween keeps microseconds', sql: (d) => d.secondsBetween(ts(d, '2025-01-01 00:00:01.500001'), ts(d, '2025-01-01 00:00:00')), expected: 1.500001 },
  { name: 'secondsBetween across days', sql: (d) => d.secondsBetween(ts(d, '2025-01-02 00:00:00'), ts(d, '2025-01-01 00:00:00')), expected: 86400 },
  { name: 'plusDifference adds a positive difference', sql: (d) => d.plusDifference(ts(d, '2025-03-09 00:00:00'), ts(d, '2025-03-09 00:00:00'), ts(d, '2025-03-08 19:00:00')), expected: '2025-03-09 05:00:00' },
  { name: 'plusDifference adds a negative difference of whole seconds, keeping microseconds', sql: (d) => d.plusDifference(ts(d, '2024-03-01 00:00:00.000001'), ts(d, '2024-02-28 23:00:00'), ts(d, '2024-02-29 09:30:30')), expected: '2024-02-29 13:29:30.000001' },
  { name: 'hourStart drops minutes and microseconds', sql: (d) => d.hourStart(ts(d, '2025-01-01 10:59:59.999999')), expected: '2025-01-01 10:00:00' },
];

const median = (values: (number | null)[]) => (d: Dialect) => {
  const rows = values.length === 0 ? `SELECT CAST(NULL AS ${d.types.double}) AS x WHERE 1 = 0` : values.map((v) => `SELECT CAST(${v ?? 'NULL'} AS ${d.types.double}) AS x`).join(' UNION ALL ');
  return `SELECT ${d.median('t.x')} AS v FROM (${rows}) AS t`;
};

const MEDIANS: { name: string; sql: (d: Dialect) => string; expected: number | null }[] = [
  { name: 'odd count: the middle value', sql: median([3, 1, 2]), expected: 2 },
  { name: 'even count: the mean of the two middle values', sql: median([4, 1, 3, 2]), expected: 2.5 },
  { name: 'NULLs are ignored', sql: median([null, 5, null, 7]), expected: 6 },
  { name: 'one value', sql: median([42.25]), expected: 42.25 },
  { name: 'no rows: NULL', sql: median([]), expected: null },
  { name: 'only NULLs: NULL', sql: median([null, null]), expected: null },
];

describe('the UTC shortcut', () => {
  it('covers UTC and its links only, not zones that merely sit at UTC part of the year', () => {
    expect(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Zulu'].every(isUtcZone)).toBe(true);
    expect(['Europe/London', 'Africa/Abidjan', 'Atlantic/Reykjavik', 'Etc/GMT+1', 'utc', 'America/New_York'].some(isUtcZone)).toBe(false);
  });
});

describe.each(ENGINES)('time primitives on %s', (engine) => {
  let db: TestDatabase;
  let wh: Warehouse;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    wh = await db.connect();
  });
  afterAll(async () => {
    await wh.close();
    await db.drop();
  });

  it('every case in one query agrees with the hand-worked answer', async () => {
    const d = wh.dialect;
    // One statement for all cases: a distributed engine pays its latency once.
    const [row] = await wh.query(`SELECT ${CASES.map((c, i) => `${c.sql(d)} AS c${i}`).join(', ')}`);
    const got = Object.fromEntries(CASES.map((c, i) => [c.name, typeof row[`c${i}`] === 'number' ? Number(row[`c${i}`]) : row[`c${i}`]]));
    expect(got).toEqual(Object.fromEntries(CASES.map((c) => [c.name, c.expected])));
  });

  it('the median is exact (percentile_cont(0.5)) for odd, even, NULL and empty inputs', async () => {
    const got: Record<string, unknown> = {};
    for (const m of MEDIANS) {
      const [row] = await wh.query(m.sql(wh.dialect));
      got[m.name] = row.v === null ? null : Number(row.v);
    }
    expect(got).toEqual(Object.fromEntries(MEDIANS.map((m) => [m.name, m.expected])));
  });
});
