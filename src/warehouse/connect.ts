import { DuckDBWarehouse } from './duckdb/duckdb-warehouse.ts';
import { PostgresWarehouse } from './postgres/postgres-warehouse.ts';
import type { Warehouse } from './warehouse.ts';

export const DEFAULT_DUCKDB_PATH = 'data/activation.duckdb';

export type WarehouseEnv = Record<string, string | undefined>;

/** The engines the builder and `activation query` support; anything else is refused by name. */
export const SUPPORTED_ENGINES = ['duckdb', 'postgres'] as const;
export type Engine = (typeof SUPPORTED_ENGINES)[number];

/** Which engine Cube's own variables select (CUBEJS_DB_TYPE, default duckdb). */
export function engineFromEnv(env: WarehouseEnv = process.env): Engine {
  const type = (env.CUBEJS_DB_TYPE ?? 'duckdb').toLowerCase();
  if (!(SUPPORTED_ENGINES as readonly string[]).includes(type)) {
    throw new Error(`CUBEJS_DB_TYPE=${type} is not supported by activation-metrics; supported: ${SUPPORTED_ENGINES.join(', ')}`);
  }
  return type as Engine;
}

/** The DuckDB file the builder writes and Cube reads (Cube's own variable). */
export function duckdbPathFromEnv(env: WarehouseEnv = process.env): string {
  return env.CUBEJS_DB_DUCKDB_DATABASE_PATH || DEFAULT_DUCKDB_PATH;
}

export function postgresConfigFromEnv(env: WarehouseEnv = process.env) {
  return {
    host: env.CUBEJS_DB_HOST || 'localhost',
    port: Number(env.CUBEJS_DB_PORT || 5432),
    database: env.CUBEJS_DB_NAME || 'postgres',
    user: env.CUBEJS_DB_USER || 'postgres',
    ...(env.CUBEJS_DB_PASS !== undefined && { password: env.CUBEJS_DB_PASS }),
  };
}

/** Opens the warehouse Cube's CUBEJS_DB_* variables describe. */
export async function connectWarehouse(env: WarehouseEnv = process.env): Promise<Warehouse> {
  return engineFromEnv(env) === 'postgres'
    ? PostgresWarehouse.open(postgresConfigFromEnv(env))
    : DuckDBWarehouse.open(duckdbPathFromEnv(env));
}
