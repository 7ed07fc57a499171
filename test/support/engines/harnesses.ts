/** Every engine's test harness, and the engines a run tests. */
import { SUPPORTED_ENGINES, type Engine } from '../../../src/warehouse/registry.ts';
import { duckdbHarness } from './duckdb.ts';
import type { EngineHarness } from './engine-harness.ts';
import { postgresHarness } from './postgres.ts';
import { trinoHarness } from './trino.ts';

export const HARNESSES: Record<Engine, EngineHarness> = {
  duckdb: duckdbHarness,
  postgres: postgresHarness,
  trino: trinoHarness,
};

/**
 * The engines under test: all of them, unless ACTIVATION_TEST_ENGINES names a subset (a developer
 * without Java can leave Trino out locally; CI always runs every engine).
 */
export function enginesUnderTest(env: Record<string, string | undefined> = process.env): Engine[] {
  const wanted = env.ACTIVATION_TEST_ENGINES?.split(',').map((e) => e.trim()).filter(Boolean);
  if (!wanted) return [...SUPPORTED_ENGINES];
  const unknown = wanted.filter((e) => !(SUPPORTED_ENGINES as string[]).includes(e));
  if (unknown.length > 0) throw new Error(`ACTIVATION_TEST_ENGINES names unknown engines: ${unknown.join(', ')} (known: ${SUPPORTED_ENGINES.join(', ')})`);
  return wanted as Engine[];
}
