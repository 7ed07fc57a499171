/**
 * What one engine brings (kysely's Dialect, Malloy's dialect map): its SQL dialect, how Cube's
 * CUBEJS_DB_* variables open it, and Cube's driver and query class for it. Each engine's
 * definition lives in its folder (`src/warehouse/<engine>/<engine>-engine.ts`) and is listed in
 * registry.ts; nothing outside the folder branches on the engine.
 *
 * cube.js imports the registry through Node's type stripping, so definitions use erasable
 * TypeScript only and load their warehouse and Cube driver lazily.
 */
import type { UserError } from '../user-error.ts';
import type { Dialect, Warehouse } from './warehouse.ts';

/** Cube's variables (process.env or a test's copy). */
export type WarehouseEnv = Record<string, string | undefined>;

/** Cube's driver, as `activation query` uses it. */
export interface CubeDriver {
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  release(): Promise<void>;
}

/** One of Cube's query classes (BaseQuery subclasses): they render a compiled model as the engine's SQL. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CubeQueryClass = new (...args: any[]) => any;

export interface EngineDefinition {
  /** CUBEJS_DB_TYPE's value for it. */
  readonly name: string;
  readonly dialect: Dialect;
  /** The CUBEJS_DB_* variables it reads, for messages. */
  readonly variables: readonly string[];
  /** How to point the demo at a database of its own (the demo's refusal names it). */
  readonly separateDatabaseHint: string;
  /** Opens the warehouse the variables describe; a wrong variable or an unreachable server is a UserError naming the variable. */
  connect(env: WarehouseEnv): Promise<Warehouse>;
  /** Before a Cube query: the database is there and answers, else a UserError naming the variable. */
  checkReady(env: WarehouseEnv): Promise<void>;
  /** A failure of Cube's driver as a UserError naming the variable to fix; undefined for anything else. */
  explainError(error: unknown, env: WarehouseEnv): UserError | undefined;
  /** Cube's query class for the engine, without the row-by-row conversion of UTC queries (src/query/utc-session-query.ts). */
  cubeQueryClass(): Promise<CubeQueryClass>;
  /** Cube's own driver on the database the variables describe, for `activation query`. */
  cubeDriver(env: WarehouseEnv): Promise<CubeDriver>;
  /** What cube.js's driverFactory returns: a config Cube's server creates its driver from, or a driver. */
  cubeServerDriver(env: WarehouseEnv): Promise<unknown>;
}
