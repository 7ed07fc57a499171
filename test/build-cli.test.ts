/** `activation build` as a user runs it: report, exit codes, a killed build, two builds at once. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf, createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';
import { runCli, startCli } from './support/run-cli.ts';
import type { SourceEvent, SourceUser } from './support/sources.ts';

const users: SourceUser[] = [
  { user_id: 'u1', first_datetime: '2025-01-01 10:00:00', country: 'United States' },
  { user_id: 'u2', first_datetime: '2025-01-02 10:00:00', country: 'Japan' },
];
const events: SourceEvent[] = [
  { user_id: 'u1', event_name: 'key_event_1', datetime: '2025-01-01 11:00:00' },
  { user_id: 'u1', event_name: 'key_event_2', datetime: '2025-01-03 11:00:00' },
  { user_id: 'u2', event_name: 'key_event_1', datetime: '2025-01-02 09:00:00' },
  { user_id: 'ghost', event_name: 'key_event_1', datetime: '2025-01-02 09:00:00' },
];

function tsxRun(script: string, args: string[], env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve('test/support', script), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe.each(ENGINES)('activation build CLI on %s', (engine) => {
  let db: TestDatabase;
  let dir: string;
  const dump = () => JSON.parse(tsxRun('dump-mart.ts', [], db.env));

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dir = mkdtempSync(join(tmpdir(), 'activation-build-cli-'));
    writeFileSync(join(dir, 'sources.json'), JSON.stringify({ events, users }));
    tsxRun('seed-sources.ts', [join(dir, 'sources.json')], db.env);
  });
  afterAll(async () => db.drop());

  it('prints the report, then --json, and exits 0', () => {
    const first = runCli(['build'], db.env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Full refresh of fact__first_activation_events .*\(first build\)/);
    expect(first.stdout).toMatch(/skipped\s+1 events before the user's first visit, 1 events of 1 users missing from the users table/);
    const second = runCli(['build', '--json'], db.env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ mode: 'incremental', rowsInserted: 0, martRows: 4, eventsOfUnknownUsers: 1, eventsBeforeFirstVisit: 1 });
  });

  // Without transactions there is no mid-transaction: test/mart-protocol.test.ts kills those builds between publish and state.
  it.runIf(capabilitiesOf(engine).transactions)('leaves the previous mart intact when the build process is killed mid-transaction; a re-run completes', async () => {
    runCli(['build'], db.env);
    const before = dump();
    writeFileSync(join(dir, 'more.json'), JSON.stringify({ events: [{ user_id: 'u2', event_name: 'key_event_2', datetime: '2025-01-04 00:00:00' }] }));
    tsxRun('seed-sources.ts', [join(dir, 'more.json'), 'append'], db.env);
    const build = startCli(['build'], { ...db.env, ACTIVATION_TEST_PAUSE_AFTER_STEP: 'publish' }, /paused after step: publish/);
    await build.isReady;
    build.child.kill('SIGKILL');
    await build.exited;
    // PostgreSQL ends the dead client's session (and its transaction) asynchronously.
    if (engine === 'postgres') await new Promise((r) => setTimeout(r, 500));
    expect(dump()).toEqual(before);
    const rerun = runCli(['build', '--json'], db.env);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ mode: 'incremental', rowsInserted: 1 });
  });

  it('refuses a second build while one is running, with a clear message and exit 1', async () => {
    const first = startCli(['build'], { ...db.env, ACTIVATION_TEST_PAUSE_AFTER_STEP: 'scan events' }, /paused after step: scan events/);
    await first.isReady;
    try {
      const second = runCli(['build'], db.env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^error: another build is running \(.+\); nothing was written/);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
  });

  it('exits 1 naming the missing table, and writes nothing', () => {
    writeFileSync(join(dir, 'other.yaml'), 'version: 1\nsources: { events: missing_events }\nmart: { table: other_mart }\nevents: [key_event_1]\nfunnels: []\n');
    const r = runCli(['--spec', join(dir, 'other.yaml'), 'build'], db.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: source table missing_events \(sources.events in the spec\) does not exist/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with file:line:column for an invalid spec', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\ntimezone: Mars/Olympus_Mons\nevents: [key_event_1]\nfunnels: []\n');
    const r = runCli(['--spec', join(dir, 'bad.yaml'), 'build'], db.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:2:11: timezone: unknown time zone "Mars\/Olympus_Mons"/);
  });
});
