/**
 * The benchmark of issue 5, as one function: datasets, measurements, ratios, the table and the
 * JSON. Order of a run (one database, source tables replaced per dataset):
 *   N events / D days:   full vs floor vs seed; queries mart vs raw; daily incremental ours vs seed
 *   4N / 4D:             full (scale point); daily incremental (history 4·D)
 *   16N / 16D:           full (scale point), without --quick
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateModel } from '../src/model/generate-model.ts';
import { compileModel } from '../src/query/cube-compiler.ts';
import { loadSpecFile } from '../src/spec/load-spec.ts';
import type { Engine } from '../src/warehouse/registry.ts';
import type { BenchContext } from './bench-context.ts';
import { openBenchDatabase } from './bench-database.ts';
import { measureFullBuilds, measureIncrementalSteps, type FullBuilds, type IncrementalSteps } from './build-steps.ts';
import { loadDataset, type Dataset } from './dataset.ts';
import type { Rounds, Timing } from './measure.ts';
import { measureQueries, type QueryComparison } from './query-steps.ts';
import { renderTable } from './report-table.ts';
import { runInfo, type RunInfo } from './run-info.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchOptions {
  engine: Engine;
  events: number;
  days: number;
  quick: boolean;
  /** Skip the 16N point of the scale curve (the 4N history the 240-day incremental needs stays). */
  noScale?: boolean;
  /** Events per user in the generated log (default: the demo's 20). */
  eventsPerUser?: number;
  /** PostgreSQL: a B-tree index on the logs' datetime (the README's advice). */
  timeIndex?: boolean;
  /** Where `<engine>-<N>.json` goes; default bench/results. */
  resultsDir?: string;
  /** Default: 1 warm-up + 5 runs, or + 3 with --quick. */
  rounds?: Rounds;
  log?: (line: string) => void;
}

export interface ScalePoint {
  targetEvents: number;
  events: number;
  days: number;
  full: Timing;
  msPerMillionEvents: number;
  /** Highest RSS sampled during this dataset's full builds. */
  peakRssBytes: number;
  engineMemoryBytes: number | null;
}

export interface BenchResult extends RunInfo {
  options: { engine: Engine; events: number; days: number; quick: boolean; noScale: boolean; eventsPerUser: number | null; timeIndex: boolean; rounds: Rounds; specFile: string };
  datasets: Omit<Dataset, 'plan'>[];
  builds: FullBuilds;
  incremental: { atD: IncrementalSteps; at4D: IncrementalSteps };
  queries: QueryComparison[];
  scale: ScalePoint[];
  ratios: Record<string, number>;
  /** Highest sampled RSS over every step at N (the 2 GiB target), and the process's peak over the whole run. */
  memory: { peakRssAtNBytes: number; processMaxRssBytes: number };
  checks: { rawMatchesMart: boolean; problems: string[] };
  totalMs: number;
}

export interface BenchOutcome {
  result: BenchResult;
  table: string;
  jsonFile: string;
  ok: boolean;
}

