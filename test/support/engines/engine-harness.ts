import type { Engine, WarehouseEnv } from '../../../src/warehouse/registry.ts';
import type { Warehouse } from '../../../src/warehouse/warehouse.ts';

/** A throwaway database on one engine, for a test file or a benchmark run. */
export interface TestDatabase {
  engine: Engine;
  /** Cube's CUBEJS_DB_* variables for this database: pass them to the CLI or to connectWarehouse. */
  env: WarehouseEnv;
  connect(): Promise<Warehouse>;
  drop(): Promise<void>;
}

/** What the run's global setup hands every test file about a started server (JSON). */
export type ServerInfo = Record<string, string | number | string[]>;

/**
 * How the tests and the benchmark get databases on one engine: a server started once per run
 * (none for an embedded engine), and fresh databases in it.
 */
export interface EngineHarness {
  /** Starts the engine's throwaway server; `describe` is printed in the test output. */
  startServer(): Promise<{ info: ServerInfo; describe: string; stop(): Promise<void> }>;
  createDatabase(server: ServerInfo): Promise<TestDatabase>;
  /** The engine's version, for benchmark reports. */
  version(warehouse: Warehouse): Promise<string>;
}
