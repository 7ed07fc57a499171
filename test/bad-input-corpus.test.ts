/**
 * The bad-input corpus: every case runs the real CLI (`node bin/activation.js`) against a built
 * fixture (sources, mart, build state and a generated model/) and asserts
 *  - exit code 1, with no stack trace;
 *  - the located message: file:line:column for the spec, table and column for data, the variable
 *    for the environment, the field for queries;
 *  - that nothing changed: checksums of every table in the database (mart, state, sources and
 *    the rest) and of every file in model/, before and after.
 *
 * Cases are rows of CASES; append more the same way. A case runs on each engine it lists (both by
 * default), against that engine's fixture. `setup` may change the fixture first (its changes are
 * part of the "before" checksum); `teardown` undoes them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/warehouse/registry.ts';
import { createTestDatabase, ENGINES, HARNESSES, type TestDatabase } from './support/engines.ts';
import type { RawSql } from './support/engines/engine-harness.ts';
import { freePort } from './support/postgres-cluster.ts';

const BIN = resolve('bin/activation.js');
const CUBE_CONFIG = resolve('cube.js');

// ---------------------------------------------------------------------------------------------
// The fixture: sources, extra (bad) source tables, a built mart and a generated model.

/** The fixture's spec; spec cases start from it. */
const BASE_SPEC = `version: 1
timezone: UTC
events: [key_event_1, key_event_2]
funnels:
  - name: core_activation
    steps:
      - event: first_visit
      - event: key_event_1
        within: { days: 1 }
      - event: key_event_2
        within: { days: 7 }
`;

const ATTRIBUTES = 'country VARCHAR, device_os VARCHAR, app_version VARCHAR, first_campaign VARCHAR, first_medium VARCHAR, first_source VARCHAR';
const USERS_VALUES = `('u1', DATE '2025-01-01', TIMESTAMP '2025-01-01 10:00:00', 'United States', 'iOS', '1.0', NULL, NULL, NULL),
  ('u2', DATE '2025-01-02', TIMESTAMP '2025-01-02 10:00:00', 'Japan', 'Android', '1.0', NULL, NULL, NULL),
  ('u3', DATE '2025-01-03', TIMESTAMP '2025-01-03 08:30:00', 'Chile', 'iOS', '1.1', 'spring', 'cpc', 'search')`;
const EVENTS_VALUES = `(DATE '2025-01-01', TIMESTAMP '2025-01-01 11:00:00', 'u1', 'key_event_1'),
  (DATE '2025-01-03', TIMESTAMP '2025-01-03 11:00:00', 'u1', 'key_event_2'),
  (DATE '2025-01-02', TIMESTAMP '2025-01-02 12:00:00', 'u2', 'key_event_1'),
  (DATE '2025-01-04', TIMESTAMP '2025-01-04 09:00:00', 'u3', 'key_event_1'),
  (DATE '2025-01-02', TIMESTAMP '2025-01-02 09:00:00', 'ghost', 'key_event_1')`;

/** Source tables, good and bad; data cases point the spec's sources at the bad ones. */
const FIXTURE_SQL = [
  `CREATE TABLE dim__users (user_id VARCHAR, first_date DATE, first_datetime TIMESTAMP, ${ATTRIBUTES})`,
  `INSERT INTO dim__users VALUES ${USERS_VALUES}`,
  `CREATE TABLE fact__events (date DATE, datetime TIMESTAMP, user_id VARCHAR, event_name VARCHAR)`,
  `INSERT INTO fact__events VALUES ${EVENTS_VALUES}`,
  // An unrelated table of the same database: nothing may touch it either.
  `CREATE TABLE customers (id INTEGER, name VARCHAR)`,
  `INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace')`,
  `CREATE TABLE ev_tz (date DATE, datetime TIMESTAMPTZ, user_id VARCHAR, event_name VARCHAR)`,
  `CREATE TABLE ev_text_datetime (date DATE, datetime VARCHAR, user_id VARCHAR, event_name VARCHAR)`,
  `CREATE TABLE ev_no_event_name (date DATE, datetime TIMESTAMP, user_id VARCHAR)`,
  `CREATE TABLE ev_no_user_id (date DATE, datetime TIMESTAMP, event_name VARCHAR)`,
  `CREATE TABLE ev_int_user_id (date DATE, datetime TIMESTAMP, user_id INTEGER, event_name VARCHAR)`,
  `CREATE TABLE ev_bool_user_id (date DATE, datetime TIMESTAMP, user_id BOOLEAN, event_name VARCHAR)`,
  `CREATE TABLE ev_int_event_name (date DATE, datetime TIMESTAMP, user_id VARCHAR, event_name INTEGER)`,
  `CREATE TABLE us_date_first (user_id VARCHAR, first_date DATE, first_datetime DATE, ${ATTRIBUTES})`,
  `CREATE TABLE us_tz_first (user_id VARCHAR, first_date DATE, first_datetime TIMESTAMPTZ, ${ATTRIBUTES})`,
  `CREATE TABLE us_no_first (user_id VARCHAR, first_date DATE, ${ATTRIBUTES})`,
  `CREATE TABLE us_no_country (user_id VARCHAR, first_date DATE, first_datetime TIMESTAMP)`,
  `INSERT INTO ev_tz VALUES (DATE '2025-01-01', TIMESTAMPTZ '2025-01-01 11:00:00+00', 'u1', 'key_event_1')`,
];

type Sql = RawSql;

