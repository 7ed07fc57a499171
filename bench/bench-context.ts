/** What every measurement step shares: the database, the spec, the compiled model, the rounds. */
import type { CompiledModel } from '../src/query/cube-compiler.ts';
import type { MetricsSpec } from '../src/spec/spec-types.ts';
import type { BenchDatabase } from './bench-database.ts';
import type { Rounds } from './measure.ts';

export interface BenchContext {
  db: BenchDatabase;
  spec: MetricsSpec;
  modelDir: string;
  compiled: CompiledModel;
  rounds: Rounds;
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void;
  /** Events per user in generated logs (default: the demo generator's). */
  eventsPerUser?: number;
  /** PostgreSQL: a B-tree index on each generated log's datetime. */
  timeIndex?: boolean;
}
