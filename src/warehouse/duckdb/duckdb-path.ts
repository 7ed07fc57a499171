/**
 * The DuckDB file from Cube's CUBEJS_DB_DUCKDB_DATABASE_PATH, checked before DuckDB sees it.
 */
import { mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../user-error.ts';
import type { WarehouseEnv } from '../engine.ts';

export const DEFAULT_DUCKDB_PATH = 'data/activation.duckdb';

/** The DuckDB file the builder writes and Cube reads (Cube's own variable). */
export function duckdbPathFromEnv(env: WarehouseEnv = process.env): string {
  return env.CUBEJS_DB_DUCKDB_DATABASE_PATH || DEFAULT_DUCKDB_PATH;
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

export function explainDuckDBError(error: unknown, path: string): Error {
  const message = (error as Error)?.message ?? String(error);
  return new UserError('bad-duckdb-path', `${DUCKDB_VARIABLE}=${path}: DuckDB cannot open it: ${message.split('\n')[0]}`);
}
