/**
 * The one contract every warehouse implements. Engine differences live behind it, in
 * `src/warehouse/<engine>/`, so a new engine is one folder: a Dialect (SQL fragments and
 * capability flags), a Warehouse (connection, transactions, locking, introspection) and an
 * EngineDefinition (engine.ts) that creates them and Cube's driver, listed in registry.ts.
 */

/** A column's type, reduced to what the builder checks. */
export type TypeCategory = 'timestamp' | 'timestamptz' | 'date' | 'string' | 'integer' | 'other';

export interface ColumnInfo {
  name: string;
  /** The engine's own type name, for messages and for copying a type into new tables. */
  dataType: string;
  category: TypeCategory;
}

/** What the builder reads of a table's catalog entry: its columns and its comment (where it records ownership). */
export interface TableInfo {
  columns: ColumnInfo[];
  comment: string | null;
}

/** The catalog questions the builder asks about one table (a Warehouse answers them; so does a CatalogSnapshot). */
export interface TableCatalog {
  /** The table's columns, or undefined when it does not exist. */
  columns(table: string): Promise<ColumnInfo[] | undefined>;
  /** The table's comment; null when it has none. */
  tableComment(table: string): Promise<string | null>;
}

/** A row as every engine returns it: integers as numbers, DATE as 'YYYY-MM-DD', TIMESTAMP as 'YYYY-MM-DD HH:MM:SS[.ffffff]'. */
export type Row = Record<string, string | number | boolean | null>;

export interface Dialect {
  /** The engine's name in the registry, as CUBEJS_DB_TYPE spells it. */
  readonly name: string;
  /** Quotes an identifier, schema-qualified or not (`a.b` → `"a"."b"`). */
  quoteIdentifier(name: string): string;
  /** The text of the n-th (1-based) bound parameter. */
  parameter(n: number): string;
  /** The calendar date, in the zone held by the SQL expression `zone`, of a UTC TIMESTAMP. */
  localDate(utcTimestamp: string, zone: string): string;
  /** Whole hours between the hour buckets of two UTC TIMESTAMPs (`later` - `earlier`). */
  hourBucketsBetween(later: string, earlier: string): string;
  /** Whole days between two DATEs (`later` - `earlier`). */
  daysBetween(later: string, earlier: string): string;
  /** A UTC TIMESTAMP plus a number of seconds (the SQL expression `seconds`, a BIGINT). */
  plusSeconds(utcTimestamp: string, seconds: string): string;
  /** Seconds from `earlier` to `later` (TIMESTAMPs), as a DOUBLE PRECISION with the microseconds. */
  secondsBetween(later: string, earlier: string): string;
  /**
   * `ts + (later − earlier)` for three TIMESTAMPs, where the difference is whole seconds (a zone's
   * offset: the model's pinned dates); exact, microseconds of `ts` kept. (Trino's intervals hold
   * milliseconds, so a finer difference would be cut there.)
   */
  plusDifference(ts: string, later: string, earlier: string): string;
  /** The start of a UTC TIMESTAMP's hour bucket. */
  hourStart(utcTimestamp: string): string;
  /** The UTC TIMESTAMP of local midnight starting a DATE in the zone held by the SQL expression `zone` (a DST gap at midnight: the day's first instant). */
  localMidnightUtc(date: string, zone: string): string;
  /** A DATE plus a whole number of days (the SQL expression `days`). */
  addDays(date: string, days: string): string;
  /** The exact median of a numeric expression as an aggregate: NULLs ignored, NULL over no rows, an even count's two middle values averaged (percentile_cont(0.5)). */
  median(value: string): string;
  /** SQL type names used in DDL. */
  readonly types: { timestamp: string; date: string; string: string; integer: string; bigint: string; double: string; boolean: string };
  /** A string literal (for statements that cannot take bound parameters, such as COMMENT ON). */
  quoteLiteral(value: string): string;
  /**
   * An order-independent fingerprint term of one users row: the builder sums it over the users
   * table to notice any change among the users it already built, without comparing them one by one.
   */
  userFingerprint(userId: string, firstDatetime: string): string;
  /** Capabilities: what the builder's one protocol may rely on (see src/mart/publish.ts). */
  readonly capabilities: EngineCapabilities;
}

