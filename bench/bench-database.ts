/**
 * The benchmark's database: one DuckDB file in a temp work directory, or one database in a
 * throwaway PostgreSQL cluster (test/support/postgres-cluster.ts, the tests' own helper). Every
 * dataset of a run replaces the same source tables, so one engine instance and one buffer pool
 * serve the whole run (DuckDB keeps one instance per file per process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgresCluster, type PostgresCluster } from '../test/support/postgres-cluster.ts';
import type { Engine, WarehouseEnv } from '../src/warehouse/connect.ts';
import { DuckDBWarehouse } from '../src/warehouse/duckdb/duckdb-warehouse.ts';
import { PostgresWarehouse } from '../src/warehouse/postgres/postgres-warehouse.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';

export interface BenchDatabase {
  engine: Engine;
  warehouse: Warehouse;
  /** Cube's CUBEJS_DB_* variables for the same database, for runCubeQuery. */
  env: WarehouseEnv;
  workDir: string;
  engineVersion: string;
  close(): Promise<void>;
}

const DATABASE = 'activation_bench';

export async function openBenchDatabase(engine: Engine): Promise<BenchDatabase> {
  const workDir = mkdtempSync(join(tmpdir(), 'activation-bench-'));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  if (engine === 'duckdb') {
    const path = join(workDir, 'bench.duckdb');
    const warehouse = await DuckDBWarehouse.open(path);
    const [{ version }] = await warehouse.query('SELECT version() AS version');
    return {
      engine,
      warehouse,
      env: { CUBEJS_DB_TYPE: 'duckdb', CUBEJS_DB_DUCKDB_DATABASE_PATH: path },
      workDir,
      engineVersion: `DuckDB ${version}`,
      async close() {
        await warehouse.close();
        // The cached instance keeps the file open until the process exits; unlinking is still safe on Linux.
        removeWorkDir();
      },
    };
  }
  let cluster: PostgresCluster | undefined;
  try {
    cluster = await startPostgresCluster();
    const admin = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.user, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const config = { host: cluster.host, port: cluster.port, user: cluster.user, database: DATABASE };
    const warehouse = await PostgresWarehouse.open(config);
    const [{ version }] = await warehouse.query('SHOW server_version');
    const running = cluster;
    return {
      engine,
      warehouse,
      env: { CUBEJS_DB_TYPE: 'postgres', CUBEJS_DB_HOST: config.host, CUBEJS_DB_PORT: String(config.port), CUBEJS_DB_NAME: DATABASE, CUBEJS_DB_USER: config.user },
      workDir,
      engineVersion: `PostgreSQL ${version}`,
      async close() {
        await warehouse.close();
        await running.stop();
        removeWorkDir();
      },
    };
  } catch (error) {
    await cluster?.stop();
    removeWorkDir();
    throw error;
  }
}