/** A connection of this test process's own, closed after `work` (see EngineHarness.withSql); fixture SQL in the engine's spelling. */
async function withSql<T>(db: TestDatabase, work: (sql: Sql) => Promise<T>): Promise<T> {
  const harness = HARNESSES[db.engine];
  return harness.withSql(db, (sql) => work({ run: (statement) => sql.run(harness.portableSql(statement)), rows: (query) => sql.rows(harness.portableSql(query)) }));
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Every table of the database (name, columns, comment, rows in a stable order), each as a checksum. */
async function tableChecksums(db: TestDatabase): Promise<Record<string, string>> {
  return withSql(db, async (sql) => {
    const tables = await sql.rows(HARNESSES[db.engine].listTablesSql);
    const sums: Record<string, string> = {};
    for (const { s, t, c } of tables) {
      const rows = await sql.rows(`SELECT * FROM "${String(s)}"."${String(t)}"`);
      const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
      const lines = rows.map((r) => JSON.stringify(r)).sort();
      sums[`${String(s)}.${String(t)}`] = sha(JSON.stringify({ columns, comment: c ?? null, lines }));
    }
    return sums;
  });
}

function directoryChecksums(dir: string): Record<string, string> {
  const sums: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else sums[relative(dir, full)] = sha(readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return sums;
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The process ran into the timeout: it hung. */
  timedOut: boolean;
}

function runCli(args: string[], env: Record<string, string | undefined>, cwd: string, timeout = 60_000): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' };
}

// ---------------------------------------------------------------------------------------------
// The cases.

interface Fixture {
  engine: Engine;
  db: TestDatabase;
  /** The fixture's working directory: the CLI runs here; metrics.yaml and model/ live here. */
  dir: string;
  modelDir: string;
  /** A fresh directory for this case's files (specs and the like). */
  caseDir: string;
  sql<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

export interface BadInputCase {
  name: string;
  kind: 'spec' | 'data' | 'environment' | 'query';
  /** Default: both. */
  engines?: Engine[];
  /**
   * A metrics.yaml for this case, written to <caseDir>/bad.yaml and passed with --spec. A `⁁` marks
   * where the problem is: the message must carry that file:line:column (the marker is removed).
   */
  spec?: string;
  /** The command after `--spec <file>`; default `build`. */
  args?: string[] | ((f: Fixture) => string[]);
  /** Variables on top of the fixture's CUBEJS_DB_* ones. */
  env?: (f: Fixture) => Record<string, string | undefined>;
  /** What stderr must say (besides file:line:column for a `⁁` spec). */
  message: RegExp | ((f: Fixture) => RegExp);
  setup?: (f: Fixture) => Promise<void> | void;
  teardown?: (f: Fixture) => Promise<void> | void;
  /** Run instead of the CLI (e.g. loading cube.js); same assertions. */
  run?: (f: Fixture) => CliResult;
}

const MARK = '⁁';

/** Builds a spec from the base one with `lines` replacing everything after `version: 1`. */
const spec = (body: string) => `version: 1\n${body}`;
const FUNNEL = `funnels:
  - name: core_activation
    steps:
      - event: first_visit
      - event: key_event_1
        within: { days: 1 }
`;
const withEvents = (body: string) => spec(`events: [key_event_1, key_event_2]\n${body}${body.endsWith('\n') ? '' : '\n'}${FUNNEL}`);

const ALIAS_BOMB = spec(`events: [key_event_1]
funnels: []
x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
x-b: &b [${MARK}*a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
`);

const q = (query: unknown) => (f: Fixture) => ['query', JSON.stringify(query), '--model', f.modelDir];
const CA = 'core_activation';
const BASIC = { measures: [`${CA}.first_visit_users`] };
const invalidQuery = (detail: string) => new RegExp(`^error: Invalid query format: ${escape(detail)}`, 'm');
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Loads cube.js as Cube does (its default export), with `env`. */
function loadCubeConfig(env: Record<string, string | undefined>): CliResult {
  // As `activation serve` reports it (loadCubeConfig): the message, exit 1.
  const script = `try { await import(${JSON.stringify(CUBE_CONFIG)}); } catch (e) { process.stderr.write('error: cube.js: ' + e.message + '\\n'); process.exit(1); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, CUBEJS_DEV_MODE: undefined, CUBEJS_API_SECRET: undefined, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: false };
}

export const CASES: BadInputCase[] = [
  // ---- spec: limits, alias bombs, control characters -----------------------------------------
  { name: 'lookback of 10^12 days', kind: 'spec', spec: withEvents(`incremental: { lookback: { days: ${MARK}1000000000000 } }`), message: /incremental\.lookback\.days: lookback of 1000000000000 days is too long: at most 3650 days/ },
  { name: 'lookback of 3651 days', kind: 'spec', spec: withEvents(`incremental:\n  lookback:\n    days: ${MARK}3651`), message: /lookback of 3651 days is too long: at most 3650 days/ },
  { name: 'lookback of 87601 hours', kind: 'spec', spec: withEvents(`incremental: { lookback: { hours: ${MARK}87601 } }`), message: /lookback of 87601 hours is too long: at most 87600 hours/ },
  { name: 'lookback of 2^53 hours', kind: 'spec', spec: withEvents(`incremental: { lookback: { hours: ${MARK}9007199254740993 } }`), message: /incremental\.lookback\.hours: lookback of \d+ hours is too long/ },
  { name: 'lookback of 1e400 days (infinite)', kind: 'spec', spec: withEvents(`incremental: { lookback: { days: ${MARK}1e400 } }`), message: /incremental\.lookback\.days: must be integer/ },
  { name: 'lookback of 0 days', kind: 'spec', spec: withEvents(`incremental: { lookback: { days: ${MARK}0 } }`), message: /incremental\.lookback\.days: must be >= 1/ },
  { name: 'lookback of -3 hours', kind: 'spec', spec: withEvents(`incremental: { lookback: { hours: ${MARK}-3 } }`), message: /incremental\.lookback\.hours: must be >= 1/ },
  { name: 'lookback of 1.5 days', kind: 'spec', spec: withEvents(`incremental: { lookback: { days: ${MARK}1.5 } }`), message: /incremental\.lookback\.days: must be integer/ },
  { name: 'lookback as a string', kind: 'spec', spec: withEvents(`incremental: { lookback: { days: ${MARK}"3" } }`), message: /incremental\.lookback\.days: must be integer/ },
  { name: 'lookback with two units', kind: 'spec', spec: withEvents(`incremental: { lookback: ${MARK}{ days: 1, hours: 2 } }`), message: /exactly one unit/ },
  { name: 'lookback in weeks', kind: 'spec', spec: withEvents(`incremental: { lookback: { ${MARK}weeks: 1 } }`), message: /unknown key "weeks"/ },
  { name: 'step window of 10^12 days', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels:\n  - name: f\n    steps:\n      - event: first_visit\n      - event: key_event_1\n        within: { days: ${MARK}1000000000000 }\n`), message: /funnels\[0\]\.steps\[1\]\.within\.days: window of 1000000000000 days is too long: at most 3650 days/ },
  { name: 'step window of 3 billion hours', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels:\n  - name: f\n    steps:\n      - event: first_visit\n      - event: key_event_1\n        within:\n          hours: ${MARK}3000000000\n`), message: /within\.hours: window of 3000000000 hours is too long: at most 87600 hours/ },
  { name: 'YAML alias bomb (billion laughs)', kind: 'spec', spec: ALIAS_BOMB, message: /aliases expand too many times .*resource-exhaustion/ },
  {
    name: 'YAML alias bomb inside events',
    kind: 'spec',
    spec: spec(`x-a: &a [e, e, e, e, e, e, e, e, e, e]\nx-b: &b [${MARK}*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nx-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nevents: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nfunnels: []\n`),
    message: /\[yaml-alias-limit\]/,
  },
  { name: 'event name with NUL', kind: 'spec', spec: spec(`events: [key_event_1, ${MARK}"key\\0event"]\nfunnels: []`), message: /events\[1\]: event "key\\u0000event" contains the control character U\+0000 \(NUL\)/ },
  { name: 'event name with a newline', kind: 'spec', spec: spec(`events: [${MARK}"key_event\\n1"]\nfunnels: []`), message: /events\[0\]: .*U\+000A \(newline\)/ },
  { name: 'event name with a tab', kind: 'spec', spec: spec(`events:\n  - key_event_1\n  - ${MARK}"key\\tevent"\nfunnels: []`), message: /events\[1\]: .*U\+0009 \(tab\)/ },
  { name: 'event name with ESC', kind: 'spec', spec: spec(`events: [${MARK}"\\e[31mred"]\nfunnels: []`), message: /events\[0\]: .*U\+001B/ },
  { name: 'event name with DEL', kind: 'spec', spec: spec(`events: [${MARK}"key\\x7f"]\nfunnels: []`), message: /events\[0\]: .*U\+007F/ },
  { name: 'event name with a C1 control (U+0085)', kind: 'spec', spec: spec(`events: [${MARK}"key\\x85"]\nfunnels: []`), message: /events\[0\]: .*U\+0085/ },
  {
    name: 'funnel step event with NUL',
    kind: 'spec',
    spec: spec(`events: ["a\\0b"]\nfunnels:\n  - name: f\n    steps:\n      - event: first_visit\n      - event: ${MARK}"a\\0b"\n`),
    message: /funnels\[0\]\.steps\[1\]\.event: event "a\\u0000b" contains the control character U\+0000/,
  },

  // ---- spec: the mart and state tables may not be a source, nor each other -----------------
  { name: 'mart.table is the users table', kind: 'spec', spec: withEvents(`mart: { table: ${MARK}dim__users }`), message: /mart\.table: mart\.table \(dim__users\) is the same table as sources\.users \(default dim__users\): the builder would replace the users table/ },
  { name: 'mart.table is the event log', kind: 'spec', spec: withEvents(`mart: { table: ${MARK}fact__events }`), message: /mart\.table .* sources\.events \(default fact__events\): the builder would replace the event log/ },
  { name: 'mart.table is the event log, other case', kind: 'spec', spec: withEvents(`mart: { table: ${MARK}FACT__Events }`), message: /mart\.table \(FACT__Events\) is the same table as sources\.events/ },
  { name: 'mart.table is main.<event log>', kind: 'spec', spec: withEvents(`mart: { table: ${MARK}main.fact__events }`), message: /\[table-collision\]/ },
  { name: 'mart.table is public.<users table>', kind: 'spec', spec: withEvents(`mart: { table: ${MARK}public.dim__users }`), message: /\[table-collision\]/ },
  { name: 'mart.table is a schema-qualified source', kind: 'spec', spec: withEvents(`sources: { events: raw.events }\nmart: { table: ${MARK}RAW.events }`), message: /mart\.table \(RAW\.events\) is the same table as sources\.events \(raw\.events\)/ },
  { name: 'state_table is the users table', kind: 'spec', spec: withEvents(`mart: { state_table: ${MARK}dim__users }`), message: /mart\.state_table \(dim__users\) .* build state/ },
  { name: 'state_table is the event log', kind: 'spec', spec: withEvents(`mart:\n  table: my_mart\n  state_table: ${MARK}Fact__Events`), message: /mart\.state_table: .*sources\.events/ },
  { name: 'state_table is the mart', kind: 'spec', spec: withEvents(`mart: { table: my_mart, state_table: ${MARK}my_mart }`), message: /mart\.state_table \(my_mart\) is the same table as mart\.table \(my_mart\)/ },
  { name: 'state_table is the default mart', kind: 'spec', spec: withEvents(`mart: { state_table: ${MARK}fact__first_activation_events }`), message: /mart\.state_table .* mart\.table \(default fact__first_activation_events\)/ },
  { name: 'sources.events is the default mart', kind: 'spec', spec: withEvents(`sources: { events: ${MARK}fact__first_activation_events }`), message: /sources\.events: sources\.events \(fact__first_activation_events\) is the same table as mart\.table \(default/ },
  { name: 'sources.users is the default state table', kind: 'spec', spec: withEvents(`sources: { users: ${MARK}fact__first_activation_events__build_state }`), message: /sources\.users: .*mart\.state_table \(default fact__first_activation_events__build_state\)/ },

  // ---- spec: the rest of the format, as before ------------------------------------------------
  { name: 'YAML syntax error', kind: 'spec', spec: spec(`events: [key_event_1\n${MARK}funnels: []`), message: /\[yaml-syntax\]/ },
  { name: 'duplicate key', kind: 'spec', spec: spec(`events: [key_event_1]\n${MARK}events: [key_event_2]\nfunnels: []`), message: /\[yaml-syntax\]/ },
  { name: 'unsupported version', kind: 'spec', spec: `version: ${MARK}2\nevents: [key_event_1]\nfunnels: []\n`, message: /unsupported version 2/ },
  { name: 'unknown top-level key', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels: []\n${MARK}metrics: []`), message: /unknown key "metrics"/ },
  { name: 'missing events', kind: 'spec', spec: `${MARK}version: 1\nfunnels: []\n`, message: /missing required key "events"/ },
  { name: 'empty events', kind: 'spec', spec: spec(`events: ${MARK}[]\nfunnels: []`), message: /expected at least 1 item/ },
  { name: 'event name of 201 characters', kind: 'spec', spec: spec(`events: [${MARK}${'e'.repeat(201)}]\nfunnels: []`), message: /events\[0\]: must NOT have more than 200 characters/ },
  { name: 'event name with braces', kind: 'spec', spec: spec(`events: [${MARK}"{{ evil }}"]\nfunnels: []`), message: /contains \{ or \}/ },
  { name: 'first_visit listed as an event', kind: 'spec', spec: spec(`events: [key_event_1, ${MARK}first_visit]\nfunnels: []`), message: /"first_visit" is implicit/ },
  { name: 'duplicate event', kind: 'spec', spec: spec(`events: [key_event_1, ${MARK}key_event_1]\nfunnels: []`), message: /listed twice/ },
  { name: 'unknown time zone', kind: 'spec', spec: spec(`timezone: ${MARK}Mars/Olympus_Mons\nevents: [key_event_1]\nfunnels: []`), message: /unknown time zone "Mars\/Olympus_Mons"/ },
  { name: 'table name with a hyphen', kind: 'spec', spec: spec(`sources: { events: ${MARK}fact-events }\nevents: [key_event_1]\nfunnels: []`), message: /sources\.events: "fact-events" is not valid/ },
  { name: 'table name with three parts', kind: 'spec', spec: spec(`mart: { table: ${MARK}a.b.c }\nevents: [key_event_1]\nfunnels: []`), message: /mart\.table: "a\.b\.c" is not valid/ },
  { name: 'table name with a quote', kind: 'spec', spec: spec(`mart: { table: ${MARK}'x"; DROP TABLE dim__users; --' }\nevents: [key_event_1]\nfunnels: []`), message: /mart\.table: .* is not valid/ },
  { name: 'user attribute with a space', kind: 'spec', spec: spec(`sources: { user_attributes: [country, ${MARK}"device os"] }\nevents: [key_event_1]\nfunnels: []`), message: /sources\.user_attributes\[1\]: "device os" is not valid/ },
  { name: 'funnel step of an untracked event', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels:\n  - name: f\n    steps:\n      - event: first_visit\n      - event: ${MARK}signup\n`), message: /funnels\[0\]\.steps\[1\]\.event: event "signup" is not tracked/ },
  { name: 'funnel name with a dot', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels:\n  - name: ${MARK}a.b\n    steps:\n      - event: first_visit\n      - event: key_event_1\n`), message: /funnels\[0\]\.name: "a\.b" is not valid/ },
  { name: 'funnel with one step', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels:\n  - name: f\n    steps: ${MARK}[{ event: first_visit }]\n`), message: /funnels\[0\]\.steps: expected at least 2 item/ },
  { name: 'unknown funnel order', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels:\n  - name: f\n    order: ${MARK}random\n    steps: [{ event: first_visit }, { event: key_event_1 }]\n`), message: /funnels\[0\]\.order: "random" is not allowed/ },
  { name: 'nesting 5000 deep', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels: []\nx: ${'['.repeat(5000)}${']'.repeat(5000)}`), message: /bad\.yaml:4:\d+: .*\[yaml-syntax\]/ },
  { name: 'two YAML documents', kind: 'spec', spec: spec(`events: [key_event_1]\nfunnels: []\n${MARK}---\nversion: 1`), message: /a second YAML document starts here \(---\); metrics\.yaml is one document \[yaml-syntax\]/ },
  { name: 'the spec is empty', kind: 'spec', spec: `${MARK}`, message: /must be object/ },
  { name: 'the spec is a list', kind: 'spec', spec: `${MARK}- version: 1\n- events: [a]\n`, message: /must be object/ },
  { name: 'the spec file does not exist', kind: 'spec', args: (f) => ['--spec', join(f.caseDir, 'missing.yaml'), 'build'], message: /missing\.yaml:1:1: file not found \[file-unreadable\]/ },
  { name: 'the spec is a directory', kind: 'spec', args: (f) => ['--spec', f.caseDir, 'build'], message: /:1:1: .*EISDIR.* \[file-unreadable\]/ },
  { name: 'validate: lookback too long', kind: 'spec', engines: ['duckdb'], spec: withEvents(`incremental: { lookback: { days: ${MARK}100000 } }`), args: ['validate'], message: /lookback of 100000 days is too long/ },
  { name: 'generate: mart.table is the event log', kind: 'spec', spec: withEvents(`mart: { table: ${MARK}fact__events }`), args: (f) => ['generate', '--model', f.modelDir], message: /\[table-collision\]/ },
  { name: 'generate: alias bomb', kind: 'spec', spec: ALIAS_BOMB, args: (f) => ['generate', '--model', f.modelDir], message: /\[yaml-alias-limit\]/ },
  { name: 'demo: state_table is the users table', kind: 'spec', spec: withEvents(`mart: { state_table: ${MARK}dim__users }`), args: (f) => ['demo', '--users', '100', '--days', '3', '--model', f.modelDir], message: /\[table-collision\]/ },

  // ---- data: the sources (table and column in the message) ------------------------------------
  { name: 'events table missing', kind: 'data', spec: withEvents('sources: { events: no_such_events }'), message: /source table no_such_events \(sources\.events in the spec\) does not exist/ },
  { name: 'users table missing', kind: 'data', spec: withEvents('sources: { users: no_such_users }'), message: /source table no_such_users \(sources\.users in the spec\) does not exist/ },
  { name: 'events.datetime is TIMESTAMP WITH TIME ZONE', kind: 'data', spec: withEvents('sources: { events: ev_tz }'), message: /column ev_tz\.datetime is timestamp(\(\d\))? with time zone; expected TIMESTAMP \(without time zone\) holding UTC/i },
  { name: 'events.datetime is text', kind: 'data', spec: withEvents('sources: { events: ev_text_datetime }'), message: /column ev_text_datetime\.datetime is \w+( varying)?; expected TIMESTAMP/i },
  { name: 'events without event_name', kind: 'data', spec: withEvents('sources: { events: ev_no_event_name }'), message: /source table ev_no_event_name has no column event_name/ },
  { name: 'events without user_id', kind: 'data', spec: withEvents('sources: { events: ev_no_user_id }'), message: /source table ev_no_user_id has no column user_id/ },
  { name: 'events.user_id is an integer, users.user_id a string', kind: 'data', spec: withEvents('sources: { events: ev_int_user_id }'), message: /user_id is \w+ in ev_int_user_id but .* in dim__users/i },
  { name: 'events.user_id is a boolean', kind: 'data', spec: withEvents('sources: { events: ev_bool_user_id }'), message: /column ev_bool_user_id\.user_id is boolean; expected a string or integer type/i },
  { name: 'events.event_name is an integer', kind: 'data', spec: withEvents('sources: { events: ev_int_event_name }'), message: /column ev_int_event_name\.event_name is integer; expected a string type/i },
  { name: 'users.first_datetime is a DATE', kind: 'data', spec: withEvents('sources: { users: us_date_first }'), message: /column us_date_first\.first_datetime is date; expected TIMESTAMP/i },
  { name: 'users.first_datetime is TIMESTAMP WITH TIME ZONE', kind: 'data', spec: withEvents('sources: { users: us_tz_first }'), message: /column us_tz_first\.first_datetime is timestamp(\(\d\))? with time zone/i },
  { name: 'users without first_datetime', kind: 'data', spec: withEvents('sources: { users: us_no_first }'), message: /source table us_no_first has no column first_datetime/ },
  { name: 'users without a listed attribute', kind: 'data', spec: withEvents('sources: { users: us_no_country }'), message: /source table us_no_country has no column country \(listed in sources\.user_attributes/ },
  { name: 'a user attribute the users table lacks', kind: 'data', spec: withEvents('sources: { user_attributes: [country, plan_tier] }'), message: /source table dim__users has no column plan_tier/ },
  // Data loss #2: the demo never drops or replaces tables it did not create.
  {
    name: 'demo over real source tables',
    kind: 'data',
    args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'demo', '--users', '100', '--days', '3', '--model', f.modelDir],
    message: /the demo will not drop and replace fact__events and dim__users in .*not created by the demo.*Nothing was changed.*separate database.*--replace-sources/,
  },
  {
    name: 'demo over a real users table (events table missing)',
    kind: 'data',
    spec: withEvents('sources: { events: demo_events_new }'),
    args: (f) => ['demo', '--users', '100', '--days', '3', '--model', f.modelDir],
    message: /the demo will not drop and replace dim__users in /,
  },
  {
    name: 'demo over a view named like the events table',
    kind: 'data',
    spec: withEvents('sources: { events: events_view, users: demo_users_new }'),
    setup: (f) => f.sql((s) => s.run('CREATE VIEW events_view AS SELECT * FROM fact__events')),
    teardown: (f) => f.sql((s) => s.run('DROP VIEW events_view')),
    args: (f) => ['demo', '--users', '100', '--days', '3', '--model', f.modelDir],
    message: /the demo will not drop and replace events_view /,
  },
  {
    name: 'demo over a table with another comment',
    kind: 'data',
    spec: withEvents('sources: { users: commented_users }'),
    setup: (f) => f.sql(async (s) => {
      await s.run(`CREATE TABLE commented_users AS SELECT * FROM dim__users`);
      await s.run(`COMMENT ON TABLE commented_users IS 'production users, do not drop'`);
    }),
    teardown: (f) => f.sql((s) => s.run('DROP TABLE commented_users')),
    args: (f) => ['demo', '--users', '100', '--days', '3', '--model', f.modelDir],
    message: /the demo will not drop and replace fact__events and commented_users /,
  },
  {
    name: 'demo with new sources but a mart table it may not replace',
    kind: 'data',
    spec: withEvents('sources: { events: demo_events_new, users: demo_users_new }\nmart: { table: customers }'),
    args: (f) => ['demo', '--users', '100', '--days', '3', '--model', f.modelDir],
    message: /table customers \(mart\.table in the spec\) already exists .*not created by activation-metrics/,
  },

  // ---- environment: the variable in the message -----------------------------------------------
  { name: 'CUBEJS_DB_TYPE=mysql (build)', kind: 'environment', env: () => ({ CUBEJS_DB_TYPE: 'mysql' }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /CUBEJS_DB_TYPE="mysql" is not supported by activation-metrics; supported: duckdb, postgres/ },
  { name: 'CUBEJS_DB_TYPE=bigquery (query)', kind: 'environment', env: () => ({ CUBEJS_DB_TYPE: 'bigquery' }), args: q(BASIC), message: /CUBEJS_DB_TYPE="bigquery" is not supported/ },
  { name: 'CUBEJS_DB_TYPE=snowflake (demo)', kind: 'environment', env: () => ({ CUBEJS_DB_TYPE: 'snowflake' }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'demo', '--users', '100', '--model', f.modelDir], message: /CUBEJS_DB_TYPE="snowflake" is not supported/ },
  ...duckdbPathCases(),
  { name: 'PostgreSQL is down (build)', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_PORT: String(closedPort) }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /PostgreSQL is not reachable at 127\.0\.0\.1:\d+ \(CUBEJS_DB_HOST=127\.0\.0\.1, CUBEJS_DB_PORT=\d+\): ECONNREFUSED/ },
  { name: 'PostgreSQL is down (query)', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_PORT: String(closedPort) }), args: q(BASIC), message: /PostgreSQL is not reachable at .*CUBEJS_DB_PORT/ },
  { name: 'PostgreSQL is down (demo)', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_PORT: String(closedPort) }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'demo', '--users', '100', '--model', f.modelDir], message: /PostgreSQL is not reachable/ },
  { name: 'database does not exist (build)', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_NAME: 'no_such_database' }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /database "no_such_database" does not exist on .* \(CUBEJS_DB_NAME=no_such_database\)/ },
  { name: 'database does not exist (query)', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_NAME: 'no_such_database' }), args: q(BASIC), message: /database "no_such_database" does not exist .*CUBEJS_DB_NAME/ },
  { name: 'role does not exist', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_USER: 'no_such_role' }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /PostgreSQL refused user "no_such_role" .*\(CUBEJS_DB_USER, CUBEJS_DB_PASS\)/ },
  { name: 'CUBEJS_DB_PORT is not a number', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_PORT: 'fivefourthreetwo' }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /CUBEJS_DB_PORT="fivefourthreetwo" is not a port number/ },
  { name: 'CUBEJS_DB_PORT out of range', kind: 'environment', engines: ['postgres'], env: () => ({ CUBEJS_DB_PORT: '70000' }), args: q(BASIC), message: /CUBEJS_DB_PORT="70000" is not a port number/ },
  { name: 'Trino is down (build)', kind: 'environment', engines: ['trino'], env: () => ({ CUBEJS_DB_PORT: String(closedPort) }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /Trino is not reachable at http:\/\/127\.0\.0\.1:\d+ \(CUBEJS_DB_HOST=127\.0\.0\.1, CUBEJS_DB_PORT=\d+\): ECONNREFUSED/ },
  { name: 'Trino is down (query)', kind: 'environment', engines: ['trino'], env: () => ({ CUBEJS_DB_PORT: String(closedPort) }), args: q(BASIC), message: /Trino is not reachable at .*CUBEJS_DB_PORT/ },
  { name: 'Trino catalog does not exist', kind: 'environment', engines: ['trino'], env: () => ({ CUBEJS_DB_PRESTO_CATALOG: 'no_such_catalog' }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /has no catalog "no_such_catalog" \(CUBEJS_DB_PRESTO_CATALOG=no_such_catalog\)/ },
  { name: 'Trino schema does not exist', kind: 'environment', engines: ['trino'], env: () => ({ CUBEJS_DB_SCHEMA: 'no_such_schema' }), args: q(BASIC), message: /schema "no_such_schema" does not exist in the Trino catalog .*\(CUBEJS_DB_SCHEMA=no_such_schema\)/ },
  { name: 'Trino without a catalog', kind: 'environment', engines: ['trino'], env: () => ({ CUBEJS_DB_PRESTO_CATALOG: '' }), args: (f) => ['--spec', join(f.dir, 'metrics.yaml'), 'build'], message: /CUBEJS_DB_PRESTO_CATALOG/ },
  { name: 'cube.js without CUBEJS_API_SECRET', kind: 'environment', engines: ['duckdb'], run: () => loadCubeConfig({}), message: /CUBEJS_API_SECRET is not set\. .*openssl rand -hex 32.*CUBEJS_DEV_MODE=true/ },
  { name: 'cube.js with a one-character secret', kind: 'environment', engines: ['duckdb'], run: () => loadCubeConfig({ CUBEJS_API_SECRET: 'x' }), message: /CUBEJS_API_SECRET is too short \(1 non-whitespace characters; at least 32 are required\)/ },
  { name: 'cube.js with a whitespace secret', kind: 'environment', engines: ['duckdb'], run: () => loadCubeConfig({ CUBEJS_API_SECRET: ' '.repeat(40) }), message: /CUBEJS_API_SECRET is too short \(0 non-whitespace/ },
  { name: 'cube.js with a 31-character secret', kind: 'environment', engines: ['duckdb'], run: () => loadCubeConfig({ CUBEJS_API_SECRET: 'a'.repeat(31) }), message: /CUBEJS_API_SECRET is too short \(31 non-whitespace/ },
  { name: 'cube.js with 32 characters padded by spaces', kind: 'environment', engines: ['duckdb'], run: () => loadCubeConfig({ CUBEJS_API_SECRET: ` ${'ab '.repeat(15)} ` }), message: /CUBEJS_API_SECRET is too short \(30 non-whitespace/ },

  // ---- query: the field in the message; Cube's gateway's own words where it has them ----------
  { name: 'unknown filter operator', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'like', values: ['x'] }] }), message: /^error: Operator like not supported for filter: .*"filters\[0\]\.operator" must be one of: equals, notEquals/m },
  { name: 'unknown operator in a nested or', kind: 'query', args: q({ ...BASIC, filters: [{ or: [{ member: `${CA}.country`, operator: 'equals', values: ['x'] }, { member: `${CA}.country`, operator: 'regex', values: ['.*'] }] }] }), message: /Operator regex not supported .*"filters\[0\]\.or\[1\]\.operator"/ },
  { name: 'filter without operator', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, values: ['x'] }] }), message: /^error: Operator required for filter: \{"member":"core_activation\.country","values":\["x"\]\}/m },
  { name: 'filter operator is a number', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 7, values: ['x'] }] }), message: /Operator 7 not supported/ },
  { name: 'filter without values', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'equals' }] }), message: /^error: Values required for filter: /m },
  { name: 'filter with empty values', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'in', values: [] }] }), message: /^error: Values required for filter: /m },
  { name: 'filter values are objects', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'equals', values: [{ a: 1 }] }] }), message: invalidQuery('"filters[0]" does not match any of the allowed types: "values" must be an array') },
  { name: 'filter values not an array', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'equals', values: 'Japan' }] }), message: invalidQuery('"filters[0]" does not match any of the allowed types') },
  { name: 'filter member is not cube.member', kind: 'query', args: q({ ...BASIC, filters: [{ member: 'country', operator: 'equals', values: ['x'] }] }), message: invalidQuery('"filters[0]" does not match any of the allowed types: "member" must be a member name') },
  { name: 'filter with member and dimension', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, dimension: `${CA}.country`, operator: 'equals', values: ['x'] }] }), message: invalidQuery('"filters[0]" does not match any of the allowed types: give "member"') },
  { name: 'filter with an unknown key', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'equals', values: ['x'], op: 'and' }] }), message: invalidQuery('"filters[0]" does not match any of the allowed types: "op" is not allowed') },
  { name: 'filter is a string', kind: 'query', args: q({ ...BASIC, filters: ['country = x'] }), message: invalidQuery('"filters[0]" does not match any of the allowed types') },
  { name: 'or and and in one filter', kind: 'query', args: q({ ...BASIC, filters: [{ or: [], and: [] }] }), message: invalidQuery('"filters[0]" does not match any of the allowed types: a logical filter has exactly one key') },
  { name: 'inDateRange with a bad date', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.cohort_date`, operator: 'inDateRange', values: ['2025-01-01', '2025-02-31'] }] }), message: invalidQuery('"filters[0].values[1]" must be a date') },
  { name: 'inDateRange with one value', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.cohort_date`, operator: 'inDateRange', values: ['2025-01-01'] }] }), message: invalidQuery('"filters[0].values": inDateRange takes two dates') },
  { name: 'beforeDate with text', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.cohort_date`, operator: 'beforeDate', values: ['yesterday'] }] }), message: invalidQuery('"filters[0].values[0]" must be a date') },
  { name: 'measureFilter operator', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'measureFilter' }] }), message: invalidQuery('"filters[0].operator": measureFilter is used by Cube\'s drill-downs internally') },
  { name: 'set with values null', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.country`, operator: 'set', values: null }] }), message: invalidQuery('"filters[0]" does not match any of the allowed types: "values" must be an array') },
  { name: 'filter on an unknown member', kind: 'query', args: q({ ...BASIC, filters: [{ member: `${CA}.nope`, operator: 'equals', values: ['x'] }] }), message: /^error: .*nope/m },
  { name: 'limit beyond 64-bit integers', kind: 'query', args: q({ ...BASIC, limit: 1e20 }), message: invalidQuery('"limit" must be a safe number') },
  { name: 'limit beyond the engines\u2019 int range', kind: 'query', args: q({ ...BASIC, limit: 9007199254740991 }), message: /^error: The query limit has been exceeded: "limit" is 9007199254740991, at most 50000 \(CUBEJS_DB_QUERY_LIMIT, default\)/m },
  { name: 'limit of 2^31', kind: 'query', args: q({ ...BASIC, limit: 2147483648 }), message: /^error: The query limit has been exceeded/m },
  { name: 'limit above CUBEJS_DB_QUERY_LIMIT', kind: 'query', env: () => ({ CUBEJS_DB_QUERY_LIMIT: '10' }), args: q({ ...BASIC, limit: 11 }), message: /The query limit has been exceeded: "limit" is 11, at most 10 \(CUBEJS_DB_QUERY_LIMIT\)/ },
  { name: 'limit of 1.5', kind: 'query', args: q({ ...BASIC, limit: 1.5 }), message: invalidQuery('"limit" must be an integer') },
  { name: 'limit of -1', kind: 'query', args: q({ ...BASIC, limit: -1 }), message: invalidQuery('"limit" must be greater than or equal to 1') },
  { name: 'limit of 0', kind: 'query', args: q({ ...BASIC, limit: 0 }), message: invalidQuery('"limit" must be greater than or equal to 1') },
  { name: 'limit as a string', kind: 'query', args: q({ ...BASIC, limit: '10' }), message: invalidQuery('"limit" must be a number') },
  { name: 'offset of -1', kind: 'query', args: q({ ...BASIC, offset: -1 }), message: invalidQuery('"offset" must be greater than or equal to 0') },
  { name: 'offset beyond 64-bit integers', kind: 'query', args: q({ ...BASIC, offset: 1e300 }), message: invalidQuery('"offset" must be a safe number') },
  { name: 'dateRange ["2025-13-45", "x"]', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: ['2025-13-45', 'x'] }] }), message: invalidQuery('"timeDimensions[0].dateRange[0]" must be a date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.sss; got "2025-13-45"') },
  { name: 'dateRange ending in "x"', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: ['2025-01-01', 'x'] }] }), message: invalidQuery('"timeDimensions[0].dateRange[1]" must be a date') },
  { name: 'dateRange on February 30', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: ['2025-02-30', '2025-03-01'] }] }), message: invalidQuery('"timeDimensions[0].dateRange[0]" must be a date') },
  { name: 'dateRange at 25 o\u2019clock', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: ['2025-01-01T25:00:00', '2025-01-02'] }] }), message: invalidQuery('"timeDimensions[0].dateRange[0]" must be a date') },
  { name: 'dateRange one bad date as a string', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: '2025-99-01' }] }), message: invalidQuery('"timeDimensions[0].dateRange" must be a date') },
  { name: 'dateRange of three dates', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: ['2025-01-01', '2025-01-02', '2025-01-03'] }] }), message: invalidQuery('"timeDimensions[0].dateRange" must be [from, to] dates') },
  { name: 'dateRange of numbers', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: [20250101, 20250102] }] }), message: invalidQuery('"timeDimensions[0].dateRange" must be [from, to] dates') },
  { name: 'relative dateRange', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: 'last 7 days' }] }), message: /relative dateRange "last 7 days" needs Cube's API gateway/ },
  { name: 'compareDateRange', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, compareDateRange: [['2025-01-01', '2025-01-02']] }] }), message: invalidQuery('"timeDimensions[0].compareDateRange" needs Cube\'s API gateway') },
  { name: 'time dimension with an unknown key', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, granularity: 'day', range: 'x' }] }), message: invalidQuery('"timeDimensions[0].range" is not allowed') },
  { name: 'time dimension without dimension', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ granularity: 'day' }] }), message: invalidQuery('each of "timeDimensions" needs a "dimension"') },
  { name: 'only a time dimension without granularity', kind: 'query', args: q({ timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: ['2025-01-01', '2025-01-31'] }] }), message: /^error: Query should contain either measures, dimensions or timeDimensions with granularities/m },
  { name: 'a string member as time dimension', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.country`, granularity: 'day' }] }), message: invalidQuery(`"timeDimensions[0].dimension": ${CA}.country is a string member, not a time dimension`) },
  { name: 'empty time zone', kind: 'query', args: q({ ...BASIC, timezone: '' }), message: invalidQuery('"timezone" is not allowed to be empty') },
  { name: 'unknown granularity', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, granularity: 'fortnight' }] }), message: /^error: .*fortnight/m },
  { name: 'order on an unknown member', kind: 'query', args: q({ ...BASIC, order: { [`${CA}.nope`]: 'asc' } }), message: invalidQuery(`"order" names ${CA}.nope, which the query does not select`) },
  { name: 'order on a member not selected', kind: 'query', args: q({ ...BASIC, order: [[`${CA}.country`, 'desc']] }), message: invalidQuery(`"order" names ${CA}.country, which the query does not select; order by one of its measures, dimensions or time dimensions with a granularity (${CA}.first_visit_users)`) },
  { name: 'order on a time dimension without granularity', kind: 'query', args: q({ ...BASIC, timeDimensions: [{ dimension: `${CA}.cohort_date`, dateRange: ['2025-01-01', '2025-01-31'] }], order: { [`${CA}.cohort_date`]: 'asc' } }), message: invalidQuery(`"order" names ${CA}.cohort_date, which the query does not select`) },
  { name: 'order direction "up"', kind: 'query', args: q({ ...BASIC, order: { [`${CA}.first_visit_users`]: 'up' } }), message: invalidQuery(`"order.${CA}.first_visit_users" must be one of [asc, desc]`) },
  { name: 'order key that is not a member', kind: 'query', args: q({ ...BASIC, order: { first_visit_users: 'asc' } }), message: invalidQuery('"order.first_visit_users" is not allowed') },
  { name: 'order pair without direction', kind: 'query', args: q({ ...BASIC, order: [[`${CA}.first_visit_users`]] }), message: invalidQuery('"order[0]" must contain at least 2 items') },
  { name: 'order as a string', kind: 'query', args: q({ ...BASIC, order: `${CA}.first_visit_users` }), message: invalidQuery('"order" must be an object') },
  { name: 'unknown query key', kind: 'query', args: q({ ...BASIC, sort: 'x' }), message: invalidQuery('"sort" is not allowed') },
  { name: 'measures not an array', kind: 'query', args: q({ measures: `${CA}.first_visit_users` }), message: invalidQuery('"measures" must be an array') },
  { name: 'ungrouped not a boolean', kind: 'query', args: q({ ...BASIC, ungrouped: 'yes' }), message: invalidQuery('"ungrouped" must be a boolean') },
  { name: 'empty query', kind: 'query', args: q({}), message: /^error: Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid/m },
  { name: 'query is an array', kind: 'query', args: q([BASIC]), message: invalidQuery('the query must be a JSON object') },
  { name: 'query is not JSON', kind: 'query', args: (f) => ['query', '{measures: [x]', '--model', f.modelDir], message: invalidQuery('not valid JSON') },
  { name: 'unknown measure', kind: 'query', args: q({ measures: [`${CA}.nope`] }), message: /^error: .*nope/m },
  { name: 'unknown query time zone', kind: 'query', args: q({ ...BASIC, timezone: 'Mars/Olympus_Mons' }), message: /^error: .*Mars\/Olympus_Mons/m },
];

