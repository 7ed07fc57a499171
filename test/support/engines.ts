import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { connectWarehouse, type Engine, type WarehouseEnv } from '../../src/warehouse/connect.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';

/** Every feature test loops over these. */
export const ENGINES: Engine[] = ['duckdb', 'postgres'];

export interface TestDatabase {
  engine: Engine;
  /** Cube's CUBEJS_DB_* variables for this database: pass them to the CLI or to connectWarehouse. */
  env: WarehouseEnv;
  connect(): Promise<Warehouse>;
  drop(): Promise<void>;
}

let counter = 0;

/** A fresh, empty database on `engine`: a DuckDB file in a temp dir, or a new database in the run's PostgreSQL cluster. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'duckdb') {
    const dir = mkdtempSync(join(tmpdir(), 'activation-duckdb-'));
    const env = { CUBEJS_DB_TYPE: 'duckdb', CUBEJS_DB_DUCKDB_DATABASE_PATH: join(dir, 'test.duckdb') };
    return { engine, env, connect: () => connectWarehouse(env), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const server = inject('postgres');
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const env = {
    CUBEJS_DB_TYPE: 'postgres',
    CUBEJS_DB_HOST: server.host,
    CUBEJS_DB_PORT: String(server.port),
    CUBEJS_DB_NAME: name,
    CUBEJS_DB_USER: server.user,
  };
  return {
    engine,
    env,
    connect: () => connectWarehouse(env),
    async drop() {
      const client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'postgres' });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
