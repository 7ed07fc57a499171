/** The real CLI (`node bin/activation.js`): exit codes and output of validate, generate and query. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMart } from '../src/mart/build-mart.ts';
import { loadSpecFile } from '../src/spec/load-spec.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';
import { createSources } from './support/sources.ts';
import { EVENTS, USERS } from './support/handmade-log.ts';

// ACTIVATION_BIN: another entry point, e.g. while a command registered by main.ts is missing.
const BIN = resolve(process.env.ACTIVATION_BIN ?? 'bin/activation.js');

// PostgreSQL, so the CLI's process and this one can both hold the database open (a DuckDB file
// admits one writing process). Where a developer left PostgreSQL out, say so rather than fail on a
// server that was never started.
const withPostgres = ENGINES.includes('postgres');
if (!withPostgres) console.warn('activation CLI tests skipped: they need PostgreSQL, which ACTIVATION_TEST_ENGINES leaves out');

describe.runIf(withPostgres)('activation CLI', () => {
  let cwd: string;
  let db: TestDatabase;
  const run = (...args: (string | Record<string, string>)[]) => {
    const env = args.filter((a) => typeof a === 'object');
    const argv = args.filter((a) => typeof a === 'string');
    const r = spawnSync(process.execPath, [BIN, ...argv], { cwd, env: { ...process.env, ...db.env, ...Object.assign({}, ...env) }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'activation-cli-'));
    copyFileSync('metrics.yaml', join(cwd, 'metrics.yaml'));
    db = await createTestDatabase('postgres');
    const wh = await db.connect();
    await createSources(wh, { users: USERS, events: EVENTS });
    await buildMart(wh, loadSpecFile(join(cwd, 'metrics.yaml')));
    await wh.close();
  });
  afterAll(async () => db?.drop());

  it('validate: exit 0 for a valid spec, 1 with file:line:column for an invalid one', () => {
    expect(run('validate')).toMatchObject({ code: 0, stdout: expect.stringMatching(/metrics\.yaml is valid: 2 tracked event\(s\), 2 funnel\(s\)/) });
    writeFileSync(join(cwd, 'bad.yaml'), readFileSync('metrics.yaml', 'utf8').replace('timezone: UTC', 'timezone: Nowhere'));
    const bad = run('--spec', 'bad.yaml', 'validate');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml:5:11: timezone: unknown time zone "Nowhere"/);
  });

  it('generate writes model/; generate --check exits 1 listing stale files, 0 when up to date', () => {
    expect(run('generate', '--check')).toMatchObject({ code: 1, stderr: expect.stringMatching(/model\/ is stale[\s\S]*model\/views\/core_activation\.yml/) });
    expect(run('generate').code).toBe(0);
    expect(run('generate', '--check')).toMatchObject({ code: 0 });
    // The model holds the SQL of the engine CUBEJS_DB_TYPE selects (here PostgreSQL's).
    expect(readFileSync(join(cwd, 'model/cubes/core_activation__funnel.yml'), 'utf8')).toBe(readFileSync('test/golden/model/postgres/cubes/core_activation__funnel.yml', 'utf8'));
    expect(run('generate', '--check', { CUBEJS_DB_TYPE: 'duckdb' })).toMatchObject({ code: 1, stderr: expect.stringMatching(/model\/ is stale/) });
  });

  it('query prints REST data as json, csv and table; Cube’s error for an unknown member (exit 1)', () => {
    run('generate');
    const query = JSON.stringify({ measures: ['core_activation.first_visit_users', 'core_activation.key_event_2_users'], timeDimensions: [{ dimension: 'core_activation.cohort_date', granularity: 'day' }], order: { 'core_activation.cohort_date': 'asc' }, timezone: 'America/New_York' });
    const json = run('query', query, '--format', 'json');
    expect(json.code).toBe(0);
    // metrics.yaml is in UTC: cohorts by UTC date (u6 joins Jan 1, u7 Jan 2); u3's key_event_1 is on day 1 in UTC, so u1 and u3 reach key_event_2.
    expect(JSON.parse(json.stdout)).toEqual([
      { 'core_activation.cohort_date.day': '2025-01-01T00:00:00.000', 'core_activation.cohort_date': '2025-01-01T00:00:00.000', 'core_activation.first_visit_users': '5', 'core_activation.key_event_2_users': '2' },
      { 'core_activation.cohort_date.day': '2025-01-02T00:00:00.000', 'core_activation.cohort_date': '2025-01-02T00:00:00.000', 'core_activation.first_visit_users': '2', 'core_activation.key_event_2_users': '0' },
      { 'core_activation.cohort_date.day': '2025-04-06T00:00:00.000', 'core_activation.cohort_date': '2025-04-06T00:00:00.000', 'core_activation.first_visit_users': '1', 'core_activation.key_event_2_users': '0' },
    ]);
    const csv = run('query', query, '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[1]).toBe('2025-01-01T00:00:00.000,2025-01-01T00:00:00.000,5,2');
    expect(run('query', query)).toMatchObject({ code: 0, stdout: expect.stringMatching(/core_activation\.first_visit_users[\s\S]*3 row\(s\)/) });
    // The table (stdout is a pipe here: no colour) shows rates as percentages and seconds as durations.
    const rates = run('query', JSON.stringify({ measures: ['core_activation.key_event_1_conversion_rate', 'core_activation.key_event_1_median_seconds_to_convert'] }));
    expect(rates).toMatchObject({ code: 0, stdout: expect.stringMatching(/│ \d+\.\d% +│ (\d+[dhms] ?)+ +│/) });
    expect(rates.stdout.includes('\u001b[')).toBe(false);

    const unknown = run('query', JSON.stringify({ measures: ['core_activation.nope'] }));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error: .*nope/);
    expect(run('query', '{"measures": "x"}')).toMatchObject({ code: 1, stderr: expect.stringMatching(/Invalid query format: "measures" must be an array/) });
    expect(run('query', '{not json')).toMatchObject({ code: 1 });
  });

  it('query refuses a model with Jinja templates, with a clear message', () => {
    run('generate');
    writeFileSync(join(cwd, 'model/cubes/templated.yml'), 'cubes:\n  - name: t\n    sql: "SELECT {{ 1 }}"\n');
    const r = run('query', JSON.stringify({ measures: ['core_activation.first_visit_users'] }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/templated\.yml: Jinja templates .* need Cube's native module/);
  });
});
