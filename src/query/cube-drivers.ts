/**
 * Cube's own drivers, configured from Cube's CUBEJS_DB_* variables (the same ones the builder reads).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBDriver } from '@cubejs-backend/duckdb-driver';
import { PostgresDriver } from '@cubejs-backend/postgres-driver';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { UserError } from '../user-error.ts';
import { UtcDuckDBQuery, UtcPostgresQuery } from './utc-session-query.ts';
import { duckdbPathFromEnv, engineFromEnv, postgresConfigFromEnv, type Engine, type WarehouseEnv } from '../warehouse/connect.ts';

export interface CubeDriver {
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  release(): Promise<void>;
}

/**
 * Cube's DuckDB driver opening the file through DuckDB's per-process instance cache, the same way
 * DuckDBWarehouse does: two separate instances on one file in one process conflict over DuckDB's
 * file lock. The session time zone is set to UTC because the warehouse stores naive UTC timestamps
 * and Cube's DuckDB SQL casts them to TIMESTAMPTZ (convertTz, date-range filters) in that zone.
 */
class SharedInstanceDuckDBDriver extends DuckDBDriver {
  constructor(private readonly databasePath: string) {
    super({ databasePath });
  }

  override async init() {
    const instance = await DuckDBInstance.fromCache(this.databasePath);
    const defaultConnection = await instance.connect();
    try {
      // Cube's own session setup (extensions, S3, memory limit) from its CUBEJS_DB_DUCKDB_* variables.
      await (this as unknown as { configureConnection(c: unknown): Promise<void> }).configureConnection(defaultConnection);
      await defaultConnection.run("SET TimeZone = 'UTC'");
      return { defaultConnection, instance };
    } catch (error) {
      defaultConnection.closeSync();
      throw error;
    }
  }

  /** Closes this driver's connection only: the cached instance may be shared with the builder. */
  override async release() {
    const state = (this as unknown as { initPromise: Promise<{ defaultConnection: { closeSync(): void } }> | null }).initPromise;
    (this as unknown as { initPromise: null }).initPromise = null;
    if (state) (await state).defaultConnection.closeSync();
  }
}

/** The engine, its Cube query class (the SQL dialect) and a connected driver. */
export function cubeDriverFor(env: WarehouseEnv): { engine: Engine; queryClass: new (...args: never[]) => unknown; driver: CubeDriver } {
  const engine = engineFromEnv(env);
  if (engine === 'postgres') {
    const config = postgresConfigFromEnv(env);
    return { engine, queryClass: UtcPostgresQuery as never, driver: new PostgresDriver({ ...config, dataSource: 'default' } as never) as unknown as CubeDriver };
  }
  const path = resolve(duckdbPathFromEnv(env));
  if (!existsSync(path)) {
    throw new UserError('warehouse-not-found', `DuckDB file ${path} not found (CUBEJS_DB_DUCKDB_DATABASE_PATH); run \`npx activation build\` first`);
  }
  return { engine, queryClass: UtcDuckDBQuery as never, driver: new SharedInstanceDuckDBDriver(path) as unknown as CubeDriver };
}
