import type { CubeDriver, EngineDefinition } from '../engine.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { checkPostgresReachable, explainPostgresError, postgresConfigFromEnv } from './postgres-connect.ts';

/** PostgreSQL, from Cube's CUBEJS_DB_HOST/PORT/NAME/USER/PASS. */
export const postgresEngine: EngineDefinition = {
  name: 'postgres',
  dialect: postgresDialect,
  variables: ['CUBEJS_DB_HOST', 'CUBEJS_DB_PORT', 'CUBEJS_DB_NAME', 'CUBEJS_DB_USER', 'CUBEJS_DB_PASS'],
  separateDatabaseHint: 'another CUBEJS_DB_NAME',

  async connect(env) {
    const config = postgresConfigFromEnv(env);
    // First a probe with a connection timeout: a host that drops packets would otherwise hang the build for minutes.
    await checkPostgresReachable(config);
    const { PostgresWarehouse } = await import('./postgres-warehouse.ts');
    try {
      return await PostgresWarehouse.open(config);
    } catch (error) {
      throw explainPostgresError(error, config) ?? error;
    }
  },

  checkReady: (env) => checkPostgresReachable(postgresConfigFromEnv(env)),

  explainError: (error, env) => explainPostgresError(error, postgresConfigFromEnv(env)),

  async cubeQueryClass() {
    return (await import('./postgres-cube.ts')).UtcPostgresQuery;
  },

  async cubeDriver(env) {
    const { PostgresDriver } = await import('@cubejs-backend/postgres-driver');
    return new PostgresDriver({ ...postgresConfigFromEnv(env), dataSource: 'default' } as never) as unknown as CubeDriver;
  },

  // Cube builds its driver from its own CUBEJS_DB_* variables.
  cubeServerDriver: async () => ({ type: 'postgres' }),
};
