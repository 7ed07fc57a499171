/**
 * `npm run bench -- [--events N] [--days D] [--engine duckdb|postgres|trino] [--quick] [--no-scale] [--events-per-user K] [--time-index]`:
 * prints the table, writes bench/results/<engine>-<N>[-<K>-events-per-user][-time-index].json, and exits non-zero when the raw
 * and mart answers disagree.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SUPPORTED_ENGINES, type Engine } from '../src/warehouse/registry.ts';
import { runBenchmark } from './benchmark.ts';

const FULL_EVENTS = 10_000_000;
const QUICK_EVENTS = 1_000_000;

function wholeNumber(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return n;
}

const program = new Command('bench')
  .description('benchmark the mart builder and the queries against the floor, the seed model and the raw log (issue 5)')
  .option('--events <n>', `events in the base dataset N (default ${FULL_EVENTS.toLocaleString('en-US')}, or ${QUICK_EVENTS.toLocaleString('en-US')} with --quick)`, wholeNumber)
  .option('--days <d>', 'days of history D of the base dataset', wholeNumber, 60)
  .addOption(new Option('--engine <engine>', 'warehouse').choices([...SUPPORTED_ENGINES]).default('duckdb'))
  .option('--quick', 'fewer runs and no 16N scale point', false)
  .option('--no-scale', 'skip the 16N point of the scale curve (keeps the 4N history of the long incremental)')
  .option('--events-per-user <k>', 'events per user in the generated logs (default 20, as the demo)', wholeNumber)
  .option('--time-index', 'PostgreSQL: give the generated logs a B-tree index on datetime, as the README advises (DuckDB and Trino prune without one)', false)
  .action(async (options: { events?: number; days: number; engine: Engine; quick: boolean; scale: boolean; eventsPerUser?: number; timeIndex: boolean }) => {
    if (options.timeIndex && options.engine !== 'postgres') program.error('bench: --time-index is for --engine postgres (DuckDB and Trino prune by datetime without an index)');
    const started = Date.now();
    const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
    const outcome = await runBenchmark({
      engine: options.engine,
      events: options.events ?? (options.quick ? QUICK_EVENTS : FULL_EVENTS),
      days: options.days,
      quick: options.quick,
      noScale: !options.scale,
      ...(options.eventsPerUser !== undefined && { eventsPerUser: options.eventsPerUser }),
      timeIndex: options.timeIndex,
      log,
    });
    process.stdout.write(`${outcome.table}\n`);
    process.stdout.write(`results: ${outcome.jsonFile}\n`);
    if (!outcome.ok) {
      process.stderr.write(`benchmark FAILED:\n${outcome.result.checks.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exitCode = 1;
    }
  });

await program.parseAsync(process.argv).catch((error: Error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  process.exitCode = 2;
});
