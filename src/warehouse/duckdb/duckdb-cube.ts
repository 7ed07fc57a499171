/**
 * Cube's DuckDB driver and query class, as this project uses them (erasable TypeScript: cube.js loads it).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBDriver } from '@cubejs-backend/duckdb-driver';
import { withUtcShortcut } from '../../query/utc-session-query.ts';

/**
 * Cube's DuckDB driver opening the file through DuckDB's per-process instance cache, the same way
 * DuckDBWarehouse does: two separate instances on one file in one process conflict over DuckDB's
 * file lock. The session time zone is set to UTC because the warehouse stores naive UTC timestamps
 * and Cube's DuckDB SQL casts them to TIMESTAMPTZ (convertTz, date-range filters) in that zone.
 */
export class SharedInstanceDuckDBDriver extends DuckDBDriver {
  private readonly databasePath: string;

  constructor(databasePath: string) {
    super({ databasePath });
    this.databasePath = databasePath;
  }

  override async init() {
    const instance = await DuckDBInstance.fromCache(this.databasePath);
    const defaultConnection = await instance.connect();
    try {
      // Cube's own session setup (extensions, S3, memory limit) from its CUBEJS_DB_DUCKDB_* variables.
      await (this as unknown as { configureConnection(c: unknown): Promise<void> }).configureConnection(defaultConnection);
      await defaultConnection.run("SET TimeZone = 'UTC'");
      return { defaultConnection, instance };
    } catch (error) {
      defaultConnection.closeSync();
      throw error;
    }
  }

  /** Closes this driver's connection only: the cached instance may be shared with the builder. */
  override async release() {
    const state = (this as unknown as { initPromise: Promise<{ defaultConnection: { closeSync(): void } }> | null }).initPromise;
    (this as unknown as { initPromise: null }).initPromise = null;
    if (state) (await state).defaultConnection.closeSync();
  }
}

export const UtcDuckDBQuery = withUtcShortcut(DuckDBDriver.dialectClass() as never);