/** DuckDB database paths that are not DuckDB files, each through build, query and demo where it matters. */
function duckdbPathCases(): BadInputCase[] {
  const variable = 'CUBEJS_DB_DUCKDB_DATABASE_PATH';
  const paths: { name: string; path: (f: Fixture) => string; message: RegExp; commands?: ('build' | 'query' | 'demo')[] }[] = [
    { name: 'a directory', path: (f) => f.caseDir, message: /is a directory, not a DuckDB file/ },
    { name: 'a text file', path: (f) => textFile(f), message: /is not a DuckDB database file/ },
    { name: 'under /dev/null', path: () => '/dev/null/activation.duckdb', message: /a parent of \/dev\/null\/activation\.duckdb is a file, not a directory/ },
    { name: '/dev/null itself', path: () => '/dev/null', message: /\/dev\/null is not a regular file/, commands: ['build', 'query'] },
    { name: 'under /proc (used to spin forever)', path: () => '/proc/activation/x.duckdb', message: /is under \/proc, a kernel interface/ },
    { name: 'under /proc/self', path: () => '/proc/self/activation.duckdb', message: /is under \/proc/, commands: ['build'] },
    { name: 'under /sys', path: () => '/sys/activation.duckdb', message: /is under \/sys/, commands: ['build'] },
  ];
  return paths.flatMap(({ name, path, message, commands = ['build', 'query', 'demo'] }) =>
    commands.map(
      (command): BadInputCase => ({
        name: `${variable} is ${name} (${command})`,
        kind: 'environment',
        engines: ['duckdb'],
        env: (f) => ({ [variable]: path(f) }),
        args: (f) =>
          command === 'query'
            ? q(BASIC)(f)
            : command === 'demo'
              ? ['--spec', join(f.dir, 'metrics.yaml'), 'demo', '--users', '100', '--days', '3', '--model', f.modelDir]
              : ['--spec', join(f.dir, 'metrics.yaml'), 'build'],
        message: new RegExp(`^error: ${variable}=.*${message.source}`, 'm'),
      }),
    ),
  );
}

