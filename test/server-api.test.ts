/**
 * The real Cube server over the demo data: REST through @cubejs-client/core, JWT rejection, and
 * the SQL API through `pg`, each compared with `activation query` on the same warehouse. Cube's
 * server needs its native module; where it cannot load, these are skipped (with the reason
 * printed) and the test at the bottom checks that `activation serve` explains itself instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import cube from '@cubejs-client/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCubeRuntime } from '../src/serve/cube-runtime.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';
import { freePort } from './support/postgres-cluster.ts';

const CLI = fileURLToPath(new URL('../bin/activation.js', import.meta.url));
const runtime = await probeCubeRuntime();
if (!runtime.available) console.warn(`server tests skipped: Cube's server cannot run here (${runtime.missing}: ${runtime.detail})`);

const SECRET = 'server-test-secret-0123456789abcdef';
const SQL_USER = 'analyst';
const SQL_PASSWORD = 'correct horse battery staple';

/** An HS256 JWT, as an auth service would issue for Cube's standard checkAuth. */
function jwt(secret: string, payload: Record<string, unknown> = {}): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iat: now, exp: now + 3600, ...payload })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function cli(args: string[], env: NodeJS.ProcessEnv): string {
  const run = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  if (run.status !== 0) throw new Error(`activation ${args[0]} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

const byDay = {
  measures: ['core_activation.first_visit_users', 'core_activation.key_event_1_users'],
  timeDimensions: [{ dimension: 'core_activation.cohort_date', granularity: 'day' }],
  order: { 'core_activation.cohort_date': 'asc' },
};
const byCountry = {
  measures: ['core_activation.first_visit_users', 'core_activation.key_event_1_users', 'core_activation.key_event_2_users', 'core_activation.key_event_2_conversion_rate'],
  dimensions: ['core_activation.country'],
  filters: [{ member: 'core_activation.country', operator: 'set' }],
  order: { 'core_activation.country': 'asc' },
};

type Row = Record<string, unknown>;
const day = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value)).slice(0, 10);

describe.skipIf(!runtime.available).each(ENGINES)('Cube server over %s', (engine) => {
  let db: TestDatabase;
  let server: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let apiUrl: string;
  let sqlPort: number;
  const expected: { byDay: Row[]; byCountry: Row[] } = { byDay: [], byCountry: [] };

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    const port = await freePort();
    sqlPort = await freePort();
    env = { ...process.env, ...db.env, CUBEJS_API_SECRET: SECRET, CUBEJS_SQL_USER: SQL_USER, CUBEJS_SQL_PASSWORD: SQL_PASSWORD, CUBEJS_DEV_MODE: 'false', NODE_ENV: 'production' };
    // Everything touching the warehouse runs in child processes: DuckDB lets one process hold the file.
    cli(['demo', '--users', '1500', '--days', '21'], env);
    expected.byDay = JSON.parse(cli(['query', JSON.stringify(byDay), '--format', 'json'], env));
    expected.byCountry = JSON.parse(cli(['query', JSON.stringify(byCountry), '--format', 'json'], env));
    expect(expected.byDay.length).toBeGreaterThan(15);

    server = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--sql-port', String(sqlPort)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    apiUrl = `http://127.0.0.1:${port}/cubejs-api/v1`;
    const deadline = Date.now() + 100_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`activation serve exited with ${server.exitCode}:\n${output}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`Cube did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 300_000);

  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      process.kill(server.pid, 'SIGTERM');
      await exited;
    }
    await db?.drop();
  });

  it('REST via @cubejs-client/core returns what `activation query` returns', async () => {
    const api = cube(jwt(SECRET), { apiUrl });
    for (const [query, rows] of [[byDay, expected.byDay], [byCountry, expected.byCountry]] as const) {
      const resultSet = await api.load(query as never);
      expect(resultSet.rawData()).toEqual(rows);
    }
  });

  it('refuses REST requests without a valid JWT (403)', async () => {
    const url = `${apiUrl}/load?query=${encodeURIComponent(JSON.stringify(byDay))}`;
    for (const authorization of ['not-a-jwt', jwt('some-other-secret'), jwt(SECRET, { exp: Math.floor(Date.now() / 1000) - 60 })]) {
      const response = await fetch(url, { headers: { Authorization: authorization } });
      expect(response.status).toBe(403);
    }
    await expect(cube(jwt('some-other-secret'), { apiUrl }).load(byDay as never)).rejects.toThrow();
  });

  describe('SQL API', () => {
    // Every value as text, so the comparison is not at the mercy of pg's type parsers.
    const text = { getTypeParser: () => (value: string) => value };
    const connect = async (password: string) => {
      const client = new pg.Client({ host: '127.0.0.1', port: sqlPort, user: SQL_USER, password, database: 'db', types: text as never });
      await client.connect();
      return client;
    };
    const expectedByDay = () =>
      expected.byDay.map((r) => ({
        day: day(r['core_activation.cohort_date.day']),
        first_visit_users: Number(r['core_activation.first_visit_users']),
        key_event_1_users: Number(r['core_activation.key_event_1_users']),
      }));
    const normalize = (rows: Row[]) =>
      rows
        .map((r) => ({ day: day(r.cohort_date), first_visit_users: Number(r.first_visit_users), key_event_1_users: Number(r.key_event_1_users) }))
        .sort((a, b) => (a.day < b.day ? -1 : 1));

    it('answers a plain SELECT over the view with the same numbers', async () => {
      const client = await connect(SQL_PASSWORD);
      try {
        const { rows } = await client.query('SELECT cohort_date, first_visit_users, key_event_1_users FROM core_activation');
        expect(normalize(rows)).toEqual(expectedByDay());
      } finally {
        await client.end();
      }
    });

    it('answers MEASURE() syntax with the same numbers', async () => {
      const client = await connect(SQL_PASSWORD);
      try {
        const { rows } = await client.query(
          `SELECT DATE_TRUNC('day', cohort_date) AS cohort_date, MEASURE(first_visit_users) AS first_visit_users, MEASURE(key_event_1_users) AS key_event_1_users
           FROM core_activation GROUP BY 1 ORDER BY 1`,
        );
        expect(normalize(rows)).toEqual(expectedByDay());
      } finally {
        await client.end();
      }
    });

    it('rejects a wrong password', async () => {
      await expect(connect('wrong password')).rejects.toThrow();
    });
  });
});

