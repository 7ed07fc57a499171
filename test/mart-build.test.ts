import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMart } from '../src/mart/build-mart.ts';
import { parseSpec } from '../src/spec/load-spec.ts';
import type { MetricsSpec } from '../src/spec/spec-types.ts';
import { BoundParams } from '../src/warehouse/bound-params.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import { capabilitiesOf, createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';
import { readFunnelTable } from './support/funnel-snapshot.ts';
import { readMart, snapshot } from './support/mart-snapshot.ts';
import { referenceMart, type MartRow } from './support/reference.ts';
import { appendEvents, appendUsers, createSources, type SourceEvent, type SourceUser } from './support/sources.ts';
import { withCapabilities } from './support/without-transactions.ts';

const specWith = (events: string[], extra = '') =>
  parseSpec(`version: 1\n${extra}events: ${JSON.stringify(events)}\nfunnels: []\n`);

describe.each(ENGINES)('mart builder on %s', (engine) => {
  let db: TestDatabase;
  let wh: Warehouse;
  let tables = 0;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    wh = await db.connect();
  });
  afterAll(async () => {
    await wh.close();
    await db.drop();
  });

  /** A fresh pair of source tables and a mart name per test, in the same database. */
  async function freshSources(events: SourceEvent[], users: SourceUser[], spec: MetricsSpec) {
    const n = ++tables;
    const names = { events: `events_${n}`, users: `users_${n}` };
    await createSources(wh, { events, users }, names);
    const s: MetricsSpec = { ...spec, sources: { ...spec.sources, ...names }, mart: { table: `mart_${n}`, stateTable: `mart_${n}__build_state` } };
    return { spec: s, names, mart: s.mart.table };
  }

  /**
   * One small history through `w`: a full build on 2025-05-08, then, after `prepare` had the
   * sources, a late event inside the 3-day lookback, one beyond it and one past the clock, and an
   * incremental build at each of `clocks` (days). The reports without timings or names, and the mart.
   */
  async function lateEventHistory(w: Warehouse, clocks: string[], prepare: (events: string) => Promise<void>) {
    const { spec, names, mart } = await freshSources(
      [
        { user_id: 'u1', event_name: 'k1', datetime: '2025-05-05 10:00:00' },
        { user_id: 'u2', event_name: 'k1', datetime: '2025-05-06 10:00:00' },
        { user_id: 'u1', event_name: 'k2', datetime: '2025-05-07 10:00:00' },
      ],
      [
        { user_id: 'u1', first_datetime: '2025-05-01 09:00:00' },
        { user_id: 'u2', first_datetime: '2025-05-01 09:00:00' },
      ],
      specWith(['k1']),
    );
    await prepare(names.events);
    const at = (day: string) => ({ now: new Date(`${day}T00:00:00Z`) });
    const reports = [await buildMart(w, spec, at('2025-05-08'))];
    await appendEvents(wh, [
      { user_id: 'u1', event_name: 'k1', datetime: '2025-05-04 10:00:01' },
      { user_id: 'u2', event_name: 'k1', datetime: '2025-05-03 10:00:00' },
      { user_id: 'u2', event_name: 'k1', datetime: '2025-05-09 00:00:00' },
    ], names.events);
    for (const day of clocks) reports.push(await buildMart(w, spec, at(day)));
    const sameShape = reports.map(({ elapsedMs, warehouse, mart: table, funnelTablesMs, ...rest }) => (void [elapsedMs, warehouse, table, funnelTablesMs], rest));
    return { reports: sameShape, rows: await readMart(wh, mart) };
  }

  it("reproduces the seed's example table (section 3.3)", async () => {
    const { spec, mart } = await freshSources(
      [
        { user_id: 'jinseok', event_name: 'first_visit', datetime: '2025-01-01 01:00:00' },
        { user_id: 'jinseok', event_name: 'add_to_cart', datetime: '2025-01-01 01:01:00' },
        { user_id: 'jinseok', event_name: 'add_to_cart', datetime: '2025-01-02 01:00:00' },
        { user_id: 'jinseok', event_name: 'purchase', datetime: '2025-01-02 01:01:00' },
      ],
      [{ user_id: 'jinseok', first_datetime: '2025-01-01 01:00:00' }],
      specWith(['add_to_cart', 'purchase']),
    );
    await buildMart(wh, spec);
    const seedTable: MartRow[] = [
      { date: '2025-01-01', datetime: '2025-01-01 01:01:00', user_id: 'jinseok', event_name: 'add_to_cart', first_visit_date: '2025-01-01', first_visit_datetime: '2025-01-01 01:00:00', hours_from_first_visit: 1, days_from_first_visit: 1 },
      { date: '2025-01-01', datetime: '2025-01-01 01:00:00', user_id: 'jinseok', event_name: 'first_visit', first_visit_date: '2025-01-01', first_visit_datetime: '2025-01-01 01:00:00', hours_from_first_visit: 1, days_from_first_visit: 1 },
      { date: '2025-01-02', datetime: '2025-01-02 01:01:00', user_id: 'jinseok', event_name: 'purchase', first_visit_date: '2025-01-01', first_visit_datetime: '2025-01-01 01:00:00', hours_from_first_visit: 25, days_from_first_visit: 2 },
    ];
    expect(await readMart(wh, mart)).toEqual(seedTable);
  });

  // Hand-made hard cases, each checked against the plain-TypeScript reference and by hand.
  const hardUsers: SourceUser[] = [
    { user_id: 'late_evening', first_datetime: '2025-03-08 23:30:00' },
    { user_id: 'skewed', first_datetime: '2025-03-10 12:00:00' },
    { user_id: 'ties', first_datetime: '2025-03-10 00:00:00' },
    { user_id: 'dst', first_datetime: '2025-03-09 06:59:59' },
    { user_id: 'no_events', first_datetime: '2025-03-11 10:00:00' },
    { user_id: 'dup', first_datetime: '2025-03-12 10:00:00' },
    { user_id: 'dup', first_datetime: '2025-03-11 10:00:00' },
    { user_id: 'no_first_visit', first_datetime: null },
  ];
  const hardEvents: SourceEvent[] = [
    { user_id: 'late_evening', event_name: 'k1', datetime: '2025-03-09 00:10:00' },
    { user_id: 'late_evening', event_name: 'k2', datetime: '2025-03-08 23:30:00' },
    { user_id: 'skewed', event_name: 'k1', datetime: '2025-03-10 11:59:59' },
    { user_id: 'skewed', event_name: 'k1', datetime: '2025-03-10 13:00:00' },
    { user_id: 'skewed', event_name: 'k2', datetime: '2025-03-01 00:00:00' },
    { user_id: 'ties', event_name: 'k1', datetime: '2025-03-10 05:00:00' },
    { user_id: 'ties', event_name: 'k1', datetime: '2025-03-10 05:00:00' },
    { user_id: 'dst', event_name: 'k1', datetime: '2025-03-09 07:00:00' },
    { user_id: 'dst', event_name: 'k2', datetime: '2025-03-10 04:00:00' },
    { user_id: 'dup', event_name: 'k1', datetime: '2025-03-11 12:00:00' },
    { user_id: 'ghost', event_name: 'k1', datetime: '2025-03-10 00:00:00' },
    { user_id: 'ghost', event_name: 'k2', datetime: '2025-03-10 00:00:00' },
    { user_id: 'late_evening', event_name: 'untracked', datetime: '2025-03-08 23:31:00' },
  ];

  it.each(['UTC', 'America/New_York', 'Asia/Seoul'])('computes dates and windows in %s like the reference', async (timezone) => {
    const { spec, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2'], `timezone: ${timezone}\n`));
    const report = await buildMart(wh, spec);
    expect(await readMart(wh, mart)).toEqual(referenceMart(hardEvents, hardUsers, ['k1', 'k2'], timezone));
    expect(report).toMatchObject({
      mode: 'full',
      rowsScanned: 12,
      eventsBeforeFirstVisit: 2, // skewed: k1 one second early, k2 nine days early
      eventsOfUnknownUsers: 2,
      unknownUsers: 1,
      usersWithoutFirstVisit: 1,
      duplicateUserRows: 1,
    });
  });

  it('gets the calendar-day and hour edges right (by hand)', async () => {
    const { spec, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2'], 'timezone: America/New_York\n'));
    await buildMart(wh, spec);
    const rows = await readMart(wh, mart);
    const row = (user: string, event: string) => rows.find((r) => r.user_id === user && r.event_name === event);
    // 23:30 UTC on Mar 8 is 18:30 in New York; 00:10 UTC next day is 19:10 the same New York day.
    expect(row('late_evening', 'k1')).toMatchObject({ first_visit_date: '2025-03-08', date: '2025-03-08', hours_from_first_visit: 2, days_from_first_visit: 1 });
    // An event in the same second as the first visit counts (at or after).
    expect(row('late_evening', 'k2')).toMatchObject({ hours_from_first_visit: 1, days_from_first_visit: 1 });
    // The early k1 is ignored, the later one is the first occurrence; k2 only happened before the first visit: no row.
    expect(row('skewed', 'k1')).toMatchObject({ datetime: '2025-03-10 13:00:00', hours_from_first_visit: 2 });
    expect(row('skewed', 'k2')).toBeUndefined();
    // Across the DST change (New York springs forward on Mar 9, 07:00 UTC): one second later is the next UTC hour bucket.
    expect(row('dst', 'k1')).toMatchObject({ first_visit_date: '2025-03-09', date: '2025-03-09', hours_from_first_visit: 2, days_from_first_visit: 1 });
    // 04:00 UTC on Mar 10 is midnight in New York (EDT, UTC-4): day 2.
    expect(row('dst', 'k2')).toMatchObject({ date: '2025-03-10', days_from_first_visit: 2, hours_from_first_visit: 23 });
    expect(row('dup', 'first_visit')).toMatchObject({ first_visit_datetime: '2025-03-11 10:00:00' });
    expect(rows.some((r) => r.user_id === 'ghost' || r.user_id === 'no_first_visit')).toBe(false);
    expect(rows.filter((r) => r.user_id === 'ties')).toHaveLength(2);
  });

  it('keeps the grain user_id + event_name by construction, through full and incremental builds (no index)', async () => {
    const { spec, names, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2']));
    const grainHolds = async () => {
      const [{ n, d }] = await wh.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT user_id || '|' || event_name) AS d FROM ${mart}`);
      expect(n).toBe(d);
    };
    await buildMart(wh, spec);
    await grainHolds();
    // Replays of the same window, late earlier events, and a repeated build must not duplicate keys.
    await appendEvents(wh, [{ user_id: 'ties', event_name: 'k1', datetime: '2025-03-10 09:30:00' }, { user_id: 'ties', event_name: 'k2', datetime: '2025-03-12 00:00:00' }], names.events);
    await buildMart(wh, spec);
    await grainHolds();
    await buildMart(wh, spec);
    await buildMart(wh, spec, { fullRefresh: true });
    await grainHolds();
  });

  it('corrects a stored first occurrence when a late, earlier event arrives within the lookback', async () => {
    const { spec, names, mart } = await freshSources(
      [
        { user_id: 'u1', event_name: 'k1', datetime: '2025-05-05 10:00:00' },
        { user_id: 'u2', event_name: 'k1', datetime: '2025-05-06 10:00:00' },
      ],
      [
        { user_id: 'u1', first_datetime: '2025-05-01 09:00:00' },
        { user_id: 'u2', first_datetime: '2025-05-01 09:00:00' },
      ],
      specWith(['k1']),
    );
    await buildMart(wh, spec);
    // Watermark 05-06 10:00, lookback 3 days: 05-04 10:00:01 is inside, 05-03 10:00:00 (exactly the cutoff) is not.
    await appendEvents(wh, [
      { user_id: 'u1', event_name: 'k1', datetime: '2025-05-04 10:00:01' },
      { user_id: 'u2', event_name: 'k1', datetime: '2025-05-03 10:00:00' },
    ], names.events);
    const report = await buildMart(wh, spec);
    const rows = await readMart(wh, mart);
    expect(rows.find((r) => r.user_id === 'u1' && r.event_name === 'k1')).toMatchObject({ datetime: '2025-05-04 10:00:01', days_from_first_visit: 4 });
    expect(rows.find((r) => r.user_id === 'u2' && r.event_name === 'k1')).toMatchObject({ datetime: '2025-05-06 10:00:00' });
    expect(report).toMatchObject({ mode: 'incremental', rowsUpdated: 1, rowsInserted: 0, lateEventsBeyondLookback: 1, scanned: { after: '2025-05-03 10:00:00' } });
    // A full refresh picks the too-late event up, as the report said.
    await buildMart(wh, spec, { fullRefresh: true });
    expect((await readMart(wh, mart)).find((r) => r.user_id === 'u2' && r.event_name === 'k1')).toMatchObject({ datetime: '2025-05-03 10:00:00' });
  });

  it.runIf(engine === 'postgres')('reads the log through an index or range partitions on datetime where it has one, with the same answers as without', async () => {
    const q = wh.dialect.quoteIdentifier;
    // Only an index whose first column is datetime, over the whole table, skips older rows.
    const plain = await freshSources([], [], specWith(['k1']));
    await wh.run(`CREATE INDEX ON ${q(plain.names.events)} (user_id, "datetime")`);
    await wh.run(`CREATE INDEX ON ${q(plain.names.events)} ("datetime") WHERE event_name = 'k1'`);
    await wh.run(`CREATE INDEX ON ${q(plain.names.events)} USING hash ("datetime")`);
    expect(await wh.prunesByTime(plain.names.events)).toBe(false);
    await wh.run(`CREATE INDEX ON ${q(plain.names.events)} USING brin ("datetime")`);
    expect(await wh.prunesByTime(plain.names.events)).toBe(true);
    const partitioned = `events_partitioned_${++tables}`;
    await wh.run(`CREATE TABLE ${q(partitioned)} (user_id TEXT, event_name TEXT, "datetime" TIMESTAMP) PARTITION BY RANGE ("datetime")`);
    expect(await wh.prunesByTime(partitioned)).toBe(true);

    // The same history with and without a B-tree index: the pruned queries must count late and future events alike.
    const history = (indexed: boolean) =>
      lateEventHistory(wh, ['2025-05-08', '2025-05-10'], async (events) => {
        if (indexed) await wh.run(`CREATE INDEX ON ${q(events)} ("datetime")`);
        expect(await wh.prunesByTime(events)).toBe(indexed);
      });
    const withoutIndex = await history(false);
    const withIndex = await history(true);
    expect(withIndex).toEqual(withoutIndex);
    expect(withIndex.reports[1]).toMatchObject({ mode: 'incremental', rowsUpdated: 1, lateEventsBeyondLookback: 1, futureEvents: { count: 1 } });
    expect(withIndex.rows.find((r) => r.user_id === 'u1' && r.event_name === 'k1')).toMatchObject({ datetime: '2025-05-04 10:00:01' });
  });

  it.runIf(capabilitiesOf(engine).prunedScanCost === 'rows')("reads the log's summary in one scan (Trino's shape) with the same answers as in small queries, even after the clock went back past the cutoff", async () => {
    const oneScan = (w: Warehouse) => withCapabilities(w, { prunedScanCost: 'per-scan' });
    // A clock set back before the cutoff (2025-05-04 10:00): every event after it waits for its time.
    const history = (w: Warehouse) =>
      lateEventHistory(w, ['2025-05-08', '2025-05-02', '2025-05-10'], async (events) => {
        // PostgreSQL prunes only through an index on datetime.
        if (engine === 'postgres') await wh.run(`CREATE INDEX ON ${wh.dialect.quoteIdentifier(events)} ("datetime")`);
      });
    const inSmallQueries = await history(wh);
    expect(await history(oneScan(wh))).toEqual(inSmallQueries);
    expect(inSmallQueries.reports[2]).toMatchObject({ futureEvents: { count: 6 } });
  });

  it('replaces exactly the stored rows a late event corrects, with integer user ids past 2^53', async () => {
    // The publish names the users whose stored rows change in a bound list (src/mart/mart-sql.ts):
    // ids travel as text, so 2^53 + 1 must not become 2^53 on the way.
    const n = ++tables;
    const names = { events: `events_${n}`, users: `users_${n}` };
    const { timestamp, bigint, string, date } = wh.dialect.types;
    const q = wh.dialect.quoteIdentifier;
    const [a, b] = ['9007199254740992', '9007199254740993'];
    await wh.run(`CREATE TABLE ${q(names.users)} (user_id ${bigint}, first_datetime ${timestamp})`);
    await wh.run(`CREATE TABLE ${q(names.events)} (${q('date')} ${date}, ${q('datetime')} ${timestamp}, user_id ${bigint}, event_name ${string})`);
    const insert = (table: string, rows: unknown[][], types: string[]) => {
      const p = new BoundParams(wh.dialect);
      const values = rows.map((row) => `(${row.map((v, c) => p.bind(v, types[c])).join(', ')})`).join(', ');
      return wh.run(`INSERT INTO ${q(table)} VALUES ${values}`, p.values);
    };
    const addEvents = (rows: [string, string, string][]) => insert(names.events, rows.map(([u, e, t]) => [t.slice(0, 10), t, u, e]), [date, timestamp, bigint, string]);
    await insert(names.users, [[a, '2025-05-01 09:00:00'], [b, '2025-05-01 09:00:00']], [bigint, timestamp]);
    await addEvents([[a, 'k1', '2025-05-05 10:00:00'], [b, 'k1', '2025-05-05 10:00:00'], [b, 'k1', '2025-05-06 10:00:00']]);
    const spec: MetricsSpec = { ...specWith(['k1']), sources: { ...names, userAttributes: [] }, mart: { table: `mart_${n}`, stateTable: `mart_${n}__build_state` } };
    await buildMart(wh, spec);
    await addEvents([[b, 'k1', '2025-05-04 10:00:00']]);
    const report = await buildMart(wh, spec);
    expect(report).toMatchObject({ mode: 'incremental', rowsUpdated: 1, rowsInserted: 0 });
    const read = async () =>
      (await wh.query(`SELECT CAST(user_id AS ${string}) AS user_id, event_name, CAST(${q('datetime')} AS ${string}) AS at FROM ${q(spec.mart.table)} ORDER BY 1, 2`)).map((r) => `${r.user_id} ${r.event_name} ${String(r.at).slice(0, 19)}`);
    const incremental = await read();
    expect(incremental).toEqual([`${a} first_visit 2025-05-01 09:00:00`, `${a} k1 2025-05-05 10:00:00`, `${b} first_visit 2025-05-01 09:00:00`, `${b} k1 2025-05-04 10:00:00`]);
    await buildMart(wh, spec, { fullRefresh: true });
    expect(await read()).toEqual(incremental);
  });

  it('backfills a newly tracked event from full history and drops a removed one', async () => {
    const events: SourceEvent[] = [
      { user_id: 'u1', event_name: 'k1', datetime: '2025-01-02 00:00:00' },
      { user_id: 'u1', event_name: 'k2', datetime: '2025-01-03 00:00:00' },
      { user_id: 'u1', event_name: 'k3', datetime: '2025-01-04 00:00:00' },
      { user_id: 'u2', event_name: 'k3', datetime: '2025-03-01 00:00:00' },
    ];
    const users = [
      { user_id: 'u1', first_datetime: '2025-01-01 00:00:00' },
      { user_id: 'u2', first_datetime: '2025-01-01 00:00:00' },
    ];
    const { spec, mart } = await freshSources(events, users, specWith(['k1', 'k2']));
    await buildMart(wh, spec);
    const changed = { ...spec, events: ['k1', 'k3'] };
    const report = await buildMart(wh, changed);
    expect(report).toMatchObject({ mode: 'incremental', backfilledEvents: ['k3'], removedEvents: ['k2'], rowsInserted: 2, rowsDeleted: 1 });
    expect(await readMart(wh, mart)).toEqual(referenceMart(events, users, ['k1', 'k3'], 'UTC'));
  });

  it('rebuilds the mart in full when the time zone changes, and says why', async () => {
    const { spec, mart } = await freshSources(hardEvents, hardUsers.slice(0, 4), specWith(['k1', 'k2']));
    await buildMart(wh, spec);
    const seoul = { ...spec, timezone: 'Asia/Seoul' };
    const report = await buildMart(wh, seoul);
    expect(report.mode).toBe('full');
    expect(report.reason).toMatch(/definition changed: was timezone UTC.*now timezone Asia\/Seoul/);
    expect(await readMart(wh, mart)).toEqual(referenceMart(hardEvents, hardUsers.slice(0, 4), ['k1', 'k2'], 'Asia/Seoul'));
  });

  it('is idempotent: a second build with no new data changes nothing', async () => {
    const { spec, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2']));
    await buildMart(wh, spec);
    const before = await snapshot(wh, mart);
    const report = await buildMart(wh, spec);
    expect(report).toMatchObject({ mode: 'incremental', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    expect(await snapshot(wh, mart)).toEqual(before);
  });

  it('rebuilds in full, at the next incremental build, a funnel table dropped by hand', async () => {
    const withFunnel = parseSpec(
      `version: 1\nevents: [k1, k2]\nfunnels:\n  - name: hand\n    steps:\n      - event: first_visit\n      - event: k1\n        within: { days: 1 }\n      - event: k2\n        within: { days: 7 }\n`,
    );
    const { spec } = await freshSources(hardEvents, hardUsers, withFunnel);
    const funnel = { ...spec.funnels[0], table: `${spec.mart.table}__hand` };
    const built = { ...spec, funnels: [funnel] };
    await buildMart(wh, built);
    const full = await readFunnelTable(wh, funnel);
    expect(full.length).toBeGreaterThan(0);
    await wh.run(`DROP TABLE ${wh.dialect.quoteIdentifier(funnel.table)}`);
    const report = await buildMart(wh, built);
    expect(report.mode).toBe('incremental');
    expect(report.funnelTables).toEqual([{ table: funnel.table, mode: 'full', rowsWritten: full.length }]);
    expect(await readFunnelTable(wh, funnel)).toEqual(full);
  });

  it('bumps data_version (the rollups\' refresh key) only when a build changed the mart', async () => {
    const { spec, names, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2']));
    const version = async () => Number((await wh.query(`SELECT data_version FROM ${mart}__build_state`))[0].data_version);
    await buildMart(wh, spec);
    expect(await version()).toBe(1);
    await buildMart(wh, spec);
    expect(await version()).toBe(1);
    // A late event inside the lookback that moves no watermark still changes the mart.
    await appendEvents(wh, [{ user_id: 'ties', event_name: 'k1', datetime: '2025-03-10 04:00:00' }], names.events);
    expect(await buildMart(wh, spec)).toMatchObject({ rowsUpdated: 1 });
    expect(await version()).toBe(2);
    await buildMart(wh, spec, { fullRefresh: true });
    expect(await version()).toBe(3);
  });

  it('succeeds on empty sources and on a run over an empty window', async () => {
    const { spec, names, mart } = await freshSources([], [], specWith(['k1']));
    expect(await buildMart(wh, spec)).toMatchObject({ mode: 'full', martRows: 0, watermark: null });
    expect(await buildMart(wh, spec)).toMatchObject({ mode: 'incremental', martRows: 0, watermark: null });
    await appendUsers(wh, [{ user_id: 'u1', first_datetime: '2025-01-01 00:00:00' }], names.users);
    await appendEvents(wh, [{ user_id: 'u1', event_name: 'k1', datetime: '2025-01-01 00:00:00' }], names.events);
    expect(await buildMart(wh, spec)).toMatchObject({ mode: 'incremental', martRows: 2, rowsInserted: 2 });
    expect(await readMart(wh, mart)).toHaveLength(2);
  });

  it('handles users who appear in the dimension after their events, users who leave it, and moved first visits', async () => {
    const events: SourceEvent[] = [
      { user_id: 'early', event_name: 'k1', datetime: '2025-01-02 00:00:00' },
      { user_id: 'u1', event_name: 'k1', datetime: '2025-01-05 00:00:00' },
      { user_id: 'u2', event_name: 'k1', datetime: '2025-01-03 00:00:00' },
      { user_id: 'u2', event_name: 'k1', datetime: '2025-02-03 00:00:00' },
      { user_id: 'u3', event_name: 'k1', datetime: '2025-02-10 00:00:00' },
    ];
    const users = [
      { user_id: 'u1', first_datetime: '2025-01-01 00:00:00' },
      { user_id: 'u2', first_datetime: '2025-01-01 00:00:00' },
      { user_id: 'u3', first_datetime: '2025-01-01 00:00:00' },
    ];
    const { spec, names, mart } = await freshSources(events, users, specWith(['k1']));
    await buildMart(wh, spec);
    const nextUsers = [
      { user_id: 'early', first_datetime: '2025-01-01 00:00:00' }, // events a month before the watermark's lookback
      { user_id: 'u1', first_datetime: '2025-01-01 00:00:00' },
      { user_id: 'u2', first_datetime: '2025-02-01 00:00:00' }, // first visit corrected: the January k1 no longer counts
    ];
    await wh.run(`DELETE FROM ${names.users}`);
    await appendUsers(wh, nextUsers, names.users);
    const report = await buildMart(wh, spec);
    expect(report).toMatchObject({ mode: 'incremental', newOrChangedUsers: 2 });
    expect(await readMart(wh, mart)).toEqual(referenceMart(events, nextUsers, ['k1'], 'UTC'));
  });

  // Without transactions a build publishes table by table: test/mart-protocol.test.ts covers what a failure there leaves.
  it.runIf(capabilitiesOf(engine).transactions)('rolls everything back when a build fails halfway, at any step, and a re-run completes', async () => {
    const { spec, names, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2']));
    await buildMart(wh, spec);
    await appendEvents(wh, [{ user_id: 'ties', event_name: 'k2', datetime: '2025-03-12 00:00:00' }], names.events);
    const before = await snapshot(wh, mart);
    for (const failAt of ['lock', 'sync users', 'scan events', 'stage', 'publish', 'state']) {
      await expect(
        buildMart(wh, spec, { onStep: (step) => { if (step === failAt) throw new Error(`injected failure after ${step}`); } }),
      ).rejects.toThrow(`injected failure after ${failAt}`);
      expect(await snapshot(wh, mart)).toEqual(before);
    }
    for (const failAt of ['load users', 'scan events', 'stage', 'publish', 'state']) {
      await expect(buildMart(wh, spec, { fullRefresh: true, onStep: (step) => { if (step === failAt) throw new Error('boom'); } })).rejects.toThrow('boom');
      expect(await snapshot(wh, mart)).toEqual(before);
    }
    const report = await buildMart(wh, spec);
    expect(report.rowsInserted).toBe(1);
  });

  it('lets only one of two concurrent builds run; the other stops with a clear message and writes nothing', async () => {
    const { spec, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2']));
    await buildMart(wh, spec);
    const other = await db.connect();
    try {
      let release!: () => void;
      let paused!: () => void;
      const isPaused = new Promise<void>((r) => (paused = r));
      const first = buildMart(wh, { ...spec, events: ['k1'] }, {
        onStep: async (step) => {
          if (step === 'publish') {
            paused();
            await new Promise<void>((r) => (release = r));
          }
        },
      });
      await isPaused;
      await expect(buildMart(other, spec)).rejects.toThrow(/another build is running/);
      release();
      await first;
      expect((await readMart(wh, mart)).some((r) => r.event_name === 'k2')).toBe(false);
    } finally {
      await other.close();
    }
  });

  it.runIf(engine === 'duckdb')('ends with a checkpoint (nothing left in the log), skipped while another connection of the process is writing', async () => {
    const { spec, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1', 'k2']));
    await buildMart(wh, spec);
    const walSize = async () => String((await wh.query('PRAGMA database_size'))[0].wal_size);
    expect(await walSize()).toBe('0 bytes');
    const expected = await readMart(wh, mart);
    const other = await db.connect();
    try {
      await other.run('BEGIN TRANSACTION');
      await other.run('CREATE TABLE other_writer AS SELECT 1 AS x');
      // DuckDB refuses the checkpoint while that transaction is open: the build still succeeds, its commit durable in the log.
      await buildMart(wh, spec, { fullRefresh: true });
      expect(await walSize()).not.toBe('0 bytes');
      await other.run('ROLLBACK');
    } finally {
      await other.close();
    }
    expect(await readMart(wh, mart)).toEqual(expected);
  });

  it('refuses bad sources by name and writes nothing', async () => {
    const { spec, names, mart } = await freshSources(hardEvents, hardUsers, specWith(['k1']));
    await expect(buildMart(wh, { ...spec, sources: { ...spec.sources, events: 'no_such_events' } })).rejects.toThrow(
      /source table no_such_events \(sources.events in the spec\) does not exist/,
    );
    await expect(buildMart(wh, { ...spec, sources: { ...spec.sources, userAttributes: ['country', 'shoe_size'] } })).rejects.toThrow(
      /source table users_\d+ has no column shoe_size/,
    );
    await wh.run(`CREATE TABLE bad_types_${names.events} (user_id ${wh.dialect.types.string}, event_name ${wh.dialect.types.string}, datetime ${wh.dialect.types.string})`);
    await expect(buildMart(wh, { ...spec, sources: { ...spec.sources, events: `bad_types_${names.events}` } })).rejects.toThrow(
      /column bad_types_events_\d+\.datetime is (VARCHAR|varchar|text); expected TIMESTAMP \(without time zone\) holding UTC/,
    );
    await wh.run(`CREATE TABLE no_event_${names.events} (user_id ${wh.dialect.types.string}, datetime ${wh.dialect.types.timestamp})`);
    await expect(buildMart(wh, { ...spec, sources: { ...spec.sources, events: `no_event_${names.events}` } })).rejects.toThrow(
      /has no column event_name \(expected a string type\)/,
    );
    await expect(buildMart(wh, { ...spec, timezone: 'Mars/Olympus_Mons' })).rejects.toThrow(/does not know the time zone "Mars\/Olympus_Mons"/);
    expect(await wh.columns(mart)).toBeUndefined();
    expect(await wh.columns(`${mart}__build_state`)).toBeUndefined();
  });

  it('binds event names: quotes and SQL in them are data', async () => {
    const nasty = ["o'brien", "x'); DROP TABLE dim__users; --"];
    const events = nasty.map((event_name) => ({ user_id: 'u1', event_name, datetime: '2025-01-02 00:00:00' }));
    const users = [{ user_id: 'u1', first_datetime: '2025-01-01 00:00:00' }];
    const { spec, names, mart } = await freshSources(events, users, specWith(nasty));
    await buildMart(wh, spec);
    expect(await readMart(wh, mart)).toEqual(referenceMart(events, users, nasty, 'UTC'));
    expect(await wh.columns(names.users)).toBeDefined();
  });
});
