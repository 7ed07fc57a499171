import type { Command } from 'commander';
import { explainMissingRuntime, probeCubeRuntime } from '../../serve/cube-runtime.ts';
import { prepareToServe } from '../../serve/prepare-to-serve.ts';
import { startCubeServer } from '../../serve/start-cube-server.ts';
import { UserError } from '../../user-error.ts';
import { runCommand } from '../run-command.ts';

function port(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UserError('serve-bad-port', `--${name} must be a port number, got ${value}`);
    return n;
  };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description("check the model, build the mart, then serve it with Cube: REST on 4000, SQL API (Postgres protocol) on 15432")
    .option('--port <n>', 'REST API port (default $PORT or 4000)', port('port'))
    .option('--sql-port <n>', 'SQL API port (default $CUBEJS_PG_SQL_PORT or 15432)', port('sql-port'))
    .option('--model <dir>', 'the Cube model directory', 'model')
    .action(
      runCommand(async (options: { port?: number; sqlPort?: number; model: string }) => {
        // First, before touching anything: can Cube run here at all?
        const runtime = await probeCubeRuntime();
        if (!runtime.available) throw new UserError('cube-runtime-missing', explainMissingRuntime(runtime));
        const log = (line: string) => process.stderr.write(`${line}\n`);
        prepareToServe({ specFile: program.opts().spec, modelDir: options.model, log });
        process.env.CUBEJS_SCHEMA_PATH = options.model;
        const server = await startCubeServer(runtime.CubejsServer, {
          port: options.port ?? Number(process.env.PORT || 4000),
          sqlPort: options.sqlPort ?? Number(process.env.CUBEJS_PG_SQL_PORT || 15432),
        });
        log(`Cube ${server.version}: REST http://localhost:${server.port}/cubejs-api/v1, SQL API postgres://localhost:${server.sqlPort} (Ctrl+C to stop)`);
        await new Promise<void>((resolveStop) => {
          const stop = () => void server.stop().finally(resolveStop);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}
