/**
 * The seed article's dbt model, run the way dbt would run it: the SELECT of each branch comes
 * from `bench/seed/<engine>/*.sql` (rendered like dbt's Jinja, with the tracked events bound),
 * and the materialization around it is dbt's:
 *  - full refresh: CREATE TABLE this AS <select> (dbt builds a new relation and swaps it in);
 *  - incremental (insert_overwrite, partition_by date): the SELECT into a temp table, then every
 *    partition (date) it touches is replaced: rows of those dates are deleted, the temp rows
 *    inserted. That is BigQuery's dynamic insert_overwrite MERGE, in one transaction.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricsSpec } from '../../src/spec/spec-types.ts';
import { BoundParams } from '../../src/warehouse/bound-params.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';

/** The seed's mart lives beside ours, so both are built from the same sources in the same database. */
export const SEED_MART = 'bench__seed_first_activation_events';
const SEED_INCREMENT = 'bench__seed_increment';

const SEED_DIR = dirname(fileURLToPath(import.meta.url));
/** Engines that run another engine's translation unchanged: Trino has DuckDB's date_trunc and date_diff(unit, start, end). */
const SEED_SQL_OF: Record<string, string> = { trino: 'duckdb' };

export type SeedBranch = 'full-refresh' | 'incremental';

/** The rendered SELECT of one branch, with its bound values. */
export function renderSeedSelect(warehouse: Warehouse, spec: MetricsSpec, branch: SeedBranch): { sql: string; params: unknown[] } {
  const template = readFileSync(join(SEED_DIR, SEED_SQL_OF[warehouse.dialect.name] ?? warehouse.dialect.name, `${branch}.sql`), 'utf8');
  // The header comment documents the placeholders; rendering it would bind values nobody reads.
  const body = template
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n');
  const q = warehouse.dialect.quoteIdentifier;
  const params = new BoundParams(warehouse.dialect);
  const refs: Record<string, string> = { fact__events: spec.sources.events, dim__users: spec.sources.users };
  const sql = body.replace(/\{\{\s*(this|tracked_events|ref\('([a-z_]+)'\))\s*\}\}/g, (_, what: string, ref?: string) => {
    if (what === 'this') return q(SEED_MART);
    if (what === 'tracked_events') return params.list(spec.events);
    if (ref && refs[ref]) return q(refs[ref]);
    throw new Error(`seed template ${branch}.sql refers to an unknown model ${ref}`);
  });
  return { sql, params: params.values };
}

/** dbt run --full-refresh of the seed's model. */
/** dbt's transaction where the engine has one; on a warehouse without (BigQuery's case, Trino's), statement by statement as dbt runs it there. */
const inTransaction = (warehouse: Warehouse, work: () => Promise<void>) => (warehouse.dialect.capabilities.transactions ? warehouse.transaction(work) : work());

export async function seedFullRefresh(warehouse: Warehouse, spec: MetricsSpec): Promise<void> {
  const select = renderSeedSelect(warehouse, spec, 'full-refresh');
  const q = warehouse.dialect.quoteIdentifier;
  await inTransaction(warehouse, async () => {
    await warehouse.run(`DROP TABLE IF EXISTS ${q(SEED_MART)}`);
    await warehouse.run(`CREATE TABLE ${q(SEED_MART)} AS\n${select.sql}`, select.params);
  });
}

/** dbt run of the seed's model on an existing mart: insert_overwrite of the partitions (dates) the new rows touch. */
export async function seedIncremental(warehouse: Warehouse, spec: MetricsSpec): Promise<void> {
  const select = renderSeedSelect(warehouse, spec, 'incremental');
  const q = warehouse.dialect.quoteIdentifier;
  await inTransaction(warehouse, async () => {
    await warehouse.run(`DROP TABLE IF EXISTS ${SEED_INCREMENT}`);
    await warehouse.run(`CREATE ${warehouse.dialect.capabilities.tempTables ? 'TEMP ' : ''}TABLE ${SEED_INCREMENT} AS\n${select.sql}`, select.params);
    await warehouse.run(`DELETE FROM ${q(SEED_MART)} WHERE "date" IN (SELECT DISTINCT "date" FROM ${SEED_INCREMENT})`);
    await warehouse.run(`INSERT INTO ${q(SEED_MART)} SELECT * FROM ${SEED_INCREMENT}`);
    await warehouse.run(`DROP TABLE ${SEED_INCREMENT}`);
  });
}
