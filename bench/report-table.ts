/** The one table a run prints: every ratio against its target, then the timings behind them. */
import Table from 'cli-table3';
import type { BenchResult } from './benchmark.ts';
import type { Timing } from './measure.ts';
import { describeTarget, offBy, TARGETS, type Target } from './targets.ts';

const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x < 1 ? 3 : 2)}` : 'n/a');
const ms = (t: Timing | undefined) => (t ? `${(t.medianMs / 1000).toFixed(3)} s` : 'n/a');
const gib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024 ** 3).toFixed(2)} GiB`);
const millions = (n: number) => `${(n / 1e6).toLocaleString('en-US', { maximumFractionDigits: 2 })}M`;

export function renderTable(result: BenchResult): string {
  const { ratios: r, builds, incremental, queries, scale, memory, options } = result;
  const N = millions(options.events);
  const D = options.days;
  const table = new Table({ head: ['measure', 'value', 'target', 'off by'], style: { head: [], border: [] } });
  const withTarget = (label: string, value: number, target: Target, format = ratio) => table.push([label, format(value), describeTarget(target, format), offBy(value, target)]);
  const info = (label: string, value: string) => table.push([label, value, '', '']);

  withTarget(`full / floor (${N}, ${D} d)`, r.fullOverFloor, TARGETS.fullOverFloor);
  withTarget('full without the funnel tables / floor', r.martFullOverFloor, TARGETS.martFullOverFloor);
  withTarget('ours / seed, full build', r.oursOverSeedFull, TARGETS.oursOverSeedFull);
  withTarget('ours without the funnel tables / seed, full build', r.martOursOverSeedFull, TARGETS.martOursOverSeedFull);
  info('ours / seed, one incremental step', ratio(r.oursOverSeedIncremental));
  withTarget(`incremental / full, ${D} d history`, r.incrementalOverFullAtD, TARGETS.incrementalOverFullAtD);
  withTarget(`incremental / full, ${4 * D} d history`, r.incrementalOverFullAt4D, TARGETS.incrementalOverFullAt4D);
  withTarget(`the same without the funnel tables, ${D} d`, r.martIncrementalOverFullAtD, TARGETS.martIncrementalOverFullAtD);
  withTarget(`the same without the funnel tables, ${4 * D} d`, r.martIncrementalOverFullAt4D, TARGETS.martIncrementalOverFullAt4D);
  withTarget(`incremental ${4 * D} d / incremental ${D} d`, r.incrementalGrowth, TARGETS.incrementalGrowth);
  withTarget(`raw / funnel table: ${queries[0]?.question ?? 'query 1'}`, r.rawOverMartFunnel, TARGETS.rawOverMartFunnel);
  withTarget(`raw / funnel table: ${queries[1]?.question ?? 'query 2'}`, r.rawOverMartSeedAdvanced, TARGETS.rawOverMartSeedAdvanced);
  withTarget(`raw / rollup built: ${queries[0]?.question ?? 'query 1'}`, r.rawOverRollupFunnel, TARGETS.rawOverRollup);
  withTarget(`raw / rollup built: ${queries[1]?.question ?? 'query 2'}`, r.rawOverRollupSeedAdvanced, TARGETS.rawOverRollup);
  withTarget('funnel tables / rest of a full build', r.funnelTablesShareOfFull, TARGETS.funnelTablesShareOfFull);
  withTarget(`funnel tables in one incremental build (${D} d)`, r.funnelTablesIncrementalMs, TARGETS.funnelTablesIncrementalMs, (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a'));
  withTarget(`peak RSS at ${N} (sampled, any step)`, memory.peakRssAtNBytes, TARGETS.peakRssBytes, gib);
  withTarget(`time per 1M events, slowest / fastest (${scale.map((s) => millions(s.targetEvents)).join(', ')})`, r.scaleFlatness, TARGETS.scaleFlatness);

  info('floor | full | seed full (median)', `${ms(builds.floor)} | ${ms(builds.full)} | ${ms(builds.seed)}`);
  info(`incremental ${D} d: ours | seed`, `${ms(incremental.atD.ours)} | ${ms(incremental.atD.seed)}`);
  info(`incremental ${4 * D} d: ours`, ms(incremental.at4D.ours));
  for (const q of queries) info(`${q.question}: mart | rollup | raw`, `${ms(q.mart)} | ${ms(q.rollup)} | ${ms(q.raw)}  (${q.agree ? 'same answer' : 'ANSWERS DIFFER'}, ${q.cohorts} cohorts)`);
  for (const s of scale) {
    info(`full build ${millions(s.events)} events, ${s.days} d`, `${ms(s.full)}  = ${(s.msPerMillionEvents / 1000).toFixed(3)} s / 1M; peak RSS ${gib(s.peakRssBytes)}, engine ${gib(s.engineMemoryBytes)}`);
  }
  info('process max RSS, whole run', gib(memory.processMaxRssBytes));
  return table.toString();
}
