/**
 * One synthetic log of the demo generator (seeded): `events` rows over `days` days, and one more
 * day appended later for the incremental step. Every dataset of a run keeps the same daily
 * traffic, so 4·N events is 4·D days of history: longer history, same new day.
 */
import { appendDemoDays, generateDemoData, type DemoPlan } from '../src/demo/generate-demo-data.ts';
import type { BenchContext } from './bench-context.ts';
import { measureOnce, type Timing } from './measure.ts';

export interface Dataset {
  targetEvents: number;
  days: number;
  /** Rows in the events table, counted after loading. */
  events: number;
  users: number;
  generate: Timing;
  plan: DemoPlan;
}

export const BENCH_SEED = 20250125;

export async function loadDataset(ctx: BenchContext, targetEvents: number, days: number): Promise<Dataset> {
  ctx.log(`generating ${targetEvents.toLocaleString('en-US')} events over ${days} days`);
  let plan: DemoPlan | undefined;
  let users = 0;
  const generate = await measureOnce(ctx.db.warehouse, async () => {
    const summary = await generateDemoData(ctx.db.warehouse, { events: targetEvents, ...(ctx.eventsPerUser && { users: Math.max(1, Math.round(targetEvents / ctx.eventsPerUser)) }), days, seed: BENCH_SEED, tables: { events: ctx.spec.sources.events, users: ctx.spec.sources.users } });
    plan = summary.plan;
    users = summary.users;
    if (ctx.timeIndex) {
      // With the statistics autovacuum would gather after such a load (the planner's estimates
      // for the newest rows then come from the index itself).
      await ctx.db.warehouse.run(`CREATE INDEX ON ${ctx.db.warehouse.dialect.quoteIdentifier(ctx.spec.sources.events)} ("datetime")`);
      await ctx.db.warehouse.refreshStatistics(ctx.spec.sources.events);
    }
  });
  await ctx.db.settle();
  return { targetEvents, days, events: await countEvents(ctx), users, generate, plan: plan! };
}

/** Appends the next day's arrivals (new users, their events, and late events of the days before). */
export async function appendOneDay(ctx: BenchContext, dataset: Dataset): Promise<{ appendedEvents: number }> {
  const before = await countEvents(ctx);
  const summary = await appendDemoDays(ctx.db.warehouse, dataset.plan, 1);
  dataset.plan = summary.plan;
  // The loader's writes are made durable by the loader, untimed: the build after it pays only for its own.
  await ctx.db.settle();
  const after = await countEvents(ctx);
  ctx.log(`appended ${summary.loaded.to}: ${(after - before).toLocaleString('en-US')} events (${summary.lateEvents} late)`);
  return { appendedEvents: after - before };
}

async function countEvents(ctx: BenchContext): Promise<number> {
  const [row] = await ctx.db.warehouse.query(`SELECT COUNT(*) AS n FROM ${ctx.db.warehouse.dialect.quoteIdentifier(ctx.spec.sources.events)}`);
  return Number(row.n);
}
