/**
 * Before Cube starts: the model must match metrics.yaml and the mart must exist and be fresh.
 * The build runs in a child process on purpose: DuckDB lets one process hold a database file,
 * and the Cube server (in this process) must be the one holding it once it starts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateModel } from '../model/generate-model.ts';
import { UserError } from '../user-error.ts';

const CLI = fileURLToPath(new URL('../../bin/activation.js', import.meta.url));

export interface PrepareOptions {
  specFile: string;
  modelDir: string;
  log: (line: string) => void;
}

export function prepareToServe({ specFile, modelDir, log }: PrepareOptions): void {
  const model = generateModel({ specFile, modelDir, check: true });
  if (model.handWritten.length > 0) {
    throw new UserError('model-hand-written', `${modelDir}/ has hand-written files where generated ones belong (${model.handWritten.join(', ')}); move them and run \`npx activation generate\``);
  }
  if (!model.upToDate) {
    const written = generateModel({ specFile, modelDir });
    log(`${modelDir}/ was stale for ${specFile}: regenerated ${written.stale.length} and removed ${written.obsolete.length} files`);
  } else {
    log(`${modelDir}/ is up to date with ${specFile}`);
  }
  // Incremental when the mart exists (cheap, picks up new events), full when it does not.
  const build = spawnSync(process.execPath, [CLI, '--spec', specFile, 'build'], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (build.status !== 0) {
    throw new UserError('serve-build-failed', `the mart build failed (exit ${build.status ?? build.signal}); fix the problem above, or run \`npx activation build\` to see it on its own`);
  }
}
