import { UserError } from '../../user-error.ts';
import type { CubeDriver, EngineDefinition } from '../engine.ts';
import { trinoConfigFromEnv } from './trino-config.ts';
import { trinoDialect } from './trino-dialect.ts';

/**
 * Trino (or Starburst, which speaks the same protocol) from Cube's CUBEJS_DB_HOST/PORT/USER/PASS,
 * CUBEJS_DB_PRESTO_CATALOG and CUBEJS_DB_SCHEMA. Tables are written through the catalog's connector
 * (tested with Iceberg): no multi-statement transactions, no temporary tables.
 */
export const trinoEngine: EngineDefinition = {
  name: 'trino',
  dialect: trinoDialect,
  variables: ['CUBEJS_DB_HOST', 'CUBEJS_DB_PORT', 'CUBEJS_DB_USER', 'CUBEJS_DB_PASS', 'CUBEJS_DB_PRESTO_CATALOG', 'CUBEJS_DB_SCHEMA', 'CUBEJS_DB_SSL'],
  separateDatabaseHint: 'another CUBEJS_DB_SCHEMA',

  async connect(env) {
    const { TrinoWarehouse, explainTrinoError } = await import('./trino-warehouse.ts');
    const config = trinoConfigFromEnv(env);
    try {
      return await TrinoWarehouse.open(config);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw explainTrinoError(error, config) ?? error;
    }
  },

  async checkReady(env) {
    const warehouse = await trinoEngine.connect(env);
    await warehouse.close();
  },

  explainError: () => undefined,

  async cubeQueryClass() {
    return (await import('./trino-cube.ts')).UtcTrinoQuery;
  },

  async cubeDriver(env) {
    const { OrderedTrinoDriver } = await import('./trino-cube.ts');
    return new OrderedTrinoDriver(trinoConfigFromEnv(env)) as unknown as CubeDriver;
  },

  async cubeServerDriver(env) {
    return trinoEngine.cubeDriver(env);
  },
};
