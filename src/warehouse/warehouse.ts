/**
 * The one contract every warehouse implements. Engine differences live behind it, in
 * `src/warehouse/<engine>/`, so a new engine is one folder: a Dialect (SQL fragments and
 * capability flags) and a Warehouse (connection, transactions, locking, introspection).
 */

/** A column's type, reduced to what the builder checks. */
export type TypeCategory = 'timestamp' | 'timestamptz' | 'date' | 'string' | 'integer' | 'other';

export interface ColumnInfo {
  name: string;
  /** The engine's own type name, for messages and for copying a type into new tables. */
  dataType: string;
  category: TypeCategory;
}

/** A row as every engine returns it: integers as numbers, DATE as 'YYYY-MM-DD', TIMESTAMP as 'YYYY-MM-DD HH:MM:SS[.ffffff]'. */
export type Row = Record<string, string | number | boolean | null>;

export interface Dialect {
  readonly name: 'duckdb' | 'postgres';
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
  /** SQL type names used in DDL. */
  readonly types: { timestamp: string; date: string; string: string; integer: string; bigint: string };
  /** Capabilities, each with the behaviour the builder relies on. */
  readonly capabilities: {
    /** DDL (CREATE/DROP TABLE) is rolled back with the transaction. Required: the builder publishes a full refresh inside one. */
    transactionalDdl: boolean;
  };
}

export interface Warehouse {
  readonly dialect: Dialect;
  /** A short description for reports: engine and database. */
  readonly description: string;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `work` in one transaction, committed on success and rolled back on any error. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Takes the builder's exclusive lock for `key` until the current transaction ends.
   * Throws BuildLockedError at once if another build holds it.
   */
  lockForBuild(key: string): Promise<void>;
  /** The table's columns, or undefined when it does not exist. */
  columns(table: string): Promise<ColumnInfo[] | undefined>;
  close(): Promise<void>;
}

/** Another build holds the lock: the loser stops without writing anything. */
export class BuildLockedError extends Error {
  constructor(detail: string) {
    super(`another build is running (${detail}); nothing was written. Wait for it to finish and run the build again.`);
    this.name = 'BuildLockedError';
  }
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
