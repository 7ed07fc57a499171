/**
 * Writing the demo tables: created with the dialect's types, filled through the warehouse's bulk
 * path (Warehouse.createBulkWriter). Where the engine has transactions the whole generation is one
 * (a failure leaves the previous tables as they were); where it has none, a failed generation can
 * leave demo tables half-filled, which the next generation replaces.
 */
import type { BulkColumn, BulkWriter, Warehouse } from '../warehouse/warehouse.ts';

export type { BulkCell as Cell, BulkColumnKind as ColumnKind } from '../warehouse/warehouse.ts';
export type TableWriter = BulkWriter;

export interface DemoTable {
  name: string;
  columns: readonly BulkColumn[];
}

export interface DemoStore {
  /** `work` in one transaction where the engine has them. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  replaceTable(table: DemoTable): Promise<void>;
  writer(table: DemoTable): Promise<TableWriter>;
}

export async function openDemoStore(warehouse: Warehouse): Promise<DemoStore> {
  const q = (name: string) => warehouse.dialect.quoteIdentifier(name);
  const { date, timestamp, string } = warehouse.dialect.types;
  const types = { date, timestamp, string };
  return {
    transaction: (work) => (warehouse.dialect.capabilities.transactions ? warehouse.transaction(work) : work()),
    async replaceTable(table) {
      await warehouse.run(`DROP TABLE IF EXISTS ${q(table.name)}`);
      await warehouse.run(`CREATE TABLE ${q(table.name)} (${table.columns.map(([name, kind]) => `${q(name)} ${types[kind]}`).join(', ')})`);
    },
    writer: (table) => warehouse.createBulkWriter(table.name, table.columns),
  };
}
