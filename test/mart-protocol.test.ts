/**
 * The builder's protocol beyond the happy path: engines without transactions (the
 * distributed-warehouse path, run on DuckDB and PostgreSQL, which both have MERGE and an atomic
 * replace), a build killed between publish and state, tables the builder does not own,
 * future-dated and out-of-range events, the full user_id type, a missing schema.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildMart } from '../src/mart/build-mart.ts';
import { isScratchTable, SCRATCH_PREFIX } from '../src/mart/scratch-tables.ts';
import { parseSpec } from '../src/spec/load-spec.ts';
import type { MetricsSpec } from '../src/spec/spec-types.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import { capabilitiesOf, createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';
import { readMart, snapshot } from './support/mart-snapshot.ts';
import { referenceMart } from './support/reference.ts';
import { appendEvents, appendUsers, createSources, type SourceEvent, type SourceUser } from './support/sources.ts';
import { withoutTransactions } from './support/without-transactions.ts';

const NOW = new Date('2025-03-20T00:00:00Z');
const users: SourceUser[] = [
  { user_id: 'u1', first_datetime: '2025-03-01 10:00:00' },
  { user_id: 'u2', first_datetime: '2025-03-02 23:30:00' },
];
const events: SourceEvent[] = [
  { user_id: 'u1', event_name: 'k1', datetime: '2025-03-01 11:00:00' },
  { user_id: 'u1', event_name: 'k2', datetime: '2025-03-03 11:00:00' },
  { user_id: 'u2', event_name: 'k1', datetime: '2025-03-03 00:10:00' },
];

/** Scratch tables of the builder (any mart): `_am_<hash>_<build>_<role>`. */
/** The builder's scratch tables (`_am_<mart hash>_<build id>_<role>`) in the test database's schema. */
async function scratchTables(wh: Warehouse): Promise<string[]> {
  return (await wh.tablesWithPrefix('any_table', SCRATCH_PREFIX)).filter(isScratchTable);
}

