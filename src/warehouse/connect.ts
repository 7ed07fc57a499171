import { mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { UserError } from '../user-error.ts';
import { DuckDBWarehouse } from './duckdb/duckdb-warehouse.ts';
import { PostgresWarehouse, type PostgresConfig } from './postgres/postgres-warehouse.ts';
import { BuildLockedError, type Warehouse } from './warehouse.ts';

export const DEFAULT_DUCKDB_PATH = 'data/activation.duckdb';

export type WarehouseEnv = Record<string, string | undefined>;

/** The engines the builder and `activation query` support; anything else is refused by name. */
export const SUPPORTED_ENGINES = ['duckdb', 'postgres'] as const;
export type Engine = (typeof SUPPORTED_ENGINES)[number];

/** Which engine Cube's own variables select (CUBEJS_DB_TYPE, default duckdb). */
export function engineFromEnv(env: WarehouseEnv = process.env): Engine {
  const type = (env.CUBEJS_DB_TYPE || 'duckdb').toLowerCase();
  if (!(SUPPORTED_ENGINES as readonly string[]).includes(type)) {
    throw new UserError(
      'unsupported-engine',
      `CUBEJS_DB_TYPE=${JSON.stringify(env.CUBEJS_DB_TYPE)} is not supported by activation-metrics; supported: ${SUPPORTED_ENGINES.join(', ')} (unset CUBEJS_DB_TYPE for the embedded DuckDB)`,
    );
  }
  return type as Engine;
}

/** The DuckDB file the builder writes and Cube reads (Cube's own variable). */
export function duckdbPathFromEnv(env: WarehouseEnv = process.env): string {
  return env.CUBEJS_DB_DUCKDB_DATABASE_PATH || DEFAULT_DUCKDB_PATH;
}

export function postgresConfigFromEnv(env: WarehouseEnv = process.env): PostgresConfig {
  const port = env.CUBEJS_DB_PORT || '5432';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new UserError('bad-environment', `CUBEJS_DB_PORT=${JSON.stringify(port)} is not a port number (1 to 65535)`);
  }
  return {
    host: env.CUBEJS_DB_HOST || 'localhost',
    port: Number(port),
    database: env.CUBEJS_DB_NAME || 'postgres',
    user: env.CUBEJS_DB_USER || 'postgres',
    ...(env.CUBEJS_DB_PASS !== undefined && { password: env.CUBEJS_DB_PASS }),
  };
}

/** Opens the warehouse Cube's CUBEJS_DB_* variables describe; a wrong variable is a UserError naming it. */
export async function connectWarehouse(env: WarehouseEnv = process.env): Promise<Warehouse> {
  if (engineFromEnv(env) === 'postgres') {
    const config = postgresConfigFromEnv(env);
    // First a probe with a connection timeout: a host that drops packets would otherwise hang the build for minutes.
    await checkPostgresReachable(config);
    try {
      return await PostgresWarehouse.open(config);
    } catch (error) {
      throw explainPostgresError(error, config) ?? error;
    }
  }
  const path = prepareDuckDBPath(duckdbPathFromEnv(env), { create: true });
  try {
    return await DuckDBWarehouse.open(path);
  } catch (error) {
    if (error instanceof BuildLockedError || error instanceof UserError) throw error;
    throw explainDuckDBError(error, path);
  }
}

const DUCKDB_VARIABLE = 'CUBEJS_DB_DUCKDB_DATABASE_PATH';
/** Where a database file cannot live: kernel interfaces, not file systems (/dev/shm, a tmpfs, is fine). */
const VIRTUAL_ROOTS = ['/proc', '/sys'];

/**
 * Checks the DuckDB path before DuckDB sees it and, with `create`, makes its missing parent
 * directories one level at a time (a recursive mkdir retries forever under /proc). Returns the
 * absolute path. A path that is a directory, is not a regular file, lives under /proc or /sys, or whose parent cannot be created is refused, naming CUBEJS_DB_DUCKDB_DATABASE_PATH.
 */
