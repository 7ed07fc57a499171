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

/** A raw connection of the test's own (not the Warehouse under test), for setup and checks. */
export interface RawSql {
  run(statement: string): Promise<void>;
  rows(query: string): Promise<Record<string, unknown>[]>;
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
  /** Makes every write so far durable in the database file, for the benchmark (bench/bench-database.ts, settle). */
  settle(warehouse: Warehouse): Promise<void>;
  /** Runs `work` on a raw connection, closed after it (a DuckDB file stays open in one process at a time, so a CLI can open it between cases). */
  withSql<T>(db: TestDatabase, work: (sql: RawSql) => Promise<T>): Promise<T>;
  /** A query listing the database's own tables and views as columns s (schema), t (name), c (comment). */
  readonly listTablesSql: string;
  /** Test fixture SQL written for DuckDB and PostgreSQL, in this engine's spelling. */
  portableSql(statement: string): string;
}
