/**
 * The benchmark's database, through the tests' own engine harness (test/support/engines/): the
 * engine's throwaway server (none for DuckDB) and one fresh database in it. Every dataset of a
 * run replaces the same source tables, so one engine instance and one buffer pool serve the
 * whole run (DuckDB keeps one instance per file per process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, WarehouseEnv } from '../src/warehouse/registry.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import { HARNESSES } from '../test/support/engines/harnesses.ts';

export interface BenchDatabase {
  engine: Engine;
  warehouse: Warehouse;
  /** Cube's CUBEJS_DB_* variables for the same database, for runCubeQuery. */
  env: WarehouseEnv;
  workDir: string;
  engineVersion: string;
  /**
   * Makes every write so far durable in the database file: DuckDB's CHECKPOINT (on PostgreSQL and
   * Trino a commit already is). Each timed build ends with it and each untimed load too, so every
   * task pays for writing its own rows, as a CLI run does when it closes the database, and never
   * for another's: left alone, DuckDB checkpoints at whichever commit finds 16 MiB in its log,
   * which charged one task for the rows the previous one (or the day's load) wrote.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function openBenchDatabase(engine: Engine): Promise<BenchDatabase> {
  const workDir = mkdtempSync(join(tmpdir(), 'activation-bench-'));
  const harness = HARNESSES[engine];
  let server: Awaited<ReturnType<typeof harness.startServer>> | undefined;
  try {
    server = await harness.startServer();
    const database = await harness.createDatabase(server.info);
    const warehouse = await database.connect();
    const running = server;
    return {
      engine,
      warehouse,
      env: database.env,
      workDir,
      engineVersion: await harness.version(warehouse),
      settle: () => harness.settle(warehouse),
      async close() {
        await warehouse.close();
        // DuckDB's cached instance keeps the file open until the process exits; unlinking is still safe on Linux.
        await database.drop();
        await running.stop();
        rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}
