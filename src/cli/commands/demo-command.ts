import type { Command } from 'commander';
import { generateDemoData, DEMO_DEFAULTS } from '../../demo/generate-demo-data.ts';
import { formatDemoSummary } from '../../demo/demo-summary.ts';
import { formatFunnelByWeek, funnelByWeek } from '../../demo/funnel-by-week.ts';
import { assertBuildTargetsOwned, buildMart } from '../../mart/build-mart.ts';
import { formatBuildReport } from '../../mart/build-report.ts';
import { generateModel } from '../../model/generate-model.ts';
import { loadSpecFile } from '../../spec/load-spec.ts';
import { UserError } from '../../user-error.ts';
import { connectWarehouse } from '../../warehouse/registry.ts';
import { runCommand } from '../run-command.ts';

function wholeNumber(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new UserError('demo-bad-option', `--${name} must be a whole number, got ${value}`);
    return Number(value);
  };
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('generate realistic demo events into the warehouse, build the mart and the model, and print the funnel by cohort week')
    .option('--users <n>', `users with a first visit in the period (default ${DEMO_DEFAULTS.users.toLocaleString('en-US')})`, wholeNumber('users'))
    .option('--events <n>', `target event rows (default users × ${DEMO_DEFAULTS.eventsPerUser})`, wholeNumber('events'))
    .option('--days <n>', `days of history (default ${DEMO_DEFAULTS.days})`, wholeNumber('days'))
    .option('--seed <n>', `random seed (default ${DEMO_DEFAULTS.seed})`, wholeNumber('seed'))
    .option('--end-date <date>', `last day of history, YYYY-MM-DD (default ${DEMO_DEFAULTS.endDate})`)
    .option('--model <dir>', 'the Cube model directory', 'model')
    .option('--replace-sources', "drop and replace the spec's source tables even if they exist and were not made by the demo (they may hold real data)")
    .action(
      runCommand(async (options: { users?: number; events?: number; days?: number; seed?: number; endDate?: string; model: string; replaceSources?: boolean }) => {
        const specFile: string = program.opts().spec;
        const spec = loadSpecFile(specFile);
        const warehouse = await connectWarehouse();
        try {
          // The full refresh after the load must be allowed to write its tables (the same check as
          // buildMart's): refuse before the sources are written, so a refusal changes nothing.
          await assertBuildTargetsOwned(warehouse, spec);
          process.stderr.write(`generating demo data into ${warehouse.description} …\n`);
          const summary = await generateDemoData(warehouse, {
            users: options.users,
            events: options.events,
            days: options.days,
            seed: options.seed,
            endDate: options.endDate,
            tables: { events: spec.sources.events, users: spec.sources.users },
            replaceSources: options.replaceSources,
          });
          process.stdout.write(`${formatDemoSummary(summary)}\n\n`);
          // The sources were replaced wholesale, so the mart is rebuilt from scratch.
          const report = await buildMart(warehouse, spec, { fullRefresh: true });
          process.stdout.write(`${formatBuildReport(report)}\n\n`);
        } finally {
          await warehouse.close();
        }
        const model = generateModel({ specFile, modelDir: options.model });
        process.stdout.write(`${options.model}/: ${model.stale.length === 0 ? 'already up to date' : `wrote ${model.stale.length} files`}\n\n`);
        const funnel = spec.funnels.find((f) => f.name === 'core_activation') ?? spec.funnels[0];
        if (!funnel) return 0;
        process.stdout.write(`${formatFunnelByWeek(funnel, await funnelByWeek(funnel, { modelDir: options.model }))}\n\n`);
        process.stdout.write(`Next: \`npx activation query '{"measures":["${funnel.name}.${funnel.steps[1]?.name ?? funnel.steps[0].name}_users"],"dimensions":["${funnel.name}.country"]}'\`, or \`npm start\` to serve it over Cube's REST and SQL APIs.\n`);
      }),
    );
}
