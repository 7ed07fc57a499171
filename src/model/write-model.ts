import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UserError } from '../user-error.ts';
import { GENERATED_MARKER } from './render-model.ts';

export interface ModelDiff {
  /** Generated files that would be created or changed. */
  stale: string[];
  /** Files carrying the generated header that the spec no longer produces. */
  obsolete: string[];
  /** Files in the way that are hand-written (no header): never overwritten. */
  handWritten: string[];
}

const isGenerated = (text: string) => text.startsWith(GENERATED_MARKER);

/** Compares the rendered model with what is on disk under `modelDir`. */
export function diffModel(files: Map<string, string>, modelDir: string): ModelDiff {
  const diff: ModelDiff = { stale: [], obsolete: [], handWritten: [] };
  for (const [path, text] of files) {
    const target = join(modelDir, path);
    if (!existsSync(target)) {
      diff.stale.push(path);
      continue;
    }
    const current = readFileSync(target, 'utf8');
    if (!isGenerated(current)) diff.handWritten.push(path);
    else if (current !== text) diff.stale.push(path);
  }
  for (const path of listYaml(modelDir)) {
    if (!files.has(path) && isGenerated(readFileSync(join(modelDir, path), 'utf8'))) diff.obsolete.push(path);
  }
  return diff;
}

/**
 * Writes the model all or nothing: every file goes to a temp file beside its target first, and
 * only when all are written are they renamed into place; obsolete generated files are removed.
 * Refuses (writing nothing) when a hand-written file stands where a generated one would go.
 */
export function writeModel(files: Map<string, string>, modelDir: string): ModelDiff {
  const diff = diffModel(files, modelDir);
  if (diff.handWritten.length > 0) {
    throw new UserError(
      'hand-written-model-file',
      `refusing to overwrite hand-written file(s) without the generated header: ${diff.handWritten.map((p) => join(modelDir, p)).join(', ')}; rename them or delete them`,
    );
  }
  const temps: [string, string][] = [];
  try {
    for (const path of diff.stale) {
      const target = join(modelDir, path);
      mkdirSync(dirname(target), { recursive: true });
      const temp = `${target}.${process.pid}.tmp`;
      writeFileSync(temp, files.get(path)!);
      temps.push([temp, target]);
    }
  } catch (error) {
    for (const [temp] of temps) rmSync(temp, { force: true });
    throw error;
  }
  for (const [temp, target] of temps) renameSync(temp, target);
  for (const path of diff.obsolete) rmSync(join(modelDir, path));
  return diff;
}

/** YAML files under `dir`, as paths relative to it. */
function listYaml(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
