import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMart } from '../../src/mart/build-mart.ts';
import { generateModel } from '../../src/model/generate-model.ts';
import { compileModel, type CompiledModel } from '../../src/query/cube-compiler.ts';
import type { CubeRestQuery } from '../../src/query/cube-query.ts';
import { runCubeQuery } from '../../src/query/run-cube-query.ts';
import { parseSpec } from '../../src/spec/load-spec.ts';
import type { Engine } from '../../src/warehouse/registry.ts';
import { createTestDatabase, type TestDatabase } from './engines.ts';
import { createSources, type SourceEvent, type SourceUser } from './sources.ts';

export interface CubeFixture {
  db: TestDatabase;
  modelDir: string;
  specFile: string;
  compiled: CompiledModel;
  query(q: CubeRestQuery): Promise<Record<string, string | boolean | null>[]>;
  drop(): Promise<void>;
}

/** A database with the sources, the mart built by the real builder, and the model generated from `specText`. */
export async function createCubeFixture(engine: Engine, specText: string, data: { events: SourceEvent[]; users: SourceUser[] }): Promise<CubeFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'activation-model-'));
  const specFile = join(dir, 'metrics.yaml');
  writeFileSync(specFile, specText);
  const spec = parseSpec(specText, specFile);
  const db = await createTestDatabase(engine);
  const wh = await db.connect();
  try {
    await createSources(wh, data);
    await buildMart(wh, spec);
  } finally {
    await wh.close();
  }
  const modelDir = join(dir, 'model');
  generateModel({ specFile, modelDir, engine });
  const compiled = await compileModel(modelDir);
  return {
    db,
    modelDir,
    specFile,
    compiled,
    query: async (q) => (await runCubeQuery(q, { modelDir, env: db.env, compiled })).data,
    drop: () => db.drop(),
  };
}

/** metrics.yaml text for tests. */
export function specText(timezone: string, funnels: string): string {
  return `version: 1
timezone: ${timezone}
events: [key_event_1, key_event_2]
funnels:
${funnels}`;
}

export const coreSteps = `    steps:
      - event: first_visit
      - event: key_event_1
        within: { days: 1 }
      - event: key_event_2
        within: { days: 7 }
`;
