/**
 * The engines activation-metrics supports, by CUBEJS_DB_TYPE. Adding an engine is its folder
 * (src/warehouse/<engine>/: dialect, warehouse, definition) and one line here.
 * cube.js imports this file: erasable TypeScript only (see engine.ts).
 */
import { UserError } from '../user-error.ts';
import { duckdbEngine } from './duckdb/duckdb-engine.ts';
import type { EngineDefinition, WarehouseEnv } from './engine.ts';
import { postgresEngine } from './postgres/postgres-engine.ts';
import { trinoEngine } from './trino/trino-engine.ts';
import type { Warehouse } from './warehouse.ts';

export type { WarehouseEnv } from './engine.ts';

export const ENGINES = {
  duckdb: duckdbEngine,
  postgres: postgresEngine,
  trino: trinoEngine,
} as const satisfies Record<string, EngineDefinition>;

export type Engine = keyof typeof ENGINES;
export const SUPPORTED_ENGINES = Object.keys(ENGINES) as Engine[];

/** Which engine Cube's own variables select (CUBEJS_DB_TYPE, default duckdb); anything else is refused by name. */
export function engineFromEnv(env: WarehouseEnv = process.env): Engine {
  const type = (env.CUBEJS_DB_TYPE || 'duckdb').toLowerCase();
  if (!Object.hasOwn(ENGINES, type)) {
    throw new UserError(
      'unsupported-engine',
      `CUBEJS_DB_TYPE=${JSON.stringify(env.CUBEJS_DB_TYPE)} is not supported by activation-metrics; supported: ${SUPPORTED_ENGINES.join(', ')} (unset CUBEJS_DB_TYPE for the embedded DuckDB)`,
    );
  }
  return type as Engine;
}

/** The definition of the engine the variables select. */
export function engineDefinition(env: WarehouseEnv = process.env): EngineDefinition {
  return ENGINES[engineFromEnv(env)];
}

/** Opens the warehouse Cube's CUBEJS_DB_* variables describe; a wrong variable is a UserError naming it. */
export function connectWarehouse(env: WarehouseEnv = process.env): Promise<Warehouse> {
  return engineDefinition(env).connect(env);
}
