import { UserError } from '../user-error.ts';
import type { WarehouseEnv } from '../warehouse/connect.ts';
import { compileModel, type CompiledModel } from './cube-compiler.ts';
import { cubeDriverFor } from './cube-drivers.ts';
import { checkCubeQuery, compilerOptions, type CubeRestQuery } from './cube-query.ts';
import { shapeRows, type ResultRow } from './shape-result.ts';

export interface RunCubeQueryOptions {
  /** The Cube model directory (relative to cwd or absolute); default `model`. */
  modelDir?: string;
  /** Cube's CUBEJS_DB_* variables; default process.env. */
  env?: WarehouseEnv;
  /** A model already compiled with compileModel, to skip recompiling per query. */
  compiled?: CompiledModel;
}

export interface CubeQueryResult {
  /** Exactly REST `/load`'s `data`. */
  data: ResultRow[];
  sql: string;
  params: unknown[];
}

interface CubeQueryInstance {
  buildSqlAndParams(): [string, unknown[]];
  aliasNameToMember: Record<string, string>;
}

/** Cube's compile-time errors (unknown member, bad granularity, bad time zone) are the user's. */
function asUserError(error: unknown): Error {
  const e = error as Error;
  if (e?.name === 'UserError' || e?.constructor?.name === 'UserError' || /not found|Cannot find|Incorrect|Invalid/i.test(e?.message ?? '')) {
    return new UserError('invalid-query', e.message);
  }
  return e;
}

/** Compiles the SQL for a REST query with Cube's compiler (JavaScript planner), without running it. */
export async function compileCubeQuery(query: CubeRestQuery, options: RunCubeQueryOptions = {}) {
  checkCubeQuery(query);
  const env = options.env ?? process.env;
  const compiled = options.compiled ?? (await compileModel(options.modelDir ?? 'model'));
  const { queryClass, driver, engine } = cubeDriverFor(env);
  let cubeQuery: CubeQueryInstance;
  let sql: string;
  let params: unknown[];
  try {
    cubeQuery = new (queryClass as unknown as new (c: CompiledModel, o: object) => CubeQueryInstance)(compiled, {
      ...compilerOptions(query),
      // Tesseract (the native planner) is not available without @cubejs-backend/native.
      useNativeSqlPlanner: false,
    });
    [sql, params] = cubeQuery.buildSqlAndParams();
  } catch (error) {
    await driver.release();
    throw asUserError(error);
  }
  const evaluator = compiled.cubeEvaluator as { byPathAnyType(path: string[]): { type?: string } };
  const isTimeMember = (member: string) => {
    try {
      return evaluator.byPathAnyType(member.split('.'))?.type === 'time';
    } catch {
      return false;
    }
  };
  return { sql, params, engine, driver, aliasNameToMember: cubeQuery.aliasNameToMember, isTimeMember };
}

/**
 * Runs a Cube REST query over the model in `modelDir` on the warehouse the CUBEJS_DB_* variables
 * select, with Cube's own compiler and drivers; `data` is shaped like REST `/load`'s.
 */
export async function runCubeQuery(query: CubeRestQuery, options: RunCubeQueryOptions = {}): Promise<CubeQueryResult> {
  const { sql, params, driver, aliasNameToMember, isTimeMember } = await compileCubeQuery(query, options);
  try {
    let rows: Record<string, unknown>[];
    try {
      rows = await driver.query(sql, params);
    } catch (error) {
      throw new UserError('query-failed', `the warehouse rejected the query: ${(error as Error).message}`);
    }
    return { data: shapeRows(rows, aliasNameToMember, isTimeMember), sql, params };
  } finally {
    await driver.release();
  }
}
