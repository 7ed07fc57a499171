/**
 * Fast bulk writes of the demo tables. DuckDB: the Appender fed whole data chunks, on the
 * warehouse's own connection (a million rows in about a second). PostgreSQL:
 * INSERT … SELECT FROM unnest() with one bound array per column, in chunks (no COPY client here).
 */
import { DATE, DuckDBDataChunk, DuckDBDateValue, DuckDBTimestampValue, TIMESTAMP, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import { UserError } from '../user-error.ts';
import { DuckDBWarehouse } from '../warehouse/duckdb/duckdb-warehouse.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** date: day number; timestamp: epoch seconds (UTC); string. */
export type ColumnKind = 'date' | 'timestamp' | 'string';
export type Cell = number | string | null;

export interface DemoTable {
  name: string;
  columns: readonly (readonly [string, ColumnKind])[];
}

export interface TableWriter {
  /** Buffers one row (cells in the table's column order). */
  append(row: Cell[]): void;
  /** Writes out what is buffered when it is large; called between days. */
  drain(): Promise<void>;
  /** Writes out everything; the writer is unusable afterwards. */
  finish(): Promise<void>;
}

export interface DemoStore {
  /** `work` in one transaction: a failed generation leaves the previous tables as they were. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  replaceTable(table: DemoTable): Promise<void>;
  writer(table: DemoTable): Promise<TableWriter>;
}

export async function openDemoStore(warehouse: Warehouse): Promise<DemoStore> {
  if (warehouse instanceof DuckDBWarehouse) {
    return new DuckDBDemoStore(warehouse);
  }
  if (warehouse.dialect.name === 'postgres') return new PostgresDemoStore(warehouse);
  throw new UserError('demo-unsupported-engine', `demo data cannot be written to ${warehouse.description}`);
}

function createTableSql(table: DemoTable, quote: (n: string) => string, types: Record<ColumnKind, string>): string {
  return `CREATE TABLE ${quote(table.name)} (${table.columns.map(([name, kind]) => `${quote(name)} ${types[kind]}`).join(', ')})`;
}

class DuckDBDemoStore implements DemoStore {
  constructor(private readonly warehouse: DuckDBWarehouse) {}

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.warehouse.transaction(work);
  }

  async replaceTable(table: DemoTable): Promise<void> {
    const q = this.warehouse.dialect.quoteIdentifier;
    const { date, timestamp, string } = this.warehouse.dialect.types;
    await this.warehouse.run(`DROP TABLE IF EXISTS ${q(table.name)}`);
    await this.warehouse.run(createTableSql(table, q, { date, timestamp, string }));
  }

  async writer(table: DemoTable): Promise<TableWriter> {
    return new DuckDBChunkWriter(await this.warehouse.createAppender(table.name), table);
  }
}

const CHUNK_ROWS = 2048;
const DUCK_TYPES: Record<ColumnKind, DuckDBType> = { date: DATE, timestamp: TIMESTAMP, string: VARCHAR };

class DuckDBChunkWriter implements TableWriter {
  private columns: unknown[][];
  private readonly converters: ((cell: Cell) => unknown)[];
  private readonly types: DuckDBType[];

  constructor(
    private readonly appender: DuckDBAppender,
    table: DemoTable,
  ) {
    this.types = table.columns.map(([, kind]) => DUCK_TYPES[kind]);
    this.converters = table.columns.map(([, kind]) =>
      kind === 'date'
        ? (c: Cell) => (c === null ? null : new DuckDBDateValue(c as number))
        : kind === 'timestamp'
          ? (c: Cell) => (c === null ? null : new DuckDBTimestampValue(BigInt(c as number) * 1_000_000n))
          : (c: Cell) => c,
    );
    this.columns = this.types.map(() => []);
  }

  append(row: Cell[]): void {
    for (let i = 0; i < row.length; i++) this.columns[i].push(this.converters[i](row[i]));
    if (this.columns[0].length === CHUNK_ROWS) this.flush();
  }

  private flush(): void {
    const rows = this.columns[0].length;
    if (rows === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, rows);
    chunk.setColumns(this.columns as never);
    this.appender.appendDataChunk(chunk);
    this.columns = this.types.map(() => []);
  }

  async drain(): Promise<void> {}

  async finish(): Promise<void> {
    this.flush();
    this.appender.closeSync();
  }
}

class PostgresDemoStore implements DemoStore {
  constructor(private readonly warehouse: Warehouse) {}

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.warehouse.transaction(work);
  }

  async replaceTable(table: DemoTable): Promise<void> {
    const q = (n: string) => this.warehouse.dialect.quoteIdentifier(n);
    const { date, timestamp, string } = this.warehouse.dialect.types;
    await this.warehouse.run(`DROP TABLE IF EXISTS ${q(table.name)}`);
    await this.warehouse.run(createTableSql(table, q, { date, timestamp, string }));
  }

  async writer(table: DemoTable): Promise<TableWriter> {
    return new UnnestWriter(this.warehouse, table);
  }

}

const UNNEST_ROWS = 20_000;
const UNNEST_ARRAY: Record<ColumnKind, string> = { date: 'int[]', timestamp: 'float8[]', string: 'text[]' };

/** Rows go over as one array per column; the SQL turns day numbers and epoch seconds back into DATE and UTC TIMESTAMP. */
class UnnestWriter implements TableWriter {
  private columns: Cell[][];
  private readonly sql: string;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly table: DemoTable,
  ) {
    const q = (n: string) => warehouse.dialect.quoteIdentifier(n);
    const aliases = table.columns.map((_, i) => `c${i}`);
    const selects = table.columns.map(([, kind], i) =>
      kind === 'date' ? `DATE '1970-01-01' + c${i}` : kind === 'timestamp' ? `to_timestamp(c${i}) AT TIME ZONE 'UTC'` : `c${i}`,
    );
    const arrays = table.columns.map(([, kind], i) => `CAST(${warehouse.dialect.parameter(i + 1)} AS ${UNNEST_ARRAY[kind]})`);
    this.sql = `INSERT INTO ${q(table.name)} (${table.columns.map(([n]) => q(n)).join(', ')}) SELECT ${selects.join(', ')} FROM unnest(${arrays.join(', ')}) AS rows(${aliases.join(', ')})`;
    this.columns = table.columns.map(() => []);
  }

  append(row: Cell[]): void {
    for (let i = 0; i < row.length; i++) this.columns[i].push(row[i]);
  }

  async drain(): Promise<void> {
    while (this.columns[0].length >= UNNEST_ROWS) await this.write(UNNEST_ROWS);
  }

  async finish(): Promise<void> {
    while (this.columns[0].length > 0) await this.write(UNNEST_ROWS);
  }

  private async write(rows: number): Promise<void> {
    const batch = this.columns.map((column) => column.splice(0, rows));
    await this.warehouse.run(this.sql, batch);
  }
}
