/**
 * The benchmark (issue 5) at a tiny size, so it cannot rot: it runs end to end, prints its table,
 * writes its JSON, its ratios are real numbers, and the raw-log and mart answers agree. No timing
 * is asserted: the numbers at this size mean nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchmark, type BenchOutcome } from '../bench/benchmark.ts';

describe('npm run bench -- --quick at a tiny size', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'activation-bench-results-'));
  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));
  let outcome: BenchOutcome;

  it('runs every step and the raw-vs-mart check passes', async () => {
    outcome = await runBenchmark({ engine: 'duckdb', events: 20_000, days: 7, quick: true, resultsDir, rounds: { warmup: 1, runs: 1 } });
    expect(outcome.result.checks).toEqual({ rawMatchesMart: true, problems: [] });
    expect(outcome.ok).toBe(true);
    for (const q of outcome.result.queries) {
      expect(q.agree).toBe(true);
      expect(q.cohorts).toBe(7);
      expect(q.firstStepUsers).toBeGreaterThan(0);
    }
    expect(outcome.result.incremental.atD.report.mode).toBe('incremental');
    expect(outcome.result.incremental.at4D.report.mode).toBe('incremental');
    expect(outcome.result.scale.map((s) => s.targetEvents)).toEqual([20_000, 80_000]);
  }, 60_000);

  it('prints the table with every ratio against its target', () => {
    for (const label of ['full / floor', 'ours / seed, full build', 'ours / seed, one incremental step', 'incremental / full, 7 d history', 'incremental / full, 28 d history', 'raw / funnel table: funnel by cohort day', 'raw / funnel table: seed advanced (US)', 'funnel tables / rest of a full build', 'funnel tables in one incremental build', 'peak RSS', 'time per 1M events']) {
      expect(outcome.table).toContain(label);
    }
  });

  it('writes <engine>-<N>.json with the machine, the versions and sane ratios', () => {
    expect(outcome.jsonFile).toBe(join(resultsDir, 'duckdb-20000.json'));
    const json = JSON.parse(readFileSync(outcome.jsonFile, 'utf8'));
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.versions.engine).toMatch(/^DuckDB v/);
    expect(json.versions.cube).toMatch(/^\d+\.\d+\.\d+/);
    expect(json.options).toMatchObject({ engine: 'duckdb', events: 20_000, days: 7, quick: true });
    const ratios = Object.entries(json.ratios as Record<string, number>);
    expect(ratios.map(([name]) => name).sort()).toEqual(
      ['fullOverFloor', 'incrementalGrowth', 'incrementalOverFullAt4D', 'incrementalOverFullAtD', 'oursOverSeedFull', 'oursOverSeedIncremental', 'rawOverMartFunnel', 'rawOverMartSeedAdvanced', 'rawOverRollupFunnel', 'rawOverRollupSeedAdvanced', 'scaleFlatness', 'funnelTablesShareOfFull', 'funnelTablesIncrementalMs', 'martFullOverFloor', 'martOursOverSeedFull', 'martIncrementalOverFullAtD', 'martIncrementalOverFullAt4D'].sort(),
    );
    for (const [name, value] of ratios) expect(Number.isFinite(value) && value > 0, `${name} = ${value}`).toBe(true);
    expect(json.memory.peakRssAtNBytes).toBeGreaterThan(0);
    expect(json.builds.full.runsMs).toHaveLength(1);
  });
});