/** A SQL statement with its bound values (placeholders rendered by Dialect.parameter). */
export interface Statement {
  sql: string;
  params: unknown[];
}

export interface EngineCapabilities {
  /**
   * Multi-statement transactions that include DDL. With them, a whole build (scratch tables,
   * publish, state) runs in one transaction and a crash leaves nothing; without them, every
   * statement commits on its own and the builder publishes with one atomic statement
   * (Warehouse.replaceTable, a single MERGE) and cleans up a crashed build's scratch tables.
   */
  transactions: boolean;
  /** How the build lock is held: an advisory lock in the server, a lock on the database file, or a lock row with an expiry in a table. */
  buildLock: 'advisory-lock' | 'file-lock' | 'lock-table';
  /**
   * Session-scoped temporary tables: the builder's intermediate scratch tables are created as
   * such (no logging, gone with the session). Tables it publishes are always real tables.
   */
  tempTables: boolean;
  /**
   * What a pruned read of the log costs most: its rows (DuckDB, PostgreSQL), so several small
   * pruned queries are cheapest, DuckDB answering a filtered MAX from its zone maps; or a fixed
   * planning and scheduling time per table scan (a distributed engine: about 0.4 s each on Trino
   * here), so the builder reads the rows after the previous cutoff once instead.
   */
  prunedScanCost: 'rows' | 'per-scan';
  /**
   * Independent statements may run at once (src/mart/together.ts): a distributed engine spends
   * most of a small statement's time planning, scheduling and committing, not computing, so two
   * of them side by side take little longer than one. Not where the build is one connection's
   * transaction (DuckDB, PostgreSQL): there statements run one after another, in order.
   */
  concurrentStatements: boolean;
}

/** A bulk-loaded column: date cells are day numbers since 1970-01-01, timestamp cells UTC epoch seconds. */
export type BulkColumnKind = 'date' | 'timestamp' | 'string';
export type BulkColumn = readonly [name: string, kind: BulkColumnKind];
export type BulkCell = number | string | null;

export interface BulkWriter {
  /** Buffers one row (cells in the column order). */
  append(row: BulkCell[]): void;
  /** Writes out what is buffered when it is large. */
  drain(): Promise<void>;
  /** Writes out everything; the writer is unusable afterwards. */
  finish(): Promise<void>;
}

/** Held by one build; release() is safe to call twice. */
export interface BuildLock {
  release(): Promise<void>;
}

