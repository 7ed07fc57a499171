/**
 * The query measurements: each question through `activation query` on the mart (runCubeQuery with
 * the model compiled once and one driver held open, as a running Cube server holds both) and as raw SQL on the event log,
 * side by side; the last answers of both are compared cohort by cohort. Then the same query again
 * with the funnel's rollup built (what a Cube server serves once its refresh worker ran), which
 * must give the same answer.
 */
import { materializeRollups, type RollupDriver } from '../src/query/rollup-tables.ts';
import { compileCubeQuery, openCubeDriver, runCubeQuery } from '../src/query/run-cube-query.ts';
import type { BenchContext } from './bench-context.ts';
import type { CubeDriver } from '../src/warehouse/engine.ts';
import { compareFunnels, countsFromCube, countsFromRaw, cubeQuery, questions, rawFunnelSql, type FunnelCounts, type FunnelQuestion } from './funnel-queries.ts';
import { measureSideBySide, type Timing } from './measure.ts';

export interface QueryComparison {
  question: string;
  /** The mart's base tables (no rollup built). */
  mart: Timing;
  raw: Timing;
  /** The mart with the funnel's rollup built: the query reads the rollup table. */
  rollup: Timing;
  rollupTable: string | null;
  cohorts: number;
  /** Users counted at the first step over all cohorts, for a sanity check of the answer's size. */
  firstStepUsers: number;
  agree: boolean;
  differences: string[];
}

export async function measureQueries(ctx: BenchContext): Promise<QueryComparison[]> {
  const results: QueryComparison[] = [];
  const driver = await openCubeDriver(ctx.db.env);
  try {
    for (const question of questions(ctx.spec)) results.push(await measureQuestion(ctx, question, driver));
  } finally {
    await driver.release();
  }
  return results;
}

/**
 * Queries take milliseconds, where one run can differ from the next by half (the OS, garbage
 * collection): three times the build's runs steady their medians, the raw SQL's as much as ours.
 */
const queryRounds = (ctx: BenchContext) => ({ warmup: ctx.rounds.warmup, runs: ctx.rounds.runs * 3 });

async function measureQuestion(ctx: BenchContext, question: FunnelQuestion, driver: CubeDriver): Promise<QueryComparison> {
  const { warehouse } = ctx.db;
  ctx.log(`query: ${question.key}`);
  let fromMart: FunnelCounts = new Map();
  let fromRaw: FunnelCounts = new Map();
  const raw = rawFunnelSql(warehouse, ctx.spec, question);
  const timings = await measureSideBySide(
    warehouse,
    {
      mart: {
        run: async () => {
          const { data } = await runCubeQuery(cubeQuery(question), { modelDir: ctx.modelDir, env: ctx.db.env, compiled: ctx.compiled, driver, rollups: 'never' });
          fromMart = countsFromCube(question, data);
        },
      },
      raw: {
        run: async () => {
          fromRaw = countsFromRaw(question, await warehouse.query(raw.sql, raw.params));
        },
      },
    },
    queryRounds(ctx),
  );
  const rollupTable = await buildRollup(ctx, question);
  let fromRollup: FunnelCounts = new Map();
  let readTable: string | null = null;
  const { rollup } = await measureSideBySide(
    warehouse,
    {
      rollup: {
        run: async () => {
          const result = await runCubeQuery(cubeQuery(question), { modelDir: ctx.modelDir, env: ctx.db.env, compiled: ctx.compiled, driver });
          readTable = result.rollups[0]?.builtTable ?? null;
          fromRollup = countsFromCube(question, result.data);
        },
      },
    },
    queryRounds(ctx),
  );
  const differences = [...compareFunnels(fromMart, fromRaw), ...compareFunnels(fromRollup, fromRaw).map((d) => `rollup: ${d}`)];
  if (readTable === null || readTable !== rollupTable) differences.push(`the query did not read the built rollup ${rollupTable ?? '(none routed)'}`);
  return {
    question: question.key,
    ...timings,
    rollup,
    rollupTable,
    cohorts: fromMart.size,
    firstStepUsers: [...fromMart.values()].reduce((sum, counts) => sum + counts[0], 0),
    agree: differences.length === 0 && fromMart.size > 0,
    differences,
  };
}

/** Builds the rollup Cube's compiler routes this question to, as a Cube server's refresh worker would. */
async function buildRollup(ctx: BenchContext, question: Parameters<typeof cubeQuery>[0]): Promise<string | null> {
  const compiled = await compileCubeQuery(cubeQuery(question), { modelDir: ctx.modelDir, env: ctx.db.env, compiled: ctx.compiled, rollups: 'routed' });
  try {
    const [table] = await materializeRollups(compiled.driver as unknown as RollupDriver, compiled.rollupDescriptions);
    return table ?? null;
  } finally {
    await compiled.release();
  }
}
