import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendDemoDays, generateDemoData, type DemoSummary } from '../src/demo/generate-demo-data.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';

const SMALL = { users: 2_000, days: 30, seed: 7 } as const;

/** The whole table, in a stable order, as comparable text rows. */
async function dump(wh: Warehouse, table: string, order: string): Promise<string[]> {
  const rows = await wh.query(`SELECT * FROM ${wh.dialect.quoteIdentifier(table)} ORDER BY ${order}`);
  return rows.map((r) => JSON.stringify(r));
}
const dumpEvents = (wh: Warehouse) => dump(wh, 'fact__events', 'loaded_at, datetime, user_id, event_name');
const dumpUsers = (wh: Warehouse) => dump(wh, 'dim__users', 'user_id');

describe.each(ENGINES)('demo data on %s', (engine) => {
  let db: TestDatabase;
  let wh: Warehouse;
  let summary: DemoSummary;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    wh = await db.connect();
    summary = await generateDemoData(wh, SMALL);
  });
  afterAll(async () => {
    await wh?.close();
    await db?.drop();
  });

  it('writes the core-layer tables with the counts it reports', async () => {
    const [{ n: events }] = await wh.query('SELECT COUNT(*) AS n FROM fact__events');
    const [{ n: users }] = await wh.query('SELECT COUNT(*) AS n FROM dim__users');
    expect(Number(events)).toBe(summary.events);
    expect(Number(users)).toBe(summary.users);
    // About the requested size: users within 10%, events within 5% of users × 20.
    expect(summary.users).toBeGreaterThan(SMALL.users * 0.9);
    expect(summary.users).toBeLessThan(SMALL.users * 1.1);
    expect(summary.events).toBeGreaterThan(SMALL.users * 20 * 0.95);
    expect(summary.events).toBeLessThan(SMALL.users * 20 * 1.05);
    const columns = (await wh.columns('fact__events'))!.map((c) => [c.name, c.category]);
    expect(columns).toEqual([['date', 'date'], ['datetime', 'timestamp'], ['user_id', 'string'], ['event_name', 'string'], ['loaded_at', 'timestamp']]);
  });

  it('stays inside the requested period and keeps `date` the UTC date of `datetime`', async () => {
    const [range] = await wh.query(
      `SELECT MIN(first_date) AS first, MAX(first_date) AS last FROM dim__users`,
    );
    expect(range).toEqual({ first: '2025-06-01', last: '2025-06-30' });
    const [{ n: mismatched }] = await wh.query('SELECT COUNT(*) AS n FROM fact__events WHERE date <> CAST(datetime AS DATE)');
    expect(Number(mismatched)).toBe(0);
    const [{ latest }] = await wh.query('SELECT MAX(loaded_at) AS latest FROM fact__events');
    expect(String(latest) < '2025-07-01').toBe(true);
  });

  it('contains the bad rows the mart builder must cope with, as many as it reports', async () => {
    const [bad] = await wh.query(`
      SELECT
        SUM(CASE WHEN e.user_id IS NULL THEN 1 ELSE 0 END) AS null_users,
        SUM(CASE WHEN e.user_id IS NOT NULL AND u.user_id IS NULL THEN 1 ELSE 0 END) AS unknown_users,
        SUM(CASE WHEN e.datetime < u.first_datetime THEN 1 ELSE 0 END) AS before_first_visit,
        SUM(CASE WHEN CAST(e.loaded_at AS DATE) > e.date THEN 1 ELSE 0 END) AS loaded_later
      FROM fact__events e LEFT JOIN dim__users u ON u.user_id = e.user_id`);
    expect(Number(bad.null_users)).toBe(summary.nullUserEvents);
    expect(Number(bad.unknown_users)).toBe(summary.eventsOfUnknownUsers);
    expect(Number(bad.before_first_visit)).toBe(summary.eventsBeforeFirstVisit);
    expect(summary.nullUserEvents).toBeGreaterThan(0);
    expect(summary.eventsOfUnknownUsers).toBeGreaterThan(0);
    expect(summary.eventsBeforeFirstVisit).toBeGreaterThan(0);
    expect(summary.lateEvents).toBeGreaterThan(0);
    expect(Number(bad.loaded_later)).toBeGreaterThanOrEqual(summary.lateEvents);
    const [{ n: duplicated }] = await wh.query(
      'SELECT COUNT(*) AS n FROM (SELECT user_id, event_name, datetime FROM fact__events GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) d',
    );
    expect(Number(duplicated)).toBeGreaterThan(0);
  });

  it('has a funnel that drops off: first visit > key_event_1 > key_event_2, with some out of order', async () => {
    const [f] = await wh.query(`
      WITH firsts AS (
        SELECT u.user_id,
          MIN(CASE WHEN e.event_name = 'key_event_1' AND e.datetime >= u.first_datetime THEN e.datetime END) AS k1,
          MIN(CASE WHEN e.event_name = 'key_event_2' AND e.datetime >= u.first_datetime THEN e.datetime END) AS k2
        FROM dim__users u LEFT JOIN fact__events e ON e.user_id = u.user_id
        GROUP BY u.user_id)
      SELECT COUNT(*) AS users, COUNT(k1) AS k1, COUNT(k2) AS k2,
        SUM(CASE WHEN k2 < k1 OR (k2 IS NOT NULL AND k1 IS NULL) THEN 1 ELSE 0 END) AS out_of_order
      FROM firsts`);
    const [users, k1, k2] = [Number(f.users), Number(f.k1), Number(f.k2)];
    expect(k1 / users).toBeGreaterThan(0.2);
    expect(k1 / users).toBeLessThan(0.6);
    expect(k2 / k1).toBeGreaterThan(0.15);
    expect(k2 / k1).toBeLessThan(0.7);
    expect(Number(f.out_of_order)).toBeGreaterThan(0);
    // Filler events are most of the volume.
    const [{ share }] = await wh.query(`SELECT AVG(CASE WHEN event_name IN ('first_visit', 'key_event_1', 'key_event_2') THEN 0.0 ELSE 1.0 END) AS share FROM fact__events`);
    expect(Number(share)).toBeGreaterThan(0.8);
    const countries = (await wh.query('SELECT country, COUNT(*) AS n FROM dim__users GROUP BY country ORDER BY n DESC')).map((r) => r.country);
    expect(countries[0]).toBe('United States');
    expect(countries).toEqual(expect.arrayContaining(['South Korea', 'Japan', 'Germany']));
  });

  it('is deterministic: the same seed gives byte-identical tables, another seed does not', async () => {
    const before = [await dumpEvents(wh), await dumpUsers(wh)];
    const again = await generateDemoData(wh, SMALL);
    expect(again).toMatchObject({ events: summary.events, users: summary.users, plan: summary.plan });
    expect([await dumpEvents(wh), await dumpUsers(wh)]).toEqual(before);
    const other = await generateDemoData(wh, { ...SMALL, seed: 8 });
    expect(await dumpUsers(wh)).not.toEqual(before[1]);
    expect(other.events).not.toBe(summary.events);
    await generateDemoData(wh, SMALL); // back to the shared fixture
  });

  it('appending days equals generating them in one go, late events included', async () => {
    const appended = await appendDemoDays(wh, summary.plan, 1);
    expect(appended.loaded).toEqual({ from: '2025-07-01', to: '2025-07-01' });
    expect(appended.lateEvents).toBeGreaterThan(0); // events of June 29-30 arriving on July 1
    const [{ n: olderDays }] = await wh.query(`SELECT COUNT(*) AS n FROM fact__events WHERE loaded_at >= CAST('2025-07-01' AS TIMESTAMP) AND date < CAST('2025-07-01' AS DATE)`);
    expect(Number(olderDays)).toBeGreaterThan(0);
    const second = await appendDemoDays(wh, appended.plan, 2);
    expect(second.plan.endDate).toBe('2025-07-03');
    const incremental = [await dumpEvents(wh), await dumpUsers(wh)];

    const whole = await generateDemoData(wh, second.plan);
    expect(whole.events).toBe(summary.events + appended.events + second.events);
    expect(whole.users).toBe(summary.users + appended.users + second.users);
    expect([await dumpEvents(wh), await dumpUsers(wh)]).toEqual(incremental);
    await generateDemoData(wh, SMALL);
  });

  it('rejects bad options and appending to tables that do not exist, naming the problem', async () => {
    await expect(generateDemoData(wh, { users: 0 })).rejects.toThrow(/users must be a whole number/);
    await expect(generateDemoData(wh, { endDate: '2025-13-01' })).rejects.toThrow(/not a date/);
    await expect(appendDemoDays(wh, { ...summary.plan, tables: { events: 'no_such_events', users: 'dim__users' } })).rejects.toThrow(/no_such_events does not exist/);
  });
});

describe('demo data sizing', () => {
  it('scales by event count: users follow events / 20 unless given', async () => {
    const db = await createTestDatabase('duckdb');
    const wh = await db.connect();
    try {
      const byEvents = await generateDemoData(wh, { events: 30_000, days: 10 });
      expect(byEvents.users).toBeGreaterThan(1_350);
      expect(byEvents.users).toBeLessThan(1_650);
      expect(Math.abs(byEvents.events - 30_000) / 30_000).toBeLessThan(0.05);
      const dense = await generateDemoData(wh, { events: 30_000, users: 500, days: 10 });
      expect(Math.abs(dense.events - 30_000) / 30_000).toBeLessThan(0.05);
      expect(dense.plan.activity).toBeGreaterThan(byEvents.plan.activity);
    } finally {
      await wh.close();
      await db.drop();
    }
  });

  it('is quick: 100k events on DuckDB well under the test timeout', async () => {
    const db = await createTestDatabase('duckdb');
    const wh = await db.connect();
    try {
      const s = await generateDemoData(wh, { users: 5_000, days: 30 });
      expect(s.events).toBeGreaterThan(90_000);
      expect(s.elapsedMs).toBeLessThan(5_000);
    } finally {
      await wh.close();
      await db.drop();
    }
  });
});
