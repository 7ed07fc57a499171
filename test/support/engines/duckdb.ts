import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectWarehouse } from '../../../src/warehouse/registry.ts';
import type { EngineHarness } from './engine-harness.ts';

/** Embedded: no server; each database is a file in its own temp dir. */
export const duckdbHarness: EngineHarness = {
  startServer: async () => ({ info: {}, describe: 'DuckDB (embedded, a file per test database)', stop: async () => undefined }),
  async createDatabase() {
    const dir = mkdtempSync(join(tmpdir(), 'activation-duckdb-'));
    const env = { CUBEJS_DB_TYPE: 'duckdb', CUBEJS_DB_DUCKDB_DATABASE_PATH: join(dir, 'test.duckdb') };
    return { engine: 'duckdb', env, connect: () => connectWarehouse(env), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  async version(warehouse) {
    const [{ version }] = await warehouse.query('SELECT version() AS version');
    return `DuckDB ${version}`;
  },
  async settle(warehouse) {
    await warehouse.run('CHECKPOINT');
  },
  async withSql(db, work) {
    const instance = await DuckDBInstance.create(db.env.CUBEJS_DB_DUCKDB_DATABASE_PATH!);
    const connection = await instance.connect();
    try {
      return await work({
        run: async (statement) => void (await connection.run(statement)),
        rows: async (query) => (await connection.runAndReadAll(query)).getRowObjectsJson() as Record<string, unknown>[],
      });
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  },
  listTablesSql: `SELECT schema_name AS s, table_name AS t, comment AS c FROM duckdb_tables() WHERE database_name = current_database()
    UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() WHERE database_name = current_database() AND NOT internal ORDER BY 1, 2`,
  portableSql: (statement) => statement,
};