export async function runBenchmark(options: BenchOptions): Promise<BenchOutcome> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const rounds = options.rounds ?? { warmup: 1, runs: options.quick ? 3 : 5 };
  const specFile = join(REPO_ROOT, 'metrics.yaml');
  const spec = loadSpecFile(specFile);
  const db = await openBenchDatabase(options.engine);
  try {
    const modelDir = join(db.workDir, 'model');
    generateModel({ specFile, modelDir, engine: db.engine });
    const ctx: BenchContext = { db, spec, modelDir, compiled: await compileModel(modelDir), rounds, log, eventsPerUser: options.eventsPerUser, timeIndex: options.timeIndex ?? false };
    const info = runInfo(REPO_ROOT, db.engineVersion);
    const N = options.events;
    const D = options.days;

    // N events over D days: everything side by side.
    const a = await loadDataset(ctx, N, D);
    log('full build vs floor vs seed');
    const builds = await measureFullBuilds(ctx, true);
    const queries = await measureQueries(ctx);
    log('daily incremental steps, history D: ours vs seed');
    const atD = await measureIncrementalSteps(ctx, a, true);
    const scale: ScalePoint[] = [scalePoint(a, builds.full)];

    // 4N events over 4·D days: the same daily traffic with four times the history.
    const b = await loadDataset(ctx, 4 * N, 4 * D);
    log('full build, 4N');
    const fullB = await measureFullBuilds(ctx, false);
    log('daily incremental steps, history 4·D');
    const at4D = await measureIncrementalSteps(ctx, b, false);
    scale.push(scalePoint(b, fullB.full));

    const datasets = [a, b];
    if (!options.quick && !options.noScale) {
      const c = await loadDataset(ctx, 16 * N, 16 * D);
      log('full build, 16N');
      // Each run is 16 times the N build: three measured runs keep the median and the run time sane.
      const fullC = await measureFullBuilds(ctx, false, { warmup: 1, runs: Math.min(rounds.runs, 3) });
      scale.push(scalePoint(c, fullC.full));
      datasets.push(c);
    }

    const stepsAtN = [a.generate, builds.floor!, builds.full, builds.seed!, atD.ours, atD.seed!, ...queries.flatMap((q) => [q.mart, q.raw])];
    const memory = { peakRssAtNBytes: Math.max(...stepsAtN.map((t) => t.memory.sampledPeakRssBytes)), processMaxRssBytes: process.resourceUsage().maxRSS * 1024 };
    const problems = queries.filter((q) => !q.agree).map((q) => `${q.question}: raw and mart answers differ: ${q.differences.join('; ') || 'no cohorts'}`);

    const result: BenchResult = {
      ...info,
      options: { engine: options.engine, events: N, days: D, quick: options.quick, noScale: options.noScale ?? false, eventsPerUser: options.eventsPerUser ?? null, timeIndex: options.timeIndex ?? false, rounds, specFile },
      datasets: datasets.map(({ plan: _plan, ...rest }) => rest),
      builds,
      incremental: { atD, at4D },
      queries,
      scale,
      ratios: ratios(builds, atD, at4D, fullB, queries, scale),
      memory,
      checks: { rawMatchesMart: problems.length === 0, problems },
      totalMs: Math.round(performance.now() - started),
    };
    const resultsDir = options.resultsDir ?? join(REPO_ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const jsonFile = join(resultsDir, `${options.engine}-${N}${options.eventsPerUser ? `-${options.eventsPerUser}-events-per-user` : ''}${options.timeIndex ? '-time-index' : ''}.json`);
    writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
    return { result, table: renderTable(result), jsonFile, ok: result.checks.rawMatchesMart };
  } finally {
    await db.close();
  }
}

function scalePoint(dataset: Dataset, full: Timing): ScalePoint {
  return {
    targetEvents: dataset.targetEvents,
    events: dataset.events,
    days: dataset.days,
    full,
    msPerMillionEvents: full.medianMs / (dataset.events / 1e6),
    peakRssBytes: full.memory.sampledPeakRssBytes,
    engineMemoryBytes: full.memory.engineMemoryBytes,
  };
}

function ratios(builds: FullBuilds, atD: IncrementalSteps, at4D: IncrementalSteps, fullB: FullBuilds, queries: QueryComparison[], scale: ScalePoint[]): Record<string, number> {
  const r = (x: Timing | undefined, y: Timing | undefined) => (x && y ? x.medianMs / y.medianMs : Number.NaN);
  const perMillion = scale.map((s) => s.msPerMillionEvents);
  return {
    fullOverFloor: r(builds.full, builds.floor),
    // The same build without its funnel tables (the builder's own split of each run): issue 8's measure, before funnel tables existed.
    martFullOverFloor: builds.floor ? builds.withoutFunnelTablesMs / builds.floor.medianMs : Number.NaN,
    oursOverSeedFull: r(builds.full, builds.seed),
    // The seed's SQL builds the mart only: the same comparison for our mart part.
    martOursOverSeedFull: builds.seed ? builds.withoutFunnelTablesMs / builds.seed.medianMs : Number.NaN,
    oursOverSeedIncremental: r(atD.ours, atD.seed),
    incrementalOverFullAtD: r(atD.ours, builds.full),
    incrementalOverFullAt4D: r(at4D.ours, fullB.full),
    incrementalGrowth: r(at4D.ours, atD.ours),
    // Both sides without their funnel tables: issue 8's measure (the funnel tables have their own budget, below).
    martIncrementalOverFullAtD: atD.withoutFunnelTablesMs / builds.withoutFunnelTablesMs,
    martIncrementalOverFullAt4D: at4D.withoutFunnelTablesMs / fullB.withoutFunnelTablesMs,
    rawOverMartFunnel: r(queries[0]?.raw, queries[0]?.mart),
    rawOverMartSeedAdvanced: r(queries[1]?.raw, queries[1]?.mart),
    rawOverRollupFunnel: r(queries[0]?.raw, queries[0]?.rollup),
    rawOverRollupSeedAdvanced: r(queries[1]?.raw, queries[1]?.rollup),
    scaleFlatness: Math.max(...perMillion) / Math.min(...perMillion),
    funnelTablesShareOfFull: builds.funnelTablesMs / builds.withoutFunnelTablesMs,
    funnelTablesIncrementalMs: atD.funnelTablesMs,
  };
}
