import { loadSpecFile } from '../spec/load-spec.ts';
import { ENGINES, engineFromEnv, type Engine } from '../warehouse/registry.ts';
import { renderModel } from './render-model.ts';
import { diffModel, writeModel, type ModelDiff } from './write-model.ts';

export interface GenerateOptions {
  /** metrics.yaml; default `metrics.yaml`. */
  specFile?: string;
  /** The Cube model directory; default `model`. */
  modelDir?: string;
  /** Only compare: write nothing. */
  check?: boolean;
  /** The engine whose SQL the model holds; default the one CUBEJS_DB_TYPE selects. */
  engine?: Engine;
}

export interface GenerateResult extends ModelDiff {
  /** Every generated file's path under modelDir. */
  files: string[];
  /** True when the model on disk matches the spec (nothing stale, obsolete or in the way). */
  upToDate: boolean;
}

/**
 * metrics.yaml → the Cube model under `modelDir`. Validation runs first (SpecError, nothing written);
 * with `check`, only reports what is stale.
 */
export function generateModel(options: GenerateOptions = {}): GenerateResult {
  const specFile = options.specFile ?? 'metrics.yaml';
  const modelDir = options.modelDir ?? 'model';
  const engine = options.engine ?? engineFromEnv();
  const files = renderModel(loadSpecFile(specFile), specFile, ENGINES[engine].dialect);
  const diff = options.check ? diffModel(files, modelDir) : writeModel(files, modelDir);
  const upToDate = diff.stale.length + diff.obsolete.length + diff.handWritten.length === 0;
  return { ...diff, files: [...files.keys()], upToDate };
}
