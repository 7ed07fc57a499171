import { createRequire } from 'node:module';
import { Command } from 'commander';
import { registerBuildCommand } from './commands/build-command.ts';
import { registerDemoCommand } from './commands/demo-command.ts';
import { registerGenerateCommand } from './commands/generate-command.ts';
import { registerQueryCommand } from './commands/query-command.ts';
import { registerServeCommand } from './commands/serve-command.ts';
import { registerValidateCommand } from './commands/validate-command.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('activation')
  .description('First-activation funnel metrics on Cube: build the mart, generate the model, query it.')
  .version(version)
  .option('-s, --spec <file>', 'path to metrics.yaml', 'metrics.yaml')
  .showHelpAfterError();

registerValidateCommand(program);
registerGenerateCommand(program);
registerBuildCommand(program);
registerQueryCommand(program);
registerDemoCommand(program);
registerServeCommand(program);

await program.parseAsync();