describe.each(ENGINES)('build protocol on %s', (engine) => {
  let db: TestDatabase;
  let wh: Warehouse;
  let n = 0;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    wh = await db.connect();
  });
  afterAll(async () => {
    await wh.close();
    await db.drop();
  });

  async function fresh(extraSpec = '') {
    const i = ++n;
    const names = { events: `ev_${i}`, users: `us_${i}` };
    await createSources(wh, { events, users }, names);
    const base = parseSpec(`version: 1\n${extraSpec}events: [k1, k2]\nfunnels: []\n`);
    const spec: MetricsSpec = { ...base, sources: { ...base.sources, ...names }, mart: { table: `mart_${i}`, stateTable: `mart_${i}__build_state` } };
    return { spec, names, mart: spec.mart.table };
  }

  it('builds without transactions (replace and MERGE): equal to the reference after every kind of change', async () => {
    const { spec, names, mart } = await fresh();
    const bare = withoutTransactions(wh);
    const allEvents = [...events];
    const allUsers = [...users];
    expect((await buildMart(bare, spec, { now: NOW })).mode).toBe('full');
    expect(await readMart(wh, mart)).toEqual(referenceMart(allEvents, allUsers, spec.events, 'UTC'));

    const more: SourceEvent[] = [
      { user_id: 'u2', event_name: 'k2', datetime: '2025-03-04 00:00:00' },
      { user_id: 'u1', event_name: 'k1', datetime: '2025-03-01 10:30:00' }, // late and earlier: an update
      { user_id: 'u3', event_name: 'k1', datetime: '2025-03-04 01:00:00' },
    ];
    const u3: SourceUser = { user_id: 'u3', first_datetime: '2025-03-04 00:30:00' };
    allEvents.push(...more);
    allUsers.push(u3);
    await appendEvents(wh, more, names.events);
    await appendUsers(wh, [u3], names.users);
    const report = await buildMart(bare, spec, { now: NOW });
    expect(report).toMatchObject({ mode: 'incremental', rowsInserted: 3, rowsUpdated: 1, newOrChangedUsers: 1 });
    expect(await readMart(wh, mart)).toEqual(referenceMart(allEvents, allUsers, spec.events, 'UTC'));

    // A moved first visit and a removed user: the exact users path, deletes through the MERGE.
    await wh.run(`UPDATE ${names.users} SET first_datetime = CAST('2025-03-03 00:20:00' AS TIMESTAMP) WHERE user_id = 'u2'`);
    await wh.run(`DELETE FROM ${names.users} WHERE user_id = 'u3'`);
    allUsers[1] = { ...allUsers[1], first_datetime: '2025-03-03 00:20:00' };
    allUsers.pop();
    expect(await buildMart(bare, spec, { now: NOW })).toMatchObject({ mode: 'incremental', newOrChangedUsers: 1, removedUsers: 1 });
    expect(await readMart(wh, mart)).toEqual(referenceMart(allEvents, allUsers, spec.events, 'UTC'));
    expect(await scratchTables(wh)).toEqual([]);
  });

  it('converges after a build without transactions fails between publish and state, leaving scratch tables behind', async () => {
    const { spec, names, mart } = await fresh();
    const bare = withoutTransactions(wh);
    await buildMart(bare, spec, { now: NOW });
    const late: SourceEvent[] = [
      { user_id: 'u2', event_name: 'k2', datetime: '2025-03-05 00:00:00' },
      { user_id: 'u1', event_name: 'k1', datetime: '2025-03-01 10:05:00' },
    ];
    await appendEvents(wh, late, names.events);
    const stateBefore = (await snapshot(wh, mart)).state;
    // A failure right after publish: the mart has the new rows, the state is the old one.
    await expect(buildMart(bare, spec, { now: NOW, onStep: (step) => { if (step === 'publish') throw new Error('crash after publish'); } })).rejects.toThrow('crash after publish');
    // The state is the old one, flagged: a publish was under way, so the next build bumps data_version.
    expect((await snapshot(wh, mart)).state).toEqual([{ ...stateBefore![0], publishing: true }]);
    const reference = referenceMart([...events, ...late], users, spec.events, 'UTC');
    expect(await readMart(wh, mart)).toEqual(reference);
    // The next build redoes the same window: nothing changes twice, the state catches up.
    const rerun = await buildMart(bare, spec, { now: NOW });
    expect(rerun).toMatchObject({ mode: 'incremental', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    expect((await snapshot(wh, mart)).state![0]).toMatchObject({ publishing: false, data_version: Number(stateBefore![0].data_version) + 1 });
    expect(await readMart(wh, mart)).toEqual(reference);
    expect((await buildMart(wh, spec, { now: NOW, fullRefresh: true })).martRows).toBe(reference.length);
    expect(await readMart(wh, mart)).toEqual(reference);
  });

  it('refuses to replace or drop tables it did not create, and recognises its own from before the mark', async () => {
    const { spec, names, mart } = await fresh();
    const { string } = wh.dialect.types;
    await wh.run(`CREATE TABLE customers (id ${string}, name ${string})`);
    await wh.run(`INSERT INTO customers VALUES ('c1', 'Ada')`);
    for (const bad of [
      { ...spec, mart: { ...spec.mart, stateTable: 'customers' } },
      { ...spec, mart: { table: 'customers', stateTable: 'customers__build_state' } },
      { ...spec, mart: { table: names.users, stateTable: `${names.users}__build_state` } },
    ]) {
      await expect(buildMart(wh, bad, { now: NOW })).rejects.toThrow(/already exists .* and was not created by activation-metrics; the builder only replaces tables it created, so nothing was written/);
    }
    expect(await wh.query('SELECT * FROM customers')).toEqual([{ id: 'c1', name: 'Ada' }]);
    expect(await wh.query(`SELECT COUNT(*) AS n FROM ${names.users}`)).toEqual([{ n: users.length }]);
    expect(await wh.columns(mart)).toBeUndefined();

    // A mart and state written before the ownership mark (no comment, the layouts of then) are recognised.
    await buildMart(wh, spec, { now: NOW });
    const rows = await readMart(wh, mart);
    await wh.run(`COMMENT ON TABLE ${mart} IS NULL`);
    await wh.run(`DROP TABLE ${spec.mart.stateTable}`);
    const { timestamp, bigint } = wh.dialect.types;
    await wh.run(`CREATE TABLE ${spec.mart.stateTable} (definition_hash ${string} NOT NULL, tracked_events ${string} NOT NULL, watermark ${timestamp}, late_cutoff ${timestamp}, rows_through_late_cutoff ${bigint} NOT NULL, definition ${string} NOT NULL, data_version ${bigint} NOT NULL)`);
    expect(await buildMart(wh, spec, { now: NOW })).toMatchObject({ mode: 'full', reason: 'first build' });
    expect(await readMart(wh, mart)).toEqual(rows);
    expect(await wh.tableComment(mart)).toMatch(/^activation-metrics mart:/);
    expect(await wh.tableComment(spec.mart.stateTable)).toMatch(/^activation-metrics build state:/);
  });

  it('keeps future-dated events out of the mart and the watermark, so incremental builds stay equal to a full refresh', async () => {
    const { spec, names, mart } = await fresh();
    await buildMart(wh, spec, { now: NOW });
    await appendEvents(wh, [{ user_id: 'u1', event_name: 'k2', datetime: '2030-01-01 00:00:00' }], names.events);
    const withFuture = await buildMart(wh, spec, { now: NOW });
    expect(withFuture.watermark).toBe('2025-03-03 11:00:00');
    expect(withFuture.futureEvents).toMatchObject({ count: 1, latest: '2030-01-01 00:00:00', outOfRange: 0 });
    const real: SourceEvent[] = Array.from({ length: 200 }, (_, i) => ({ user_id: i % 2 ? 'u1' : 'u2', event_name: i % 3 ? 'k1' : 'k2', datetime: `2025-03-${String(4 + (i % 10)).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:00:00` }));
    await appendEvents(wh, real, names.events);
    await wh.run(`DELETE FROM ${names.events} WHERE "datetime" > CAST('2029-01-01 00:00:00' AS TIMESTAMP)`);
    const report = await buildMart(wh, spec, { now: NOW });
    expect(report.futureEvents.count).toBe(0);
    const reference = referenceMart([...events, ...real], users, spec.events, 'UTC');
    expect(await readMart(wh, mart)).toEqual(reference);
    await buildMart(wh, spec, { now: NOW, fullRefresh: true });
    expect(await readMart(wh, mart)).toEqual(reference);
    // Once its time has come, an event dated ahead of the clock is picked up like any other.
    await appendEvents(wh, [{ user_id: 'u2', event_name: 'k2', datetime: '2025-03-25 00:00:00' }], names.events);
    expect((await buildMart(wh, spec, { now: NOW })).futureEvents.count).toBe(1);
    expect((await buildMart(wh, spec, { now: new Date('2025-03-26T00:00:00Z') })).watermark).toBe('2025-03-25 00:00:00');
  });

  it('reports out-of-range event timestamps (infinity, beyond year 9999) and leaves them out instead of failing every build', async () => {
    const { spec, names, mart } = await fresh();
    // What each engine can store beyond year 9999 (PostgreSQL: only infinity).
    const outOfRange = { duckdb: ['10000-01-01 00:00:00', '294000-01-01 00:00:00'], postgres: ['infinity'], trino: ['10000-01-01 00:00:00'] }[engine as string] ?? [];
    for (const ts of outOfRange) {
      await wh.run(`INSERT INTO ${names.events} (user_id, event_name, "datetime") VALUES ('u1', 'k1', CAST(${wh.dialect.parameter(1)} AS ${wh.dialect.types.timestamp}))`, [ts]);
    }
    const full = await buildMart(wh, spec, { now: NOW });
    expect(full.futureEvents.outOfRange).toBeGreaterThan(0);
    expect(full.futureEvents.count).toBe(full.futureEvents.outOfRange);
    expect(await readMart(wh, mart)).toEqual(referenceMart(events, users, spec.events, 'UTC'));
    const incremental = await buildMart(wh, spec, { now: NOW });
    expect(incremental.mode).toBe('incremental');
    expect(incremental.watermark).toBe('2025-03-03 11:00:00');
  });

  it('names a mart schema that does not exist, and writes nothing', async () => {
    const { spec } = await fresh();
    await expect(buildMart(wh, { ...spec, mart: { table: 'no_such_schema.mart', stateTable: 'no_such_schema.mart__build_state' } }, { now: NOW })).rejects.toThrow(
      /schema no_such_schema of no_such_schema.mart \(mart.table in the spec\) does not exist/,
    );
  });

  it.runIf(engine === 'postgres')('copies the full user_id type into the mart (char(10) stays char(10))', async () => {
    const i = ++n;
    await wh.run(`CREATE TABLE us_c${i} (user_id CHAR(10), first_datetime TIMESTAMP)`);
    await wh.run(`CREATE TABLE ev_c${i} (user_id CHAR(10), event_name TEXT, "datetime" TIMESTAMP)`);
    await wh.run(`INSERT INTO us_c${i} VALUES ('abc', '2025-03-01 00:00:00')`);
    await wh.run(`INSERT INTO ev_c${i} VALUES ('abc', 'k1', '2025-03-01 01:00:00')`);
    const base = parseSpec(`version: 1\nevents: [k1]\nfunnels: []\n`);
    const spec: MetricsSpec = { ...base, sources: { ...base.sources, events: `ev_c${i}`, users: `us_c${i}`, userAttributes: [] }, mart: { table: `mart_c${i}`, stateTable: `mart_c${i}__build_state` } };
    expect((await buildMart(wh, spec, { now: NOW })).martRows).toBe(2);
    expect((await wh.columns(`mart_c${i}`))!.find((c) => c.name === 'user_id')!.dataType).toBe('character(10)');
  });
});

