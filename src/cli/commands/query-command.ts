import { Option, type Command } from 'commander';
import { parseCubeQuery } from '../../query/cube-query.ts';
import { compileModel } from '../../query/cube-compiler.ts';
import { formatResult, type ResultFormat } from '../../query/format-result.ts';
import { memberDisplays } from '../../query/member-display.ts';
import { runCubeQuery } from '../../query/run-cube-query.ts';
import { runCommand } from '../run-command.ts';

export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description("run a Cube REST query (JSON) through Cube's compiler over model/ on the configured warehouse (CUBEJS_DB_*)")
    .argument('<json>', 'a Cube REST query: {"measures": [...], "dimensions": [...], "timeDimensions": [...], "filters": [...], ...}')
    .addOption(new Option('-f, --format <format>', 'output format; json is exactly REST /load data').choices(['table', 'json', 'csv']).default('table'))
    .option('--model <dir>', 'the Cube model directory', 'model')
    .option('--sql', 'also print the generated SQL and its parameters (to stderr)')
    .action(
      runCommand(async (json: string, options: { format: ResultFormat; model: string; sql?: boolean }) => {
        // The table shows percentages and durations, which it reads from the compiled model.
        const compiled = options.format === 'table' ? await compileModel(options.model) : undefined;
        const result = await runCubeQuery(parseCubeQuery(json), { modelDir: options.model, compiled });
        if (options.sql) process.stderr.write(`${result.sql}\n-- params: ${JSON.stringify(result.params)}\n`);
        const table = compiled && { displays: memberDisplays(compiled, Object.keys(result.data[0] ?? {})), color: Boolean(process.stdout.isTTY) };
        process.stdout.write(formatResult(result.data, options.format, table || {}));
      }),
    );
}
