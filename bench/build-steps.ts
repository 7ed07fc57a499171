/**
 * The build measurements: full build against the floor and the seed's full refresh (side by side),
 * and one incremental step of ours and of the seed's model, each restarted every run from the
 * state the full build left (snapshots, untimed).
 */
import { buildMart } from '../src/mart/build-mart.ts';
import type { BenchContext } from './bench-context.ts';
import { TableSnapshots } from './bench-database.ts';
import { buildFloor } from './floor-build.ts';
import { measureSideBySide, type Rounds, type Timing } from './measure.ts';
import { SEED_MART, seedFullRefresh, seedIncremental } from './seed/seed-model.ts';

export interface FullBuilds {
  floor?: Timing;
  full: Timing;
  seed?: Timing;
  martRows: number;
}

/** Full builds; with `compare`, the floor and the seed's model too. Leaves each one's last result in place. */
export async function measureFullBuilds(ctx: BenchContext, compare: boolean, rounds: Rounds = ctx.rounds): Promise<FullBuilds> {
  const { warehouse } = ctx.db;
  let martRows = 0;
  const full = {
    run: async () => {
      martRows = (await buildMart(warehouse, ctx.spec, { fullRefresh: true })).martRows;
    },
  };
  if (!compare) {
    const { full: timing } = await measureSideBySide(warehouse, { full }, rounds);
    return { full: timing, martRows };
  }
  const timings = await measureSideBySide(
    warehouse,
    { floor: { run: () => buildFloor(warehouse, ctx.spec) }, full, seed: { run: () => seedFullRefresh(warehouse, ctx.spec) } },
    rounds,
  );
  return { ...timings, martRows };
}

export interface IncrementalSteps {
  ours: Timing;
  seed?: Timing;
  /** The builder's report of its last incremental run: the mode and the rows it touched. */
  report: { mode: string; rowsScanned: number; rowsInserted: number; rowsUpdated: number; rowsDeleted: number };
}

/** Takes the snapshots an incremental step restarts from; call right after the full builds, before new data. */
export async function snapshotBuiltMarts(ctx: BenchContext, withSeed: boolean): Promise<TableSnapshots> {
  const snapshots = new TableSnapshots(ctx.db.warehouse);
  await snapshots.take(ctx.spec.mart.table);
  await snapshots.take(ctx.spec.mart.stateTable);
  if (withSeed) await snapshots.take(SEED_MART);
  return snapshots;
}

export async function measureIncrementalSteps(ctx: BenchContext, snapshots: TableSnapshots, withSeed: boolean): Promise<IncrementalSteps> {
  const { warehouse } = ctx.db;
  let report: IncrementalSteps['report'] | undefined;
  const ours = {
    prepare: async () => {
      await snapshots.restore(ctx.spec.mart.table);
      await snapshots.restore(ctx.spec.mart.stateTable);
    },
    run: async () => {
      const r = await buildMart(warehouse, ctx.spec);
      report = { mode: r.mode, rowsScanned: r.rowsScanned, rowsInserted: r.rowsInserted, rowsUpdated: r.rowsUpdated, rowsDeleted: r.rowsDeleted };
    },
  };
  const seed = { prepare: () => snapshots.restore(SEED_MART), run: () => seedIncremental(warehouse, ctx.spec) };
  const timings = withSeed ? await measureSideBySide(warehouse, { ours, seed }, ctx.rounds) : await measureSideBySide(warehouse, { ours }, ctx.rounds);
  if (report?.mode !== 'incremental') throw new Error(`the builder ran a ${report?.mode} build where an incremental one was measured; the snapshot restore is broken`);
  return { ...timings, report };
}
