/**
 * DuckDB's bulk path: the Appender fed whole data chunks, on the warehouse's own connection (so
 * inside its current transaction); a million rows in about a second.
 */
import { DATE, DuckDBDataChunk, DuckDBDateValue, DuckDBTimestampValue, TIMESTAMP, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import type { BulkCell, BulkColumn, BulkColumnKind, BulkWriter } from '../warehouse.ts';

const CHUNK_ROWS = 2048;
const DUCK_TYPES: Record<BulkColumnKind, DuckDBType> = { date: DATE, timestamp: TIMESTAMP, string: VARCHAR };

export class DuckDBChunkWriter implements BulkWriter {
  private columns: unknown[][];
  private readonly converters: ((cell: BulkCell) => unknown)[];
  private readonly types: DuckDBType[];

  private readonly appender: DuckDBAppender;

  constructor(appender: DuckDBAppender, columns: readonly BulkColumn[]) {
    this.appender = appender;
    this.types = columns.map(([, kind]) => DUCK_TYPES[kind]);
    this.converters = columns.map(([, kind]) =>
      kind === 'date'
        ? (c: BulkCell) => (c === null ? null : new DuckDBDateValue(c as number))
        : kind === 'timestamp'
          ? (c: BulkCell) => (c === null ? null : new DuckDBTimestampValue(BigInt(c as number) * 1_000_000n))
          : (c: BulkCell) => c,
    );
    this.columns = this.types.map(() => []);
  }

  append(row: BulkCell[]): void {
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
