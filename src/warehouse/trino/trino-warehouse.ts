/**
 * Trino over Iceberg as the builder's warehouse, through Trino's REST protocol (trino-client.ts).
 * - No multi-statement transactions: each statement commits on its own; transaction() refuses.
 * - Bound values: EXECUTE IMMEDIATE '<sql>' USING <literals rendered by type> (trinoLiteral); the
 *   dialect's `$n` placeholders become positional `?`, a value repeated where its placeholder is.
 * - Build lock: a row per key in `<schema>._am_build_locks` (an Iceberg table of ours), taken by one
 *   MERGE (of racing MERGEs, Iceberg's serializable commit check fails all but one), renewed while
 *   held, deleted on release; a killed build's row expires after LOCK_TTL_SECONDS and is taken over.
 * - Atomic publish: CREATE OR REPLACE TABLE target COMMENT … AS SELECT * FROM staged (one commit:
 *   readers see the old snapshot or the new one), then DROP staged.
 * - A crash leaves scratch tables (the next build drops them under the lock), maybe a staged table,
 *   and a lock row that keeps other builds out until it expires.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError } from '../../user-error.ts';
import { settleAll } from '../settle-all.ts';
import { BuildLockedError, type BuildLock, type BulkCell, type BulkColumn, type BulkWriter, type ColumnInfo, type Row, type Statement, type TableInfo, type TypeCategory, type Warehouse } from '../warehouse.ts';
import { TrinoClient, TrinoHttpError, TrinoQueryError, type TrinoColumn, type TrinoResult } from './trino-client.ts';
import type { TrinoConfig } from './trino-config.ts';
import { trinoDialect } from './trino-dialect.ts';

export { trinoConfigFromEnv, type TrinoConfig } from './trino-config.ts';


/** A lock row lives this long unless renewed; a killed build blocks others at most this long. */
export const LOCK_TTL_SECONDS = 120;
/** Renewed this often while held: three chances before it would expire. */
const LOCK_RENEW_MS = 40_000;
/** The lock table, in the schema of the table the lock is for. */
export const LOCK_TABLE = '_am_build_locks';
const LOCK_TABLE_COMMENT = 'activation-metrics build lock: one row per running build, written by activation build; do not write to it';
/** Snapshots older than an hour the lock table may collect before a release compacts it and expires them. */
const LOCK_TABLE_SNAPSHOTS = 100;
/** Trino refuses statements longer than query.max-length (1,000,000 characters by default). */
const MAX_STATEMENT_CHARS = 900_000;

interface TableName {
  catalog: string;
  schema: string;
  table: string;
}

export class TrinoWarehouse implements Warehouse {
  readonly dialect = trinoDialect;
  readonly description: string;
  private readonly client: TrinoClient;
  /** Locks this warehouse holds: released by close() too. */
  private readonly heldLocks = new Set<BuildLock>();

  private constructor(readonly config: TrinoConfig) {
    this.client = new TrinoClient({ ...config, source: 'activation-metrics' });
    this.description = `trino ${config.user}@${config.host}:${config.port}/${config.catalog}.${config.schema}`;
  }

  /** Connects and checks that the catalog and the schema exist; a connection failure is a UserError naming the variable to fix. */
  static async open(config: TrinoConfig): Promise<TrinoWarehouse> {
    const warehouse = new TrinoWarehouse(config);
    try {
      const [{ n }] = await warehouse.query(`SELECT COUNT(*) AS n FROM ${trinoDialect.quoteIdentifier(config.catalog)}.information_schema.schemata WHERE schema_name = ?`, [config.schema.toLowerCase()]);
      if (n === 0) throw new TrinoQueryError(`Schema '${config.catalog}.${config.schema}' does not exist`, 'SCHEMA_NOT_FOUND', 0, 'USER_ERROR', '');
    } catch (error) {
      throw explainTrinoError(error, config) ?? error;
    }
    return warehouse;
  }

