/**
 * The engines every feature test loops over, and their throwaway databases. Each engine's
 * harness (test/support/engines/<engine>.ts) starts its server once per run (test/global-setup.ts)
 * and makes a fresh database per test file.
 */
import { inject } from 'vitest';
import { ENGINES as ENGINE_DEFINITIONS, type Engine } from '../../src/warehouse/registry.ts';
import type { EngineCapabilities } from '../../src/warehouse/warehouse.ts';
import type { TestDatabase } from './engines/engine-harness.ts';
import { enginesUnderTest, HARNESSES } from './engines/harnesses.ts';

export type { TestDatabase } from './engines/engine-harness.ts';
export { enginesUnderTest, HARNESSES } from './engines/harnesses.ts';

/** What the builder may rely on for `engine` (tests that only make sense with transactions ask this). */
export function capabilitiesOf(engine: Engine): EngineCapabilities {
  return ENGINE_DEFINITIONS[engine].dialect.capabilities;
}

/** Every feature test loops over these. */
export const ENGINES: Engine[] = enginesUnderTest();

/** A fresh, empty database on `engine`, in the server the run's global setup started. */
export function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  return HARNESSES[engine].createDatabase(inject('servers')[engine] ?? {});
}
