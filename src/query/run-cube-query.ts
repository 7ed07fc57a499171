import { UserError } from '../user-error.ts';
import type { CubeDriver } from '../warehouse/engine.ts';
import { engineDefinition, type WarehouseEnv } from '../warehouse/registry.ts';
import { assertModelEngine, compileModel, type CompiledModel } from './cube-compiler.ts';
import { checkCubeQuery, compilerOptions, type CubeRestQuery } from './cube-query.ts';
import { findRollupTable, preAggregationsSchema, readFromBuilds, type RollupDescription, type RollupDriver, type RollupUse, WITHOUT_ROLLUPS } from './rollup-tables.ts';
import { shapeRows, type ResultRow } from './shape-result.ts';

export interface RunCubeQueryOptions {
  /** The Cube model directory (relative to cwd or absolute); default `model`. */
  modelDir?: string;
  /** Cube's CUBEJS_DB_* variables; default process.env. */
  env?: WarehouseEnv;
  /** A model already compiled with compileModel, to skip recompiling per query. */
  compiled?: CompiledModel;
  /**
   * `auto` (default): read a rollup when the query matches one and its current build exists,
   * else the base tables (see rollup-tables.ts). `never`: always the base tables. `routed`: the
   * compiler's routing as is (the unversioned rollup table name; for inspecting, not running).
   */
  rollups?: 'auto' | 'never' | 'routed';
  /**
   * A driver held open across queries (from openCubeDriver), as a Cube server holds its data
   * source's driver; the caller releases it. Default: a driver of its own per query, released after it.
   */
  driver?: CubeDriver;
}

/** Cube's driver on the warehouse `env` selects, to pass as `driver` to several queries; release it when done. */
export async function openCubeDriver(env: WarehouseEnv = process.env): Promise<CubeDriver> {
  const engine = engineDefinition(env);
  await engine.checkReady(env);
  return engine.cubeDriver(env);
}

export interface CubeQueryResult {
  /** Exactly REST `/load`'s `data`. */
  data: ResultRow[];
  sql: string;
  params: unknown[];
  /** The rollups the compiler routed the query to, and the build read (null: base tables read instead). */
  rollups: RollupUse[];
}

interface CubeQueryInstance {
  buildSqlAndParams(): [string, unknown[]];
  aliasNameToMember: Record<string, string>;
  preAggregations: { findPreAggregationForQuery(): unknown; preAggregationsDescription(): RollupDescription[] };
}

/** Cube's compile-time errors (unknown member, bad granularity, bad time zone) are the user's. */
function asUserError(error: unknown): Error {
  const e = error as Error;
  if (e?.name === 'UserError' || e?.constructor?.name === 'UserError' || /not found|Cannot find|Incorrect|Invalid/i.test(e?.message ?? '')) {
    return new UserError('invalid-query', e.message);
  }
  return e;
}

/** A time dimension must be a member of type time: Cube's SQL would cast the values of any other to a timestamp and fail in the warehouse. */
function checkTimeDimensions(query: CubeRestQuery, compiled: CompiledModel): void {
  const evaluator = compiled.cubeEvaluator as { byPathAnyType(path: string[]): { type?: string } };
  (query.timeDimensions ?? []).forEach((td, i) => {
    let type: string | undefined;
    try {
      type = evaluator.byPathAnyType(td.dimension.split('.'))?.type;
    } catch {
      return; // an unknown member: the compiler's own message follows
    }
    if (type !== undefined && type !== 'time') {
      throw new UserError('invalid-query', `Invalid query format: "timeDimensions[${i}].dimension": ${td.dimension} is a ${type} member, not a time dimension; put it in "dimensions"`);
    }
  });
}

/** The rollup's current build, or null; a failed lookup (no rights on the catalog, say) is a miss. */
async function currentBuild(driver: RollupDriver, d: RollupDescription): Promise<string | null> {
  try {
    return await findRollupTable(driver, d);
  } catch {
    return null;
  }
}

/**
 * Compiles the SQL for a REST query with Cube's compiler (JavaScript planner), without running it.
 * A query that matches a rollup reads its current build when the warehouse has one, else the base
 * tables (rollup-tables.ts explains why); that lookup is the only warehouse access here.
 * Callers release the driver with the returned `release`, which leaves a held driver (`options.driver`) open.
 */
