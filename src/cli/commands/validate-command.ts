import type { Command } from 'commander';
import { loadSpecFile } from '../../spec/load-spec.ts';
import { runCommand } from '../run-command.ts';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check metrics.yaml against its schema and rules; every problem is listed with file:line:column')
    .action(
      runCommand(async () => {
        const specFile: string = program.opts().spec;
        const spec = loadSpecFile(specFile);
        process.stdout.write(`${specFile} is valid: ${spec.events.length} tracked event(s), ${spec.funnels.length} funnel(s) (${spec.funnels.map((f) => `${f.name}: ${f.order}`).join(', ')})\n`);
      }),
    );
}