  /** Session properties sent with every statement from now on (X-Trino-Session). */
  setSessionProperty(name: string, value: string | undefined): void {
    if (value === undefined) this.client.session.delete(name);
    else this.client.session.set(name, value);
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return toRows(await this.execute(sql, params));
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.execute(sql, params)).updateCount ?? 0;
  }

  /**
   * One statement; with values, EXECUTE IMMEDIATE binds them to its `?` placeholders (one request,
   * no header size limit, unlike PREPARE or X-Trino-Prepared-Statement). The dialect's `$n`
   * placeholders become `?`, each value repeated where its placeholder is (the builder's SQL uses
   * one placeholder more than once, as PostgreSQL and DuckDB allow).
   */
  private execute(sql: string, params: unknown[], session?: Record<string, string>): Promise<TrinoResult> {
    let statement = sql;
    if (params.length > 0) {
      const bound = positionalParameters(sql, params);
      statement = `EXECUTE IMMEDIATE ${trinoDialect.quoteLiteral(bound.sql)} USING ${bound.values.map(trinoLiteral).join(', ')}`;
    }
    return this.client.execute(statement, session ? { session } : {});
  }

  async transaction<T>(_work: () => Promise<T>): Promise<T> {
    throw new Error(
      `${this.description}: Trino (Iceberg) has no multi-statement transactions; every statement commits on its own (dialect.capabilities.transactions is false, so callers publish with replaceTable and MERGE instead)`,
    );
  }

  // ---- the build lock --------------------------------------------------------------------------

  /**
   * One row per key in `<schema>._am_build_locks`, taken by one MERGE: inserted when absent,
   * taken over when expired. Of two MERGEs racing for one key, Iceberg's serializable commit check
   * fails the second (ICEBERG_COMMIT_ERROR): it counts as held. The row is renewed while held
   * (an unref'd timer) and deleted on release(); a killed build's row expires after LOCK_TTL_SECONDS.
   */
  async acquireBuildLock(key: string): Promise<BuildLock> {
    const target = this.resolve(key);
    const lockKey = `${target.catalog}.${target.schema}.${target.table}`;
    const lockTable = `${target.catalog}.${target.schema}.${LOCK_TABLE}`;
    const table = this.q(lockTable);
    const token = randomBytes(12).toString('hex');
    const holder = `${hostname()} pid ${process.pid}`;
    const now = `CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP(6))`;
    const expiry = `INTERVAL '${LOCK_TTL_SECONDS}' SECOND`;
    const merge = `MERGE INTO ${table} AS l
USING (SELECT ? AS lock_key, ? AS token, ? AS holder, ${now} AS now) AS s
ON l.lock_key = s.lock_key
WHEN MATCHED AND l.expires_at < s.now THEN UPDATE SET token = s.token, holder = s.holder, acquired_at = s.now, expires_at = s.now + ${expiry}
WHEN NOT MATCHED THEN INSERT (lock_key, token, holder, acquired_at, expires_at) VALUES (s.lock_key, s.token, s.holder, s.now, s.now + ${expiry})`;

    for (let attempt = 0; ; attempt++) {
      let taken: boolean;
      try {
        taken = (await this.run(merge, [lockKey, token, holder])) === 1;
      } catch (error) {
        if (isMissingTable(error) && attempt < 5) {
          await this.createLockTable(lockTable);
          continue;
        }
        if (!isCommitConflict(error)) throw error;
        taken = false; // another MERGE committed first (or our commit's outcome is unknown: the read below says)
      }
      if (taken) return this.holdLock(lockTable, lockKey, token);
      const rows = await this.query(`SELECT token, holder, acquired_at, expires_at, expires_at > ${now} AS live FROM ${table} WHERE lock_key = ?`, [lockKey]);
      const mine = rows.find((r) => r.token === token);
      if (mine) return this.holdLock(lockTable, lockKey, token);
      const other = rows.find((r) => r.live === true);
      if (other && attempt < 8 && holderIsGone(String(other.holder))) {
        // A build on this machine that was killed: its process is gone, so its lock is free now rather than at expiry.
        await this.run(`DELETE FROM ${table} WHERE lock_key = ? AND token = ?`, [lockKey, other.token]).catch(() => undefined);
        continue;
      }
      if (other) {
        throw new BuildLockedError(
          `the build lock on ${key} (a row in ${target.schema}.${LOCK_TABLE}) is held by ${other.holder} since ${other.acquired_at} UTC; it expires at ${other.expires_at} UTC unless that build renews it ` +
            `(a killed build's lock is taken over then; to free it at once: DELETE FROM ${lockTable} WHERE lock_key = ${trinoDialect.quoteLiteral(lockKey)})`,
        );
      }
      // Nobody holds it: our MERGE lost a commit race to a MERGE on another key, or one that failed too. Try again.
      if (attempt >= 8) throw new BuildLockedError(`the build lock on ${key} could not be taken: ${attempt + 1} attempts met concurrent commits on ${target.schema}.${LOCK_TABLE}`);
      await sleep(100 + Math.random() * 400);
    }
  }

  private async createLockTable(lockTable: string): Promise<void> {
    try {
      await this.run(
        `CREATE TABLE IF NOT EXISTS ${this.q(lockTable)} (lock_key VARCHAR, token VARCHAR, holder VARCHAR, acquired_at TIMESTAMP(6), expires_at TIMESTAMP(6))
COMMENT ${trinoDialect.quoteLiteral(LOCK_TABLE_COMMENT)} WITH (partitioning = ARRAY['lock_key'])`,
      );
    } catch (error) {
      // Two builds creating it at once (Trino answers the loser ICEBERG_COMMIT_ERROR or "already exists"): the other one's is as good.
      if ((await this.columns(lockTable)) === undefined) throw error;
    }
  }

  private holdLock(lockTable: string, lockKey: string, token: string): BuildLock {
    const table = this.q(lockTable);
    let held = true;
    const conflictRetries = async <T>(work: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await work();
        } catch (error) {
          if (!isCommitConflict(error) || attempt >= 4) throw error;
          await sleep(100 + Math.random() * 400);
        }
      }
    };
    const renew = async () => {
      const changed = await conflictRetries(() =>
        this.run(`UPDATE ${table} SET expires_at = CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP(6)) + INTERVAL '${LOCK_TTL_SECONDS}' SECOND WHERE lock_key = ? AND token = ?`, [lockKey, token]),
      );
      // Gone: it expired (the process was suspended past the TTL) and another build took it over.
      if (changed === 0) stop();
    };
    const timer = setInterval(() => void renew().catch(() => undefined), LOCK_RENEW_MS);
    timer.unref();
    const stop = () => {
      held = false;
      clearInterval(timer);
    };
    const lock: BuildLock = {
      release: async () => {
        this.heldLocks.delete(lock);
        if (!held) return;
        stop();
        // If this fails, the row expires by itself.
        await conflictRetries(() => this.run(`DELETE FROM ${table} WHERE lock_key = ? AND token = ?`, [lockKey, token])).catch(() => undefined);
        await this.maintainLockTable(lockTable).catch(() => undefined);
      },
    };
    this.heldLocks.add(lock);
    return lock;
  }

  /**
   * Every acquire, renewal and release commits an Iceberg snapshot, and Iceberg keeps them all (and
   * rewrites their list in the table's metadata file on each commit) until they are expired. With
   * more than LOCK_TABLE_SNAPSHOTS older than an hour, the lock table is compacted and those expired.
   * A build racing with it loses nothing: its MERGE or UPDATE meets a commit conflict and retries.
   */
  private async maintainLockTable(lockTable: string): Promise<void> {
    const table = this.q(lockTable);
    const [{ n }] = await this.query(`SELECT COUNT(*) AS n FROM ${this.q(`${lockTable}$snapshots`)} WHERE committed_at < current_timestamp - INTERVAL '1' HOUR`);
    if (Number(n) <= LOCK_TABLE_SNAPSHOTS) return;
    await this.execute(`ALTER TABLE ${table} EXECUTE optimize`, []);
    await this.execute(`ALTER TABLE ${table} EXECUTE expire_snapshots(retention_threshold => '1h')`, [], { 'iceberg.expire_snapshots_min_retention': '1h' });
  }

  // ---- publishing and introspection -------------------------------------------------------------

  /**
   * CREATE OR REPLACE TABLE … AS is one Iceberg commit: a reader sees the old table or the new one,
   * never none, and the statement carries the ownership mark (a replace would otherwise drop the
   * table comment). The copy costs one write of the data; `staged` is dropped after (a crash in
   * between leaves it to the scratch clean-up).
   */
  async replaceTable(target: string, staged: string, comment: string): Promise<void> {
    await this.replaceTableWith(target, { sql: `SELECT * FROM ${this.q(staged)}`, params: [] }, comment);
    await this.run(`DROP TABLE ${this.q(staged)}`);
  }

  /** One statement, no staging: Iceberg's CREATE OR REPLACE swaps the snapshot. */
  async replaceTableWith(target: string, select: Statement, comment: string): Promise<void> {
    await this.run(`CREATE OR REPLACE TABLE ${this.q(target)} COMMENT ${trinoDialect.quoteLiteral(comment)} AS ${select.sql}`, select.params);
  }

  /**
   * Nothing to tune: turning off Iceberg's extended statistics on write
   * (iceberg.collect_extended_statistics_on_write) or manifest merging, or scheduling all stages at
   * once, made no difference beyond noise to a build here (scratch/trino-build-latency.mts).
   */
  /** Trino's Iceberg connector gathers column statistics as a table is written. */
  async refreshStatistics(): Promise<void> {}

  /**
   * Always: Iceberg skips data files (manifest min/max) and Parquet row groups (footer min/max) by
   * a filter on datetime, and partitions too where the log is partitioned by it. COUNT(*) without
   * a filter is answered from file metadata (no column read).
   */
  async prunesByTime(): Promise<boolean> {
    return true;
  }

  async tuneForBulkWrites(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  /** One statement per table (Trino's DROP TABLE takes one), all at once: each drop is a catalog commit of its own (25–45 ms here), and they are independent. */
  async dropTables(tables: readonly string[]): Promise<void> {
    await settleAll(tables.map((table) => this.run(`DROP TABLE IF EXISTS ${this.q(table)}`)));
  }

  async tableComment(table: string): Promise<string | null> {
    const n = this.resolve(table);
    const rows = await this.query(`SELECT comment FROM system.metadata.table_comments WHERE catalog_name = ? AND schema_name = ? AND table_name = ?`, [n.catalog, n.schema, n.table]);
    return rows.length === 0 || rows[0].comment === null ? null : String(rows[0].comment);
  }

  async setTableComment(table: string, comment: string): Promise<void> {
    await this.run(`COMMENT ON TABLE ${this.q(table)} IS ${trinoDialect.quoteLiteral(comment)}`);
  }

  async tablesWithPrefix(table: string, prefix: string): Promise<string[]> {
    const n = this.resolve(table);
    // starts_with, not LIKE: `_` in the prefix is a LIKE wildcard.
    const rows = await this.query(
      `SELECT table_name FROM ${this.q(n.catalog)}.information_schema.tables WHERE table_schema = ? AND starts_with(table_name, ?) ORDER BY table_name`,
      [n.schema, prefix.toLowerCase()],
    );
    const qualifier = table.split('.').slice(0, -1).join('.');
    return rows.map((r) => (qualifier ? `${qualifier}.${r.table_name}` : String(r.table_name)));
  }

  async columns(table: string): Promise<ColumnInfo[] | undefined> {
    const n = this.resolve(table);
    const rows = await this.query(
      `SELECT column_name, data_type FROM ${this.q(n.catalog)}.information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
      [n.schema, n.table],
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: String(r.column_name), dataType: String(r.data_type), category: categorize(String(r.data_type)) }));
  }

  /**
   * Two catalog queries per catalog named, whatever the number of tables (each costs tens of
   * milliseconds of coordination): the columns, then the comments. The filters are IN lists,
   * which Trino pushes into the metadata listing; pairs that only cross-match are dropped here.
   */
  async describeTables(tables: readonly string[]): Promise<Map<string, TableInfo>> {
    const described = new Map<string, TableInfo>();
    const byCatalog = new Map<string, { table: string; name: TableName }[]>();
    for (const table of new Set(tables)) {
      const name = this.resolve(table);
      byCatalog.set(name.catalog, [...(byCatalog.get(name.catalog) ?? []), { table, name }]);
    }
    for (const [catalog, wanted] of byCatalog) {
      const schemas = [...new Set(wanted.map((w) => w.name.schema))];
      const names = [...new Set(wanted.map((w) => w.name.table))];
      const inList = (values: string[]) => values.map(() => '?').join(', ');
      const columns = await this.query(
        `SELECT table_schema, table_name, column_name, data_type FROM ${this.q(catalog)}.information_schema.columns
         WHERE table_schema IN (${inList(schemas)}) AND table_name IN (${inList(names)}) ORDER BY table_schema, table_name, ordinal_position`,
        [...schemas, ...names],
      );
      const comments = await this.query(
        `SELECT schema_name, table_name, comment FROM system.metadata.table_comments WHERE catalog_name = ? AND schema_name IN (${inList(schemas)}) AND table_name IN (${inList(names)})`,
        [catalog, ...schemas, ...names],
      );
      for (const { table, name } of wanted) {
        const own = columns.filter((r) => r.table_schema === name.schema && r.table_name === name.table);
        if (own.length === 0) continue;
        const comment = comments.find((r) => r.schema_name === name.schema && r.table_name === name.table)?.comment;
        described.set(table, {
          columns: own.map((r) => ({ name: String(r.column_name), dataType: String(r.data_type), category: categorize(String(r.data_type)) })),
          comment: comment === null || comment === undefined ? null : String(comment),
        });
      }
    }
    return described;
  }

  /**
   * Fast bulk inserts for the demo generator: batches of up to ~0.9 MB of SQL (Trino's statement
   * limit is 1,000,000 characters), each one INSERT … SELECT from a single JSON string literal of
   * column arrays (one token for the parser, where VALUES rows cost it ~1,000 rows/s), two in flight.
   */
  async createBulkWriter(table: string, columns: readonly BulkColumn[]): Promise<BulkWriter> {
    return new JsonBulkWriter(this, table, columns);
  }

  /** Releases the locks still held (their rows would otherwise expire by themselves) and cancels statements under way. */
  async close(): Promise<void> {
    await Promise.all([...this.heldLocks].map((lock) => lock.release()));
    this.client.close();
  }

  /** `table`, `schema.table` or `catalog.schema.table`, lowercased as Trino stores names. */
  private resolve(name: string): TableName {
    const parts = name.split('.').map((p) => p.toLowerCase());
    const table = parts[parts.length - 1];
    const schema = parts.length >= 2 ? parts[parts.length - 2] : this.config.schema.toLowerCase();
    const catalog = parts.length >= 3 ? parts[parts.length - 3] : this.config.catalog.toLowerCase();
    return { catalog, schema, table };
  }

  private q(name: string): string {
    return trinoDialect.quoteIdentifier(name);
  }
}

// ---- bound values ------------------------------------------------------------------------------

/**
 * `$n` placeholders (the dialect's) as positional `?`, with the values in their order, repeated
 * where a placeholder is; plain `?` placeholders take the values in order. Quoted text, quoted
 * identifiers and comments are skipped.
 */
export function positionalParameters(sql: string, params: readonly unknown[]): { sql: string; values: unknown[] } {
  let out = '';
  const values: unknown[] = [];
  let numbered = false;
  let positional = 0;
  for (let i = 0; i < sql.length; ) {
    const ch = sql[i];
    let end = i + 1;
    if (ch === "'" || ch === '"') {
      // Up to the closing quote; a doubled quote is an escaped one.
      for (end = i + 1; end < sql.length; end++) {
        if (sql[end] !== ch) continue;
        if (sql[end + 1] === ch) end++;
        else break;
      }
      end++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      end = sql.indexOf('\n', i);
      if (end === -1) end = sql.length;
    } else if (ch === '/' && sql[i + 1] === '*') {
      end = sql.indexOf('*/', i + 2);
      end = end === -1 ? sql.length : end + 2;
    } else if (ch === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      const digits = /^[0-9]+/.exec(sql.slice(i + 1))![0];
      const n = Number(digits);
      if (n < 1 || n > params.length) throw new RangeError(`placeholder $${n} but ${params.length} value(s) bound`);
      out += '?';
      values.push(params[n - 1]);
      numbered = true;
      i += 1 + digits.length;
      continue;
    } else if (ch === '?') {
      if (positional >= params.length) throw new RangeError(`more ? placeholders than the ${params.length} value(s) bound`);
      values.push(params[positional++]);
    }
    out += sql.slice(i, end);
    i = end;
  }
  if (numbered && positional > 0) throw new Error('a statement mixes $n and ? placeholders');
  return { sql: out, values };
}

/**
 * A value as a Trino literal, for EXECUTE IMMEDIATE … USING: strings quoted ('' doubled; NUL and
 * every other character pass through a VARCHAR literal unchanged), safe integers as BIGINT, other
 * numbers as DOUBLE, bigints as BIGINT, booleans, NULL, arrays as ARRAY[…], bytes as X'…', Dates
 * as a UTC TIMESTAMP(3).
 */
export function trinoLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'string':
      return `VARCHAR ${trinoDialect.quoteLiteral(value)}`;
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'bigint':
      if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new RangeError(`${value} does not fit a Trino BIGINT`);
      return `BIGINT '${value}'`;
    case 'number':
      if (Number.isSafeInteger(value)) return `BIGINT '${value}'`;
      if (Number.isNaN(value)) return 'nan()';
      if (!Number.isFinite(value)) return value > 0 ? 'infinity()' : '-infinity()';
      return `DOUBLE '${value}'`;
  }
  if (Array.isArray(value)) return `ARRAY[${value.map(trinoLiteral).join(', ')}]`;
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
  if (value instanceof Date) return `TIMESTAMP '${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  throw new TypeError(`cannot bind a ${Object.prototype.toString.call(value)} as a Trino value`);
}

// ---- rows --------------------------------------------------------------------------------------

type Convert = (value: unknown) => string | number | boolean | null;

/** Rows shaped as the other engines return them (see Row): numbers for integer and floating types, text for dates and timestamps. */
function toRows(result: TrinoResult): Row[] {
  const converters = result.columns.map(converterFor);
  const names = result.columns.map((c) => c.name);
  return result.rows.map((values) => {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) row[names[i]] = values[i] === null ? null : converters[i](values[i]);
    return row;
  });
}

function converterFor(column: TrinoColumn): Convert {
  const type = column.type.toLowerCase();
  const base = type.replace(/\(.*$/, '');
  if (base === 'bigint' || base === 'integer' || base === 'smallint' || base === 'tinyint') return (v) => (typeof v === 'number' ? v : Number(v));
  // NaN and ±Infinity arrive as strings, as DuckDB's JSON rows have them.
  if (base === 'double' || base === 'real') return (v) => v as number | string;
  if (type.startsWith('timestamp') && type.endsWith('with time zone')) return (v) => timestampTzText(String(v));
  if (base === 'timestamp') return (v) => trimFraction(String(v));
  if (base === 'boolean') return (v) => v as boolean;
  // ARRAY, MAP, ROW: Trino's JSON as it is (no other engine's rows have them either).
  if (base === 'array' || base === 'map' || base === 'row') return (v) => v as never;
  // DECIMAL stays text ('12.50'), as pg and DuckDB return NUMERIC and DECIMAL; varchar, char, date, time, json, uuid: Trino's text.
  return (v) => (typeof v === 'string' ? v : JSON.stringify(v));
}

/** '2024-01-01 00:00:00.500000' → '2024-01-01 00:00:00.5'; no fraction when it is zero (PostgreSQL's and DuckDB's text). */
function trimFraction(text: string): string {
  return text.replace(/\.(\d*?)0+$/, (_, digits: string) => (digits ? `.${digits}` : ''));
}

/**
 * Trino writes a TIMESTAMP WITH TIME ZONE in its own zone ('… UTC', '… +05:30', '… America/New_York');
 * PostgreSQL (session zone UTC) and DuckDB write the instant in UTC with '+00'.
 */
function timestampTzText(text: string): string {
  const match = /^(-?\d+-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? (.+)$/.exec(text);
  if (!match) return text;
  const [, date, time, fraction = '', zone] = match;
  const wall = Date.parse(`${date}T${time}Z`);
  if (Number.isNaN(wall)) return text;
  const offsetMs = zoneOffsetMs(zone, wall);
  if (offsetMs === undefined) return text;
  const utc = new Date(wall - offsetMs).toISOString();
  return `${trimFraction(`${utc.slice(0, 10)} ${utc.slice(11, 19)}${fraction ? `.${fraction}` : ''}`)}+00`;
}

/** The zone's offset from UTC at the wall time `wallMs` (read as if UTC): fixed offsets exactly, named zones through Intl. */
function zoneOffsetMs(zone: string, wallMs: number): number | undefined {
  if (zone === 'UTC' || zone === 'Z') return 0;
  const fixed = /^([+-])(\d\d):(\d\d)$/.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  try {
    const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const offsetAt = (instant: number) => {
      const p = Object.fromEntries(format.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
      return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(instant / 1000) * 1000;
    };
    // Wall time → instant: the offset at the first guess, then at the instant it gives.
    const first = offsetAt(wallMs);
    return offsetAt(wallMs - first);
  } catch {
    return undefined;
  }
}

function categorize(type: string): TypeCategory {
  const t = type.toLowerCase();
  if (/^timestamp(\(\d+\))? with time zone$/.test(t)) return 'timestamptz';
  if (/^timestamp(\(\d+\))?$/.test(t)) return 'timestamp';
  if (t === 'date') return 'date';
  if (/^(varchar|char)(\(\d+\))?$/.test(t)) return 'string';
  if (t === 'bigint' || t === 'integer' || t === 'smallint' || t === 'tinyint') return 'integer';
  return 'other';
}

// ---- the bulk writer ---------------------------------------------------------------------------

/** Batches in flight at once: a second one overlaps the other's commit with its own planning. */
const BULK_PARALLEL = 2;

/**
 * One column of a batch, as it travels: numbers relative to the batch's smallest (timestamps in
 * whole seconds when they all are), strings through a dictionary when values repeat. A finished
 * query's text stays in the coordinator's query history (query.min-expire-age, 15 minutes by
 * default) at about 6.5 times its size: fewer characters per row is what keeps a load of millions
 * of rows from filling a small coordinator's heap.
 */
interface EncodedColumn {
  /** JSON arrays, in order, inside the batch's JSON array; none when every cell is the same number (the select is a constant). */
  arrays: unknown[][];
  /** Their types in the ROW the JSON is cast to. */
  types: string[];
  /** The column's SQL, given the UNNESTed cell `c` and the batch row `j.r` (fields f<n>). */
  select: (cell: string, field: (k: number) => string) => string;
}

function encodeColumn(kind: BulkColumn[1], cells: BulkCell[]): EncodedColumn {
  if (kind === 'string') {
    const ids = new Map<string, number>();
    let raw = 0;
    for (const cell of cells) {
      if (cell === null) continue;
      raw += (cell as string).length;
      if (!ids.has(cell as string)) ids.set(cell as string, ids.size + 1);
    }
    let dictionary = 0;
    for (const value of ids.keys()) dictionary += value.length;
    if (dictionary + cells.length * String(ids.size).length < raw) {
      return {
        arrays: [cells.map((c) => (c === null ? null : ids.get(c as string)!)), [...ids.keys()]],
        types: ['ARRAY(INTEGER)', 'ARRAY(VARCHAR)'],
        select: (cell, field) => `element_at(${field(1)}, ${cell})`,
      };
    }
    return { arrays: [cells], types: ['ARRAY(VARCHAR)'], select: (cell) => cell };
  }
  const numbers = cells as (number | null)[];
  let base = Infinity;
  let top = -Infinity;
  for (const n of numbers) {
    if (n === null) continue;
    if (n < base) base = n;
    if (n > top) top = n;
  }
  if (base === Infinity) base = 0;
  const constant = top === base && !numbers.includes(null);
  if (kind === 'date') {
    if (constant) return { arrays: [], types: [], select: () => `DATE '${new Date(base * 86_400_000).toISOString().slice(0, 10)}'` };
    return { arrays: [numbers.map((n) => (n === null ? null : n - base))], types: ['ARRAY(INTEGER)'], select: (cell) => `date_add('day', ${cell} + ${base}, DATE '1970-01-01')` };
  }
  // Timestamps arrive here as integer microseconds since the epoch.
  if (constant) return { arrays: [], types: [], select: () => `CAST(at_timezone(from_unixtime_nanos(${base} * 1000), 'UTC') AS TIMESTAMP(6))` };
  const wholeSeconds = numbers.every((n) => n === null || n % 1_000_000 === 0);
  const unit = wholeSeconds ? 1_000_000 : 1;
  return {
    arrays: [numbers.map((n) => (n === null ? null : (n - base) / unit))],
    types: ['ARRAY(BIGINT)'],
    select: (cell) => `CAST(at_timezone(from_unixtime_nanos((${cell} * ${unit} + ${base}) * 1000), 'UTC') AS TIMESTAMP(6))`,
  };
}

class JsonBulkWriter implements BulkWriter {
  private columns: BulkCell[][];
  /** An upper bound of the encoded batch's characters. */
  private chars = 0;
  private readonly queued: BulkCell[][][] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private finished = false;

  constructor(
    private readonly warehouse: TrinoWarehouse,
    private readonly table: string,
    private readonly kinds: readonly BulkColumn[],
  ) {
    this.columns = kinds.map(() => []);
  }

  append(row: BulkCell[]): void {
    if (this.finished) throw new Error('the bulk writer is finished');
    for (let i = 0; i < this.kinds.length; i++) {
      const cell = row[i];
      const kind = this.kinds[i][1];
      if (cell === null || cell === undefined) {
        this.columns[i].push(null);
        this.chars += 5;
      } else if (kind === 'string') {
        const text = String(cell);
        this.columns[i].push(text);
        // Escapes and doubled quotes can make it longer: the statement is measured before it is sent.
        this.chars += text.length + 3;
      } else {
        // Timestamps as integer microseconds (exact in a double until the year 2255).
        const n = kind === 'timestamp' ? Math.round(Number(cell) * 1e6) : Number(cell);
        if (!Number.isFinite(n) || (kind === 'date' && !Number.isInteger(n))) {
          throw new TypeError(`bulk writer: ${JSON.stringify(cell)} is not a ${kind === 'date' ? 'day number' : 'number of seconds'} (column ${this.kinds[i][0]})`);
        }
        this.columns[i].push(n);
        this.chars += kind === 'timestamp' ? 13 : 6;
      }
    }
    if (this.chars >= MAX_STATEMENT_CHARS * 0.8) this.cut();
  }

  async drain(): Promise<void> {
    while (this.queued.length > 0 || this.inFlight.size >= BULK_PARALLEL) {
      this.throwIfFailed();
      await Promise.race(this.inFlight);
    }
    this.throwIfFailed();
  }

  async finish(): Promise<void> {
    this.cut();
    this.finished = true;
    while (this.queued.length > 0 || this.inFlight.size > 0) {
      this.throwIfFailed();
      await Promise.race(this.inFlight);
    }
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Closes the batch being filled and starts writing it when a slot is free. */
  private cut(): void {
    if (this.columns[0].length === 0) return;
    this.queued.push(this.columns);
    this.columns = this.kinds.map(() => []);
    this.chars = 0;
    this.pump();
  }

  private pump(): void {
    while (this.failure === undefined && this.inFlight.size < BULK_PARALLEL && this.queued.length > 0) {
      const batch = this.queued.shift()!;
      const write: Promise<void> = this.write(batch)
        .catch((error) => {
          this.failure ??= error;
        })
        .finally(() => {
          this.inFlight.delete(write);
          this.pump();
        });
      this.inFlight.add(write);
    }
  }

  /** INSERT … SELECT from one JSON string literal: a single token for Trino's parser (VALUES rows cost it ~1,000 rows/s). */
  private statement(batch: BulkCell[][]): string {
    const q = trinoDialect.quoteIdentifier;
    const arrays: unknown[][] = [];
    const fields: string[] = [];
    const unnested: string[] = [];
    const selects: string[] = [];
    batch.forEach((cells, i) => {
      const encoded = encodeColumn(this.kinds[i][1], cells);
      const first = arrays.length;
      arrays.push(...encoded.arrays);
      encoded.types.forEach((type, k) => fields.push(`f${first + k} ${type}`));
      if (encoded.arrays.length > 0) unnested.push(`j.r.f${first}`);
      selects.push(encoded.select(`c${unnested.length - 1}`, (k) => `j.r.f${first + k}`));
    });
    if (unnested.length === 0) {
      // Every column constant: the row once per cell, from an array of its row numbers.
      arrays.push(batch[0].map((_, i) => i));
      fields.push(`f${arrays.length - 1} ARRAY(INTEGER)`);
      unnested.push(`j.r.f${arrays.length - 1}`);
    }
    return `INSERT INTO ${q(this.table)} (${this.kinds.map(([name]) => q(name)).join(', ')})
SELECT ${selects.join(', ')}
FROM (SELECT CAST(json_parse(${trinoDialect.quoteLiteral(JSON.stringify(arrays))}) AS ROW(${fields.join(', ')})) AS r) AS j
CROSS JOIN UNNEST(${unnested.join(', ')}) AS t(${unnested.map((_, i) => `c${i}`).join(', ')})`;
  }

  private async write(batch: BulkCell[][]): Promise<void> {
    const sql = this.statement(batch);
    const rows = batch[0].length;
    if (sql.length > MAX_STATEMENT_CHARS && rows > 1) {
      // Longer than estimated (many quotes or escapes): in two halves.
      const half = Math.ceil(rows / 2);
      await this.write(batch.map((c) => c.slice(0, half)));
      await this.write(batch.map((c) => c.slice(half)));
      return;
    }
    await this.warehouse.run(sql);
  }
}

// ---- errors and the environment ----------------------------------------------------------------

/** Iceberg's commit check failed: another statement committed to the table first. */
function isCommitConflict(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'ICEBERG_COMMIT_ERROR' || e?.code === 'TRANSACTION_CONFLICT' || /conflict|Failed to commit|CommitFailedException|concurrent/i.test(e?.message ?? '');
}

function isMissingTable(error: unknown): boolean {
  return (error as { code?: string })?.code === 'TABLE_NOT_FOUND';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Cube's own variables for its Trino driver: CUBEJS_DB_HOST (localhost), CUBEJS_DB_PORT (8080),
 * CUBEJS_DB_USER (activation), CUBEJS_DB_PASS, CUBEJS_DB_PRESTO_CATALOG (required),
 * CUBEJS_DB_SCHEMA (default), CUBEJS_DB_SSL (true/false).
 */

const TRINO_HINT = 'check CUBEJS_DB_HOST, CUBEJS_DB_PORT, CUBEJS_DB_SSL, CUBEJS_DB_USER and CUBEJS_DB_PASS';

/** A connection failure of Trino, as a UserError naming the variables to fix; undefined when `error` is something else. */
export function explainTrinoError(error: unknown, config: TrinoConfig): UserError | undefined {
  const at = `${config.ssl ? 'https' : 'http'}://${config.host}:${config.port}`;
  if (error instanceof TrinoQueryError) {
    switch (error.errorName) {
      case 'CATALOG_NOT_FOUND':
        return new UserError('trino-no-catalog', `Trino at ${at} has no catalog ${JSON.stringify(config.catalog)} (CUBEJS_DB_PRESTO_CATALOG=${config.catalog}); set CUBEJS_DB_PRESTO_CATALOG to one of SHOW CATALOGS`);
      case 'SCHEMA_NOT_FOUND':
        return new UserError(
          'trino-no-schema',
          `schema ${JSON.stringify(config.schema)} does not exist in the Trino catalog ${config.catalog} at ${at} (CUBEJS_DB_SCHEMA=${config.schema}); create it (CREATE SCHEMA ${config.catalog}.${config.schema}) or point CUBEJS_DB_SCHEMA at an existing one`,
        );
      case 'PERMISSION_DENIED':
        return new UserError('trino-auth', `Trino at ${at} refused user ${JSON.stringify(config.user)} (CUBEJS_DB_USER): ${error.message}`);
      case 'SERVER_STARTING_UP':
      case 'SERVER_SHUTTING_DOWN':
        return new UserError('trino-unreachable', `Trino at ${at} is starting up or shutting down (${error.message}); try again shortly`);
      default:
        return undefined;
    }
  }
  if (error instanceof TrinoHttpError) {
    if (error.status === 401 || error.status === 403) {
      return new UserError('trino-auth', `Trino at ${at} refused user ${JSON.stringify(config.user)} (CUBEJS_DB_USER, CUBEJS_DB_PASS; a password needs CUBEJS_DB_SSL=true): HTTP ${error.status} ${error.body.trim().slice(0, 200)}`);
    }
    if (/plain HTTP request was sent to HTTPS port/i.test(error.body)) {
      return new UserError('trino-unreachable', `${config.host}:${config.port} speaks HTTPS: set CUBEJS_DB_SSL=true`);
    }
    return new UserError('trino-unreachable', `${at} did not answer as a Trino coordinator (HTTP ${error.status}); ${TRINO_HINT}`);
  }
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code;
  if (e?.name === 'TypeError' && /fetch failed/.test(e.message ?? '')) {
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UserError('trino-unreachable', `Trino host ${JSON.stringify(config.host)} not found (CUBEJS_DB_HOST): ${code}`);
    if (/SSL|TLS|CERT/i.test(`${code} ${e.cause?.message}`)) {
      const reason = /routines:[^:]*:([^:]+)/.exec(e.cause?.message ?? '')?.[1] ?? e.cause?.message?.split('\n')[0] ?? code;
      return new UserError('trino-unreachable', `TLS to ${config.host}:${config.port} failed (CUBEJS_DB_SSL=${config.ssl ? 'true' : 'false'}): ${reason}; set CUBEJS_DB_SSL to match the server`);
    }
    return new UserError('trino-unreachable', `Trino is not reachable at ${at} (CUBEJS_DB_HOST=${config.host}, CUBEJS_DB_PORT=${config.port}): ${code ?? e.cause?.message ?? 'fetch failed'}. Is the coordinator running? Otherwise ${TRINO_HINT}`);
  }
  return undefined;
}

/** True when `holder` (`<host> pid <n>`, see acquireBuildLock) names a process on this machine that no longer runs. */
function holderIsGone(holder: string): boolean {
  const match = /^(.*) pid (\d+)$/.exec(holder);
  if (!match || match[1] !== hostname()) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