export interface Warehouse extends TableCatalog {
  readonly dialect: Dialect;
  /** A short description for reports: engine and database. */
  readonly description: string;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `work` in one transaction, committed on success and rolled back on any error. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Takes the builder's exclusive lock for `key` (the engine's own primitive, see
   * EngineCapabilities.buildLock) until release() or the end of the process.
   * Throws BuildLockedError at once if another build holds it.
   */
  acquireBuildLock(key: string): Promise<BuildLock>;
  /**
   * Publishes `staged` as `target`, with the table comment `comment` (the builder's ownership
   * mark), in one atomic step (inside the current transaction where the engine has them; with the
   * engine's atomic replace where it does not); `staged` is gone after.
   */
  replaceTable(target: string, staged: string, comment: string): Promise<void>;
  /**
   * Publishes the rows of `select` as `target`, with the table comment `comment`, in one atomic
   * step: one `CREATE OR REPLACE TABLE … AS` where the engine has it; elsewhere written to the
   * scratch table `staging` first and published by replaceTable (stageThenReplace).
   */
  replaceTableWith(target: string, select: Statement, comment: string, staging: string): Promise<void>;
  /**
   * Settings for a build's bulk writes, until the returned function restores them (for example
   * DuckDB skips its string-compression analysis, which otherwise costs as much as the scan, and
   * checkpoints under that setting before restoring it).
   */
  tuneForBulkWrites(): Promise<() => Promise<void>>;
  /**
   * Brings the planner's statistics of a freshly written scratch table up to date, where the
   * engine's planner needs that (PostgreSQL does not gather them for a new temporary table, and a
   * guess about a column-to-column comparison can make it choose a nested loop over thousands of rows).
   */
  refreshStatistics(table: string): Promise<void>;
  /**
   * Whether a filter on `table`'s `datetime` skips its older rows without reading them (zone maps,
   * file statistics, an index or partitions on datetime). The builder then asks its questions about
   * the log in pruned reads (their shape: EngineCapabilities.prunedScanCost); otherwise each would
   * read the whole log, so it asks them in one pass over all of it. A property of the table as much
   * as of the engine: PostgreSQL prunes only where the log has an index or partitions on datetime.
   */
  prunesByTime(table: string): Promise<boolean>;
  /**
   * Columns and comment of each of `tables` that exists (absent ones are not in the map), in one
   * catalog query where the engine can: a build asks about half a dozen tables before it starts,
   * and each catalog query costs milliseconds (tens on a distributed engine).
   */
  describeTables(tables: readonly string[]): Promise<Map<string, TableInfo>>;
  setTableComment(table: string, comment: string): Promise<void>;
  /** Drops each of `tables` that exists, in as few round trips as the engine allows (a build ends by dropping about ten scratch tables). */
  dropTables(tables: readonly string[]): Promise<void>;
  /** Names of the tables in `table`'s schema whose name starts with `prefix` (schema-qualified like `table`). */
  tablesWithPrefix(table: string, prefix: string): Promise<string[]>;
  /** A fast loader into an existing table (the demo's data): rows go over in the engine's bulk path, values never pasted unquoted. */
  createBulkWriter(table: string, columns: readonly BulkColumn[]): Promise<BulkWriter>;
  close(): Promise<void>;
}

/** Another build holds the lock: the loser stops without writing anything. */
export class BuildLockedError extends Error {
  constructor(detail: string) {
    super(`another build is running (${detail}); nothing was written. Wait for it to finish and run the build again.`);
    this.name = 'BuildLockedError';
  }
}

/**
 * describeTables' answer from one catalog query's rows, ordered by table then column: `requested`
 * is the 0-based index of the row's table in `tables`, `comment` the table's comment on each row.
 */
export function tableInfosFromRows(tables: readonly string[], rows: readonly Row[], categorize: (dataType: string) => TypeCategory): Map<string, TableInfo> {
  const described = new Map<string, TableInfo>();
  for (const r of rows) {
    const table = tables[Number(r.requested)];
    const info = described.get(table) ?? { columns: [], comment: r.comment === null ? null : String(r.comment) };
    info.columns.push({ name: String(r.column_name), dataType: String(r.data_type), category: categorize(String(r.data_type)) });
    described.set(table, info);
  }
  return described;
}

/** Splits `schema.table` for introspection queries. */
export function splitTableName(name: string): { schema: string | undefined; table: string } {
  const parts = name.split('.');
  return parts.length === 2 ? { schema: parts[0], table: parts[1] } : { schema: undefined, table: parts[0] };
}

/** ANSI double-quote quoting, shared by engines that follow the standard. */
export function quoteAnsiIdentifier(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

/** replaceTableWith for engines whose atomic replace is a swap of a staged table (a transaction). */
export async function stageThenReplace(warehouse: Warehouse, target: string, select: Statement, comment: string, staging: string): Promise<void> {
  await warehouse.run(`CREATE TABLE ${warehouse.dialect.quoteIdentifier(staging)} AS ${select.sql}`, select.params);
  await warehouse.replaceTable(target, staging, comment);
}
