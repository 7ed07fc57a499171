/**
 * The query measurements: each question through `activation query` on the mart (runCubeQuery with
 * the model compiled once, as a running Cube server holds it) and as raw SQL on the event log,
 * side by side; the last answers of both are compared cohort by cohort.
 */
import { runCubeQuery } from '../src/query/run-cube-query.ts';
import type { BenchContext } from './bench-context.ts';
import { compareFunnels, countsFromCube, countsFromRaw, cubeQuery, questions, rawFunnelSql, type FunnelCounts } from './funnel-queries.ts';
import { measureSideBySide, type Timing } from './measure.ts';

export interface QueryComparison {
  question: string;
  mart: Timing;
  raw: Timing;
  cohorts: number;
  /** Users counted at the first step over all cohorts, for a sanity check of the answer's size. */
  firstStepUsers: number;
  agree: boolean;
  differences: string[];
}

export async function measureQueries(ctx: BenchContext): Promise<QueryComparison[]> {
  const { warehouse } = ctx.db;
  const results: QueryComparison[] = [];
  for (const question of questions(ctx.spec)) {
    ctx.log(`query: ${question.key}`);
    let fromMart: FunnelCounts = new Map();
    let fromRaw: FunnelCounts = new Map();
    const raw = rawFunnelSql(warehouse, ctx.spec, question);
    const timings = await measureSideBySide(
      warehouse,
      {
        mart: {
          run: async () => {
            const { data } = await runCubeQuery(cubeQuery(question), { modelDir: ctx.modelDir, env: ctx.db.env, compiled: ctx.compiled });
            fromMart = countsFromCube(question, data);
          },
        },
        raw: {
          run: async () => {
            fromRaw = countsFromRaw(question, await warehouse.query(raw.sql, raw.params));
          },
        },
      },
      ctx.rounds,
    );
    const differences = compareFunnels(fromMart, fromRaw);
    results.push({
      question: question.key,
      ...timings,
      cohorts: fromMart.size,
      firstStepUsers: [...fromMart.values()].reduce((sum, counts) => sum + counts[0], 0),
      agree: differences.length === 0 && fromMart.size > 0,
      differences,
    });
  }
  return results;
}