function textFile(f: Fixture): string {
  const file = join(f.caseDir, 'notes.duckdb');
  writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
  return file;
}

/** A loopback port nothing listens on (found once, in beforeAll). */
let closedPort = 1;

/** file:line:column of the ⁁ marker, and the text without it. */
function locate(text: string): { text: string; line?: number; column?: number } {
  const at = text.indexOf(MARK);
  if (at < 0) return { text };
  const before = text.slice(0, at);
  const lines = before.split('\n');
  return { text: text.replace(MARK, ''), line: lines.length, column: lines[lines.length - 1].length + 1 };
}

// ---------------------------------------------------------------------------------------------

describe.each(ENGINES)('bad-input corpus on %s', (engine) => {
  const fixture = {} as Fixture;

  beforeAll(async () => {
    closedPort = await freePort();
    const db = await createTestDatabase(engine);
    const dir = mkdtempSync(join(tmpdir(), `activation-corpus-${engine}-`));
    Object.assign(fixture, { engine, db, dir, modelDir: join(dir, 'model'), caseDir: dir, sql: <T>(work: (sql: Sql) => Promise<T>) => withSql(db, work) });
    writeFileSync(join(dir, 'metrics.yaml'), BASE_SPEC);
    await withSql(db, async (sql) => {
      for (const statement of FIXTURE_SQL) await sql.run(statement);
    });
    const build = runCli(['build'], db.env, dir);
    expect({ code: build.code, stderr: build.stderr }).toMatchObject({ code: 0 });
    const generate = runCli(['generate', '--model', fixture.modelDir], db.env, dir);
    expect({ code: generate.code, stderr: generate.stderr }).toMatchObject({ code: 0 });
    // The fixture is complete: the mart, its state, the sources, model/.
    const tables = Object.keys(await tableChecksums(db));
    expect(tables).toEqual(expect.arrayContaining([expect.stringMatching(/\.fact__first_activation_events$/), expect.stringMatching(/\.fact__first_activation_events__build_state$/), expect.stringMatching(/\.fact__events$/), expect.stringMatching(/\.dim__users$/)]));
    expect(Object.keys(directoryChecksums(fixture.modelDir)).length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await fixture.db?.drop();
    if (fixture.dir) rmSync(fixture.dir, { recursive: true, force: true });
  });

  // Spec cases are refused before any warehouse is opened: they run on the embedded engine and PostgreSQL; on Trino they would add minutes and nothing else.
  const cases = CASES.filter((c) => (c.engines ?? ENGINES).includes(engine) && (engine !== 'trino' || c.engines !== undefined || c.kind !== 'spec'));

  it('has at least 80 cases across spec, data, environment and query', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CASES.map((c) => c.kind))).toEqual(new Set(['spec', 'data', 'environment', 'query']));
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(cases.map((c) => [`${c.kind}: ${c.name}`, c] as const))('%s', async (_, c) => {
    const f: Fixture = { ...fixture, caseDir: mkdtempSync(join(fixture.dir, 'case-')) };
    let located: ReturnType<typeof locate> | undefined;
    let specFile: string | undefined;
    if (c.spec !== undefined) {
      located = locate(c.spec);
      specFile = join(f.caseDir, 'bad.yaml');
      writeFileSync(specFile, located.text);
    }
    await c.setup?.(f);
    try {
      const before = { tables: await tableChecksums(f.db), model: directoryChecksums(f.modelDir) };
      const args = typeof c.args === 'function' ? c.args(f) : (c.args ?? ['build']);
      const result = c.run ? c.run(f) : runCli(specFile ? ['--spec', specFile, ...args] : args, { ...f.db.env, ...c.env?.(f) }, f.dir);

      expect(result.timedOut, 'the command hung').toBe(false);
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 1 });
      expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/); // no stack trace
      expect(result.stderr).not.toMatch(/unexpected error/);
      expect(result.stderr).toMatch(typeof c.message === 'function' ? c.message(f) : c.message);
      if (located?.line !== undefined) expect(result.stderr).toContain(`bad.yaml:${located.line}:${located.column}: `);

      const after = { tables: await tableChecksums(f.db), model: directoryChecksums(f.modelDir) };
      expect(after).toEqual(before);
    } finally {
      await c.teardown?.(f);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The demo where it may write: a database file it creates, its own tables, or --replace-sources.

describe.each(ENGINES)('activation demo on %s writes only tables it made', (engine) => {
  let db: TestDatabase;
  let dir: string;
  const demo = (...extra: string[]) => runCli(['--spec', join(dir, 'metrics.yaml'), 'demo', '--users', '200', '--days', '5', '--model', join(dir, 'model'), ...extra], db.env, dir);
  const comments = () =>
    withSql(db, (sql) =>
      sql.rows(HARNESSES[engine].listTablesSql).then((rows) => rows.filter((r) => r.t === 'dim__users' || r.t === 'fact__events').map((r) => ({ t: r.t, c: r.c }))),
    );

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dir = mkdtempSync(join(tmpdir(), `activation-demo-${engine}-`));
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'metrics.yaml'), BASE_SPEC);
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates and marks its tables in an empty database, then replaces its own tables again', async () => {
    const first = demo();
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    expect(await comments()).toEqual([
      { t: 'dim__users', c: 'activation-metrics demo data' },
      { t: 'fact__events', c: 'activation-metrics demo data' },
    ]);
    const again = demo('--seed', '8');
    expect(again.code).toBe(0);
  });

  it('refuses tables it did not make, and replaces them only with --replace-sources', async () => {
    await withSql(db, async (sql) => {
      await sql.run('DROP TABLE dim__users');
      await sql.run(`CREATE TABLE dim__users (user_id VARCHAR, first_date DATE, first_datetime TIMESTAMP, ${ATTRIBUTES})`);
      await sql.run(`INSERT INTO dim__users VALUES ${USERS_VALUES}`);
    });
    const before = await tableChecksums(db);
    const refused = demo();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the demo will not drop and replace dim__users in .*--replace-sources/);
    expect(await tableChecksums(db)).toEqual(before);

    const replaced = demo('--replace-sources');
    expect(replaced.code).toBe(0);
    const [{ n }] = await withSql(db, (sql) => sql.rows('SELECT COUNT(*) AS n FROM dim__users'));
    expect(Number(n)).toBeGreaterThan(100);
    expect(await comments()).toContainEqual({ t: 'dim__users', c: 'activation-metrics demo data' });
  });
});
