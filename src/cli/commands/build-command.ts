import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { buildMart, type BuildStep } from '../../mart/build-mart.ts';
import { formatBuildReport } from '../../mart/build-report.ts';
import { loadSpecFile } from '../../spec/load-spec.ts';
import { connectWarehouse } from '../../warehouse/registry.ts';
import { runCommand } from '../run-command.ts';

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description('materialize the mart in the warehouse (incremental unless --full-refresh)')
    .option('--full-refresh', 'rebuild the mart from full history')
    .option('--json', 'print the build report as JSON')
    .action(
      runCommand(async (options: { fullRefresh?: boolean; json?: boolean }) => {
        const spec = loadSpecFile(program.opts().spec);
        const warehouse = await connectWarehouse();
        const progress = process.stderr.isTTY && !options.json ? new SingleBar({ format: 'build [{bar}] {value}/{total} {step}', stream: process.stderr, hideCursor: true }) : undefined;
        try {
          const report = await buildMart(warehouse, spec, {
            fullRefresh: options.fullRefresh,
            onStep: async (step, done, total) => {
              if (progress && done === 1) progress.start(total, 0, { step });
              progress?.update(done, { step });
              await pauseForTests(step);
            },
          });
          progress?.stop();
          process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBuildReport(report)}\n`);
        } finally {
          progress?.stop();
          await warehouse.close();
        }
      }),
    );
}

/**
 * Test hook: ACTIVATION_TEST_PAUSE_AFTER_STEP=<step> makes the build wait, mid-transaction,
 * after that step, so a test can kill the process there and check nothing was half-written.
 */
async function pauseForTests(step: BuildStep): Promise<void> {
  if (process.env.ACTIVATION_TEST_PAUSE_AFTER_STEP !== step) return;
  process.stderr.write(`paused after step: ${step}\n`);
  // A pending timer keeps the process (and its open transaction) alive until the test kills it.
  await new Promise(() => setInterval(() => undefined, 60_000));
}
