import { join } from 'node:path';
import type { Command } from 'commander';
import { generateModel } from '../../model/generate-model.ts';
import { runCommand } from '../run-command.ts';

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('generate the Cube data model (model/) from metrics.yaml')
    .option('--check', 'write nothing; exit 1 when model/ is stale (for CI)')
    .option('--model <dir>', 'the Cube model directory', 'model')
    .action(
      runCommand(async (options: { check?: boolean; model: string }) => {
        const result = generateModel({ specFile: program.opts().spec, modelDir: options.model, check: options.check });
        const at = (paths: string[]) => paths.map((p) => `  ${join(options.model, p)}`).join('\n');
        if (options.check) {
          if (result.upToDate) {
            process.stdout.write(`${options.model}/ is up to date (${result.files.length} generated files)\n`);
            return 0;
          }
          const lines = [`${options.model}/ is stale: run \`npx activation generate\``];
          if (result.stale.length) lines.push(`missing or out of date:\n${at(result.stale)}`);
          if (result.obsolete.length) lines.push(`generated but no longer produced by the spec:\n${at(result.obsolete)}`);
          if (result.handWritten.length) lines.push(`hand-written files where generated ones belong:\n${at(result.handWritten)}`);
          process.stderr.write(`${lines.join('\n')}\n`);
          return 1;
        }
        const changed = result.stale.length + result.obsolete.length;
        process.stdout.write(
          changed === 0
            ? `${options.model}/ already up to date (${result.files.length} files)\n`
            : `${options.model}/: wrote ${result.stale.length}, removed ${result.obsolete.length} of ${result.files.length} generated files\n${at([...result.stale, ...result.obsolete])}\n`,
        );
      }),
    );
}