describe.skipIf(runtime.available)('activation serve where Cube cannot run', () => {
  const explains = (result: ReturnType<typeof spawnSync>) => {
    const stderr = String(result.stderr);
    expect(result.status).toBe(1);
    expect(String(result.stdout)).toBe('');
    // One paragraph: a single line of text, no stack trace.
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).toMatch(/^error: Cannot start the Cube server: /);
    expect(stderr).toContain('activation query');
    expect(stderr).toContain('Nothing was started');
    return stderr;
  };

  it('says what is missing, why, and what still works, and exits 1', async () => {
    const port = await freePort();
    const result = spawnSync(process.execPath, [CLI, 'serve', '--port', String(port)], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CUBEJS_API_SECRET: SECRET } });
    const stderr = explains(result);
    expect(stderr).toMatch(runtime.available ? /./ : runtime.missing === 'native' ? /@cubejs-backend\/native/ : runtime.missing === 'server' ? /@cubejs-backend\/server/ : /Node 22/);
    // And nothing listens on the port it was asked to use.
    await expect(fetch(`http://127.0.0.1:${port}/readyz`)).rejects.toThrow();
  });

  // The machines' system Node (what `npm start` runs on without a newer Node in PATH).
  const SYSTEM_NODE = '/usr/bin/node';
  const systemNode = spawnSync(SYSTEM_NODE, ['--version'], { encoding: 'utf8' });
  const oldNode = systemNode.status === 0 && Number(systemNode.stdout.trim().slice(1).split('.')[0]) < 22;
  it.skipIf(!oldNode)('names the Node version when run on Node < 22 (npm start with the system node)', () => {
    const result = spawnSync(SYSTEM_NODE, [CLI, 'serve'], { encoding: 'utf8', timeout: 60_000 });
    expect(explains(result)).toMatch(/needs Node 22 or newer \(this is Node 2[01]\./);
  });
});
