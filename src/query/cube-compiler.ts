/**
 * Cube's own JavaScript schema compiler, prepared for machines without `@cubejs-backend/native`.
 * The native (Rust) module cannot be installed here, so:
 *  - the YAML compiler's Jinja engine is a stub: this project generates plain YAML only, and a
 *    model file with Jinja delimiters is refused up front with a clear message;
 *  - queries use the JavaScript planner (`useNativeSqlPlanner: false`, see run-cube-query.ts),
 *    since Tesseract is native too.
 * Files are read by this module (not FileRepository, which joins every path onto process.cwd()).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { prepareCompiler } from '@cubejs-backend/schema-compiler';
import { UserError } from '../user-error.ts';
import { generatedForEngine } from '../model/render-model.ts';

/** The same test Cube applies (DataSchemaCompiler's JINJA_SYNTAX) to route a YAML file to Jinja. */
const JINJA_SYNTAX = /\{%|%\}|\{\{|\}\}/;

export interface CompiledModel {
  compiler: unknown;
  joinGraph: unknown;
  cubeEvaluator: unknown;
}

interface ModelFileText {
  fileName: string;
  content: string;
}

/** Reads the model's YAML files; refuses Jinja templates, which need Cube's native module. */
export function readModelFiles(modelDir: string): ModelFileText[] {
  const root = resolve(modelDir);
  if (!existsSync(root)) throw new UserError('model-not-found', `model directory ${modelDir} not found; run \`npx activation generate\` first`);
  const files: ModelFileText[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|js|jinja)$/.test(entry.name)) files.push({ fileName: relative(root, full).split('\\').join('/'), content: readFileSync(full, 'utf8') });
    }
  };
  walk(root);
  const jinja = files.filter((f) => f.fileName.endsWith('.jinja') || (/\.ya?ml$/.test(f.fileName) && JINJA_SYNTAX.test(f.content)));
  if (jinja.length > 0) {
    throw new UserError(
      'jinja-model',
      `${jinja.map((f) => join(modelDir, f.fileName)).join(', ')}: Jinja templates ({{ }}, {% %}) need Cube's native module, which is not available here; ` +
        'write plain YAML (a literal brace in a sql: string is written through CHR(123)/CHR(125))',
    );
  }
  if (files.length === 0) throw new UserError('model-empty', `no model files in ${modelDir}; run \`npx activation generate\` first`);
  return files;
}

/** Refuses a model generated for another engine than the one the query runs on: its SQL is that engine's. */
export function assertModelEngine(modelDir: string, engine: string): void {
  const other = readModelFiles(modelDir)
    .map((f) => ({ file: f.fileName, engine: generatedForEngine(f.content) }))
    .find((f) => f.engine !== undefined && f.engine !== engine);
  if (other) {
    throw new UserError(
      'model-other-engine',
      `${join(modelDir, other.file)} was generated for ${other.engine}, but CUBEJS_DB_TYPE selects ${engine}: its SQL is ${other.engine}'s. Run \`CUBEJS_DB_TYPE=${engine} npx activation generate\` to write the model for ${engine}`,
    );
  }
}

/** Compiles `modelDir` with Cube's compiler; Cube's own messages for model errors. */
export async function compileModel(modelDir: string): Promise<CompiledModel> {
  const files = readModelFiles(modelDir);
  const repository = { localPath: () => resolve(modelDir), dataSchemaFiles: async () => files };
  // The YAML compiler always creates a Jinja engine; nothing here is Jinja (checked above).
  const nativeInstance = { newJinjaEngine: () => ({}) };
  const { compiler, joinGraph, cubeEvaluator } = prepareCompiler(repository as never, { nativeInstance } as never);
  try {
    await compiler.compile();
  } catch (error) {
    throw new UserError('model-invalid', `the Cube model in ${modelDir} does not compile: ${(error as Error).message}`);
  }
  return { compiler, joinGraph, cubeEvaluator };
}
