import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../../user-error.ts';
import type { CubeDriver, EngineDefinition } from '../engine.ts';
import { BuildLockedError } from '../warehouse.ts';
import { duckdbDialect } from './duckdb-dialect.ts';
import { DEFAULT_DUCKDB_PATH, duckdbPathFromEnv, explainDuckDBError, prepareDuckDBPath } from './duckdb-path.ts';

/** DuckDB, embedded: one database file (CUBEJS_DB_DUCKDB_DATABASE_PATH, default data/activation.duckdb). */
export const duckdbEngine: EngineDefinition = {
  name: 'duckdb',
  dialect: duckdbDialect,
  variables: ['CUBEJS_DB_DUCKDB_DATABASE_PATH'],
  separateDatabaseHint: 'CUBEJS_DB_DUCKDB_DATABASE_PATH=data/demo.duckdb',

  async connect(env) {
    const path = prepareDuckDBPath(duckdbPathFromEnv(env), { create: true });
    const { DuckDBWarehouse } = await import('./duckdb-warehouse.ts');
    try {
      return await DuckDBWarehouse.open(path);
    } catch (error) {
      if (error instanceof BuildLockedError || error instanceof UserError) throw error;
      throw explainDuckDBError(error, path);
    }
  },

  async checkReady(env) {
    const path = prepareDuckDBPath(duckdbPathFromEnv(env), { create: false });
    if (path !== ':memory:' && !existsSync(path)) {
      throw new UserError('warehouse-not-found', `DuckDB file ${path} not found (CUBEJS_DB_DUCKDB_DATABASE_PATH); run \`npx activation build\` first`);
    }
  },

  explainError: () => undefined,

  async cubeQueryClass() {
    return (await import('./duckdb-cube.ts')).UtcDuckDBQuery;
  },

  async cubeDriver(env) {
    const { SharedInstanceDuckDBDriver } = await import('./duckdb-cube.ts');
    return new SharedInstanceDuckDBDriver(resolve(duckdbPathFromEnv(env))) as unknown as CubeDriver;
  },

  cubeServerDriver: async (env) => ({
    type: 'duckdb',
    databasePath: resolve(env.CUBEJS_DB_DUCKDB_DATABASE_PATH || DEFAULT_DUCKDB_PATH),
    // The mart holds naive UTC timestamps; Cube's DuckDB SQL casts them to TIMESTAMPTZ in the session zone.
    initSql: "SET TimeZone = 'UTC'",
  }),
};