export async function compileCubeQuery(query: CubeRestQuery, options: RunCubeQueryOptions = {}) {
  const env = options.env ?? process.env;
  checkCubeQuery(query, env);
  // The environment first, with the variable named: an unsupported engine, a DuckDB path that is no DuckDB file, a server that does not answer.
  const engine = engineDefinition(env);
  // A held driver was checked when it was opened (openCubeDriver).
  if (!options.driver) await engine.checkReady(env);
  if (!options.compiled) assertModelEngine(options.modelDir ?? 'model', engine.name);
  const compiled = options.compiled ?? (await compileModel(options.modelDir ?? 'model'));
  checkTimeDimensions(query, compiled);
  const QueryClass = (await engine.cubeQueryClass()) as new (c: CompiledModel, o: object) => CubeQueryInstance;
  const driver = options.driver ?? (await engine.cubeDriver(env));
  // Releases the driver when this query opened it; a held one stays open for the next query.
  const release = () => (options.driver ? Promise.resolve() : driver.release());
  const mode = options.rollups ?? 'auto';
  const build = (extra: object = {}) => {
    const cubeQuery = new QueryClass(compiled, {
      ...compilerOptions(query),
      // Tesseract (the native planner) is not available without @cubejs-backend/native.
      useNativeSqlPlanner: false,
      // The schema a Cube server on the same environment keeps its rollups in.
      preAggregationsSchema: preAggregationsSchema(env),
      ...(mode === 'never' && WITHOUT_ROLLUPS),
      ...extra,
    });
    const [sql, params] = cubeQuery.buildSqlAndParams();
    return { cubeQuery, sql, params };
  };
  let compiledQuery: ReturnType<typeof build>;
  let rollups: RollupUse[] = [];
  let rollupDescriptions: RollupDescription[] = [];
  try {
    compiledQuery = build();
    if (mode !== 'never' && compiledQuery.cubeQuery.preAggregations.findPreAggregationForQuery()) {
      rollupDescriptions = compiledQuery.cubeQuery.preAggregations.preAggregationsDescription().filter((d) => d.type === 'rollup');
      for (const d of rollupDescriptions) {
        rollups.push({ preAggregationId: d.preAggregationId, tableName: d.tableName, builtTable: mode === 'routed' ? null : await currentBuild(driver as unknown as RollupDriver, d) });
      }
      if (mode === 'auto') {
        if (rollups.every((r) => r.builtTable)) {
          compiledQuery.sql = readFromBuilds(compiledQuery.sql, rollups);
        } else {
          compiledQuery = build(WITHOUT_ROLLUPS);
          rollups = rollups.map((r) => ({ ...r, builtTable: null }));
        }
      }
    }
  } catch (error) {
    await release();
    throw asUserError(error);
  }
  const { cubeQuery, sql, params } = compiledQuery;
  const evaluator = compiled.cubeEvaluator as { byPathAnyType(path: string[]): { type?: string } };
  const isTimeMember = (member: string) => {
    try {
      return evaluator.byPathAnyType(member.split('.'))?.type === 'time';
    } catch {
      return false;
    }
  };
  return { sql, params, engine, driver, release, rollups, rollupDescriptions, aliasNameToMember: cubeQuery.aliasNameToMember, isTimeMember };
}

/**
 * Runs a Cube REST query over the model in `modelDir` on the warehouse the CUBEJS_DB_* variables
 * select, with Cube's own compiler and drivers; `data` is shaped like REST `/load`'s.
 */
export async function runCubeQuery(query: CubeRestQuery, options: RunCubeQueryOptions = {}): Promise<CubeQueryResult> {
  const { sql, params, driver, release, rollups, aliasNameToMember, isTimeMember, engine } = await compileCubeQuery(query, options);
  try {
    let rows: Record<string, unknown>[];
    try {
      rows = await driver.query(sql, params);
    } catch (error) {
      // The server down, or no such database: say which variable to fix.
      const unreachable = engine.explainError(error, options.env ?? process.env);
      if (unreachable) throw unreachable;
      throw new UserError('query-failed', `the warehouse rejected the query: ${(error as Error).message}`);
    }
    return { data: shapeRows(rows, aliasNameToMember, isTimeMember), sql, params, rollups };
  } finally {
    await release();
  }
}
