/**
 * The build measurements: full build against the floor and the seed's full refresh (side by side),
 * and daily incremental steps of ours and of the seed's model.
 */
import { buildMart } from '../src/mart/build-mart.ts';
import type { BuildReport } from '../src/mart/build-report.ts';
import type { BenchContext } from './bench-context.ts';
import { appendOneDay, type Dataset } from './dataset.ts';
import { buildFloor } from './floor-build.ts';
import { measureSideBySide, type Rounds, type Timing } from './measure.ts';
import { seedFullRefresh, seedIncremental } from './seed/seed-model.ts';

export interface FullBuilds {
  floor?: Timing;
  full: Timing;
  seed?: Timing;
  martRows: number;
  /** Median, over the measured full builds, of the builder's own split: time on the funnel tables, and the rest. */
  funnelTablesMs: number;
  withoutFunnelTablesMs: number;
}

/** A timed build that ends when its writes are durable (BenchDatabase.settle). */
const settled = (ctx: BenchContext, build: () => Promise<unknown>) => async () => {
  await build();
  await ctx.db.settle();
};

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

/**
 * Our builds' own split, recorded after each timed run: the time on the funnel tables, and the rest
 * with BenchDatabase.settle, which our builds pay on the mart's side. Medians over the runs.
 */
function buildSplit(ctx: BenchContext) {
  const funnelMs: number[] = [];
  const restMs: number[] = [];
  return {
    async record(report: BuildReport): Promise<void> {
      const started = performance.now();
      await ctx.db.settle();
      funnelMs.push(report.funnelTablesMs);
      restMs.push(report.elapsedMs + (performance.now() - started) - report.funnelTablesMs);
    },
    medians: () => ({ funnelTablesMs: median(funnelMs), withoutFunnelTablesMs: median(restMs) }),
  };
}

/** Full builds; with `compare`, the floor and the seed's model too. Leaves each one's last result in place. */
export async function measureFullBuilds(ctx: BenchContext, compare: boolean, rounds: Rounds = ctx.rounds): Promise<FullBuilds> {
  const { warehouse } = ctx.db;
  let martRows = 0;
  const split = buildSplit(ctx);
  const full = {
    run: async () => {
      const report = await buildMart(warehouse, ctx.spec, { fullRefresh: true });
      martRows = report.martRows;
      await split.record(report);
    },
  };
  if (!compare) {
    const { full: timing } = await measureSideBySide(warehouse, { full }, rounds);
    return { full: timing, martRows, ...split.medians() };
  }
  const timings = await measureSideBySide(
    warehouse,
    { floor: { run: settled(ctx, () => buildFloor(warehouse, ctx.spec)) }, full, seed: { run: settled(ctx, () => seedFullRefresh(warehouse, ctx.spec)) } },
    rounds,
  );
  return { ...timings, martRows, ...split.medians() };
}

export interface IncrementalSteps {
  ours: Timing;
  seed?: Timing;
  /** Events appended per round (one day each), the last round's. */
  appendedEvents: number;
  /** The builder's report of its last incremental run: the mode and the rows it touched. */
  report: { mode: string; rowsScanned: number; rowsInserted: number; rowsUpdated: number; rowsDeleted: number; funnelTablesMs: number };
  /** Median time the incremental builds spent on the funnel tables. */
  funnelTablesMs: number;
  /** Median of the rest of each incremental build (its checkpoint included): the mart's part. */
  withoutFunnelTablesMs: number;
}

/**
 * Daily incremental builds, as they run in production: every round appends the next day (plus
 * its late events, untimed) and then times our incremental build and, with `withSeed`, the seed
 * model's incremental run on its own mart; both see the same new day. History grows by one day
 * per round, which is negligible next to D.
 */
export async function measureIncrementalSteps(ctx: BenchContext, dataset: Dataset, withSeed: boolean): Promise<IncrementalSteps> {
  const { warehouse } = ctx.db;
  let report: IncrementalSteps['report'] | undefined;
  let appendedEvents = 0;
  const split = buildSplit(ctx);
  const ours = {
    prepare: async () => {
      appendedEvents = (await appendOneDay(ctx, dataset)).appendedEvents;
    },
    run: async () => {
      const r = await buildMart(warehouse, ctx.spec);
      report = { mode: r.mode, rowsScanned: r.rowsScanned, rowsInserted: r.rowsInserted, rowsUpdated: r.rowsUpdated, rowsDeleted: r.rowsDeleted, funnelTablesMs: r.funnelTablesMs };
      await split.record(r);
    },
  };
  const seed = { run: settled(ctx, () => seedIncremental(warehouse, ctx.spec)) };
  const timings = withSeed ? await measureSideBySide(warehouse, { ours, seed }, ctx.rounds) : await measureSideBySide(warehouse, { ours }, ctx.rounds);
  if (report?.mode !== 'incremental') throw new Error(`the builder ran a ${report?.mode} build where an incremental one was measured`);
  return { ...timings, appendedEvents, report, ...split.medians() };
}
