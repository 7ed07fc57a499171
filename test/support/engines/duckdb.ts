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
};
