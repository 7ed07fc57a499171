/**
 * The catalog as a build found it: the columns and comments of the tables it checks before it
 * writes (sources, mart, state, funnel tables), read with one Warehouse.describeTables call rather
 * than a catalog query per question (a build asked about twenty, a few milliseconds each here and
 * tens of milliseconds each on Trino). Tables it was not read for fall through to the warehouse.
 * Only valid until the build publishes: nothing but the build (holding the lock) changes them.
 */
import type { ColumnInfo, TableCatalog, TableInfo, Warehouse } from '../warehouse/warehouse.ts';

export class CatalogSnapshot implements TableCatalog {
  private constructor(
    private readonly warehouse: Warehouse,
    private readonly read: ReadonlySet<string>,
    private readonly tables: ReadonlyMap<string, TableInfo>,
  ) {}

  static async of(warehouse: Warehouse, tables: readonly string[]): Promise<CatalogSnapshot> {
    return new CatalogSnapshot(warehouse, new Set(tables), await warehouse.describeTables(tables));
  }

  async columns(table: string): Promise<ColumnInfo[] | undefined> {
    return this.read.has(table) ? this.tables.get(table)?.columns : this.warehouse.columns(table);
  }

  async tableComment(table: string): Promise<string | null> {
    return this.read.has(table) ? (this.tables.get(table)?.comment ?? null) : this.warehouse.tableComment(table);
  }
}
