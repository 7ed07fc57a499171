/**
 * The same warehouse, as an engine without multi-statement transactions sees the builder: every
 * statement commits on its own, publishing goes through replaceTable and one MERGE, a crash
 * leaves scratch tables behind. Both DuckDB and PostgreSQL run MERGE and an atomic replace, so
 * the distributed-warehouse path is tested on them before any distributed engine runs here.
 */
import type { Warehouse } from '../../src/warehouse/warehouse.ts';

export function withoutTransactions(warehouse: Warehouse): Warehouse {
  const dialect = { ...warehouse.dialect, capabilities: { ...warehouse.dialect.capabilities, transactions: false } };
  return Object.create(warehouse, {
    dialect: { value: dialect },
    transaction: {
      value: () => {
        throw new Error('the builder opened a transaction on an engine that has none');
      },
    },
  }) as Warehouse;
}
