/**
 * PostgreSQL's bulk path without a COPY client: INSERT … SELECT FROM unnest() with one bound
 * array per column, in chunks.
 */
import type { BulkCell, BulkColumn, BulkColumnKind, BulkWriter, Warehouse } from '../warehouse.ts';

const UNNEST_ROWS = 20_000;
const UNNEST_ARRAY: Record<BulkColumnKind, string> = { date: 'int[]', timestamp: 'float8[]', string: 'text[]' };

/** Rows go over as one array per column; the SQL turns day numbers and epoch seconds back into DATE and UTC TIMESTAMP. */
export class UnnestWriter implements BulkWriter {
  private columns: BulkCell[][];
  private readonly sql: string;

  private readonly warehouse: Warehouse;

  constructor(warehouse: Warehouse, table: string, columns: readonly BulkColumn[]) {
    this.warehouse = warehouse;
    const q = (n: string) => warehouse.dialect.quoteIdentifier(n);
    const aliases = columns.map((_, i) => `c${i}`);
    const selects = columns.map(([, kind], i) =>
      kind === 'date' ? `DATE '1970-01-01' + c${i}` : kind === 'timestamp' ? `to_timestamp(c${i}) AT TIME ZONE 'UTC'` : `c${i}`,
    );
    const arrays = columns.map(([, kind], i) => `CAST(${warehouse.dialect.parameter(i + 1)} AS ${UNNEST_ARRAY[kind]})`);
    this.sql = `INSERT INTO ${q(table)} (${columns.map(([n]) => q(n)).join(', ')}) SELECT ${selects.join(', ')} FROM unnest(${arrays.join(', ')}) AS rows(${aliases.join(', ')})`;
    this.columns = columns.map(() => []);
  }

  append(row: BulkCell[]): void {
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