export function prepareDuckDBPath(databasePath: string, options: { create: boolean }): string {
  if (databasePath === ':memory:') return databasePath;
  const path = resolve(databasePath);
  const refuse = (why: string) => new UserError('bad-duckdb-path', `${DUCKDB_VARIABLE}=${databasePath}: ${why}. Point it at a DuckDB file (it is created when missing), e.g. ${DEFAULT_DUCKDB_PATH}`);
  const root = VIRTUAL_ROOTS.find((r) => path === r || path.startsWith(`${r}/`));
  if (root) throw refuse(`${path} is under ${root}, a kernel interface where no database file can live`);

  const existing = statOrUndefined(path, refuse);
  if (existing) {
    if (existing.isDirectory()) throw refuse(`${path} is a directory, not a DuckDB file`);
    if (!existing.isFile()) throw refuse(`${path} is not a regular file`);
    if (existing.size > 0 && !looksLikeDuckDB(path)) throw refuse(`${path} is not a DuckDB database file`);
    return path;
  }
  const missing: string[] = [];
  let dir = dirname(path);
  for (;;) {
    const stat = statOrUndefined(dir, refuse);
    if (stat) {
      if (!stat.isDirectory()) throw refuse(`${dir} is not a directory`);
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  if (!options.create) return path;
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse(`cannot create the directory ${m} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return path;
}

function statOrUndefined(path: string, refuse: (why: string) => Error) {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw refuse(`a parent of ${path} is a file, not a directory`);
    throw refuse(`cannot read ${path} (${code ?? (error as Error).message})`);
  }
}

/** A DuckDB file carries the magic "DUCK" at byte 8 of its first block. */
function looksLikeDuckDB(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = Buffer.alloc(12);
    const read = readSync(fd, header, 0, 12, 0);
    return read === 12 && header.subarray(8, 12).toString('latin1') === 'DUCK';
  } catch {
    // Unreadable: let DuckDB report it.
    return true;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function explainDuckDBError(error: unknown, path: string): Error {
  const message = (error as Error)?.message ?? String(error);
  return new UserError('bad-duckdb-path', `${DUCKDB_VARIABLE}=${path}: DuckDB cannot open it: ${message.split('\n')[0]}`);
}

const reachable = new Map<string, Promise<void>>();

/**
 * Connects once (per configuration and process) to check that PostgreSQL answers, for callers that
 * reach it through Cube's pooled driver, whose pool hides the cause behind a 20-second
 * "ResourceRequest timed out". Throws the UserError of explainPostgresError.
 */
export function checkPostgresReachable(config: PostgresConfig): Promise<void> {
  const key = JSON.stringify(config);
  let check = reachable.get(key);
  if (!check) {
    check = (async () => {
      const client = new pg.Client({ ...config, connectionTimeoutMillis: 15_000 });
      try {
        await client.connect();
      } catch (error) {
        reachable.delete(key);
        throw explainPostgresError(error, config) ?? error;
      } finally {
        await client.end().catch(() => undefined);
      }
    })();
    reachable.set(key, check);
  }
  return check;
}

const POSTGRES_HINT = 'check CUBEJS_DB_HOST, CUBEJS_DB_PORT, CUBEJS_DB_NAME, CUBEJS_DB_USER and CUBEJS_DB_PASS';

/** A connection failure of PostgreSQL, as a UserError naming the variable to fix; undefined when `error` is something else. */
export function explainPostgresError(error: unknown, config: PostgresConfig): UserError | undefined {
  const e = error as { code?: string; message?: string };
  const at = `${config.host}:${config.port}`;
  switch (e?.code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new UserError('postgres-unreachable', `PostgreSQL is not reachable at ${at} (CUBEJS_DB_HOST=${config.host}, CUBEJS_DB_PORT=${config.port}): ${e.code}. Is the server running? Otherwise ${POSTGRES_HINT}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError('postgres-unreachable', `PostgreSQL host ${JSON.stringify(config.host)} not found (CUBEJS_DB_HOST): ${e.code}`);
    case '3D000':
      return new UserError('postgres-no-database', `database ${JSON.stringify(config.database)} does not exist on ${at} (CUBEJS_DB_NAME=${config.database}); create it or point CUBEJS_DB_NAME at an existing one`);
    case '28P01':
    case '28000':
      return new UserError('postgres-auth', `PostgreSQL refused user ${JSON.stringify(config.user)} on ${at} (CUBEJS_DB_USER, CUBEJS_DB_PASS): ${e.message}`);
    case '57P03':
      return new UserError('postgres-unreachable', `PostgreSQL at ${at} is starting up or shutting down (${e.message}); try again shortly`);
    default:
      if (/timeout|terminated unexpectedly|Connection terminated/i.test(e?.message ?? '')) {
        return new UserError('postgres-unreachable', `PostgreSQL at ${at} did not answer (${e?.message}); ${POSTGRES_HINT}`);
      }
      return undefined;
  }
}
