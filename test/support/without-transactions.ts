/**
 * The same warehouse with some of its engine's capabilities switched, so that one engine runs a
 * path another engine takes natively. withoutTransactions: as an engine without multi-statement
 * transactions sees the builder: every statement commits on its own, publishing goes through
 * replaceTable and one MERGE, a crash leaves scratch tables behind. Both DuckDB and PostgreSQL run
 * MERGE and an atomic replace, so the distributed-warehouse path is tested on them before any
 * distributed engine runs here.
 */
import type { EngineCapabilities, Warehouse } from '../../src/warehouse/warehouse.ts';

/** `warehouse` with `capabilities` in place of its dialect's; `overrides`: other members to replace. */
export function withCapabilities(warehouse: Warehouse, capabilities: Partial<EngineCapabilities>, overrides: PropertyDescriptorMap = {}): Warehouse {
  const dialect = { ...warehouse.dialect, capabilities: { ...warehouse.dialect.capabilities, ...capabilities } };
  return Object.create(warehouse, { dialect: { value: dialect }, ...overrides }) as Warehouse;
}

export function withoutTransactions(warehouse: Warehouse): Warehouse {
  return withCapabilities(
    warehouse,
    { transactions: false },
    {
      transaction: {
        value: () => {
          throw new Error('the builder opened a transaction on an engine that has none');
        },
      },
    },
  );
}