describe.each(ENGINES)('a build process killed between publish and state on %s', (engine) => {
  // One database per test: each seeds its own sources.
  let db: TestDatabase;
  afterEach(async () => db.drop());

  const run = (script: string, args: string[] = []) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/support', script), ...args], { env: { ...process.env, ...db.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => done({ code, stdout, stderr: code === 0 ? '' : stderr }));
    });

  const modes = capabilitiesOf(engine).transactions ? ['with transactions', 'without-transactions'] : ['without-transactions'];
  it.each(modes)('%s: the next build converges and drops the leftovers', async (mode) => {
    db = await createTestDatabase(engine);
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'activation-kill-'));
    const sources = join(dir, 'sources.json');
    const key = (e: string) => (e === 'k1' ? 'key_event_1' : 'key_event_2');
    writeFileSync(sources, JSON.stringify({ events: events.map((e) => ({ ...e, event_name: key(e.event_name) })), users }));
    expect(await run('seed-sources.ts', [sources])).toMatchObject({ code: 0 });
    expect(await run('build-and-pause.ts', ['never'])).toMatchObject({ code: 0 });
    const before = JSON.parse((await run('dump-mart.ts')).stdout);
    writeFileSync(sources, JSON.stringify({ events: [{ user_id: 'u2', event_name: 'key_event_2', datetime: '2025-03-04 00:00:00' }] }));
    expect(await run('seed-sources.ts', [sources, 'append'])).toMatchObject({ code: 0 });

    const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/support/build-and-pause.ts'), 'publish', mode], { env: { ...process.env, ...db.env } });
    await new Promise<void>((ready) => child.stderr.on('data', (d) => String(d).includes('paused after step: publish') && ready()));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    if (engine === 'postgres') await new Promise((r) => setTimeout(r, 500));

    const after = JSON.parse((await run('dump-mart.ts')).stdout);
    expect(after.state).toEqual(mode === 'with transactions' ? before.state : [{ ...before.state[0], publishing: true }]);
    // From separate processes: a DuckDB file can be open in one process only.
    const leftovers = JSON.parse((await run('list-scratch.ts')).stdout);
    // Intermediate scratch tables are temporary (gone with the killed session); none may outlive the next build.
    expect(Array.isArray(leftovers)).toBe(true);
    // The publish was one transaction (rolled back with the dead session), or one statement per table.
    if (mode === 'with transactions') expect(after.mart).toEqual(before.mart);
    else expect(after.mart).toHaveLength(before.mart.length + 1);

    expect(await run('build-and-pause.ts', ['never'])).toMatchObject({ code: 0 });
    const converged = JSON.parse((await run('dump-mart.ts')).stdout);
    expect(converged.mart).toHaveLength(before.mart.length + 1);
    expect(converged.state[0].data_version).toBeGreaterThan(before.state[0].data_version);
    expect(JSON.parse((await run('list-scratch.ts')).stdout)).toEqual([]);
  });

  it('a full refresh killed after staging leaves its staged tables behind; the next build drops them and the published tables never changed', async () => {
    db = await createTestDatabase(engine);
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const sources = join(mkdtempSync(join(tmpdir(), 'activation-kill-')), 'sources.json');
    const key = (e: string) => (e === 'k1' ? 'key_event_1' : 'key_event_2');
    writeFileSync(sources, JSON.stringify({ events: events.map((e) => ({ ...e, event_name: key(e.event_name) })), users }));
    expect(await run('seed-sources.ts', [sources])).toMatchObject({ code: 0 });
    expect(await run('build-and-pause.ts', ['never'])).toMatchObject({ code: 0 });
    const before = JSON.parse((await run('dump-mart.ts')).stdout);

    const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/support/build-and-pause.ts'), 'stage', 'with transactions', 'full'], { env: { ...process.env, ...db.env } });
    await new Promise<void>((ready) => child.stderr.on('data', (d) => String(d).includes('paused after step: stage') && ready()));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    if (engine === 'postgres') await new Promise((r) => setTimeout(r, 500));

    expect(JSON.parse((await run('dump-mart.ts')).stdout)).toEqual(before);
    // The staged mart and funnel tables are real tables (they are published by renaming): they outlive the session.
    expect(JSON.parse((await run('list-scratch.ts')).stdout).length).toBeGreaterThan(0);
    expect(await run('build-and-pause.ts', ['never'])).toMatchObject({ code: 0 });
    expect(JSON.parse((await run('list-scratch.ts')).stdout)).toEqual([]);
    expect(JSON.parse((await run('dump-mart.ts')).stdout).mart).toEqual(before.mart);
  });
});
