/**
 * Rollups (pre-aggregations) without a Cube server.
 *
 * Why this module exists: Cube's compiler routes a query that a rollup can answer (the funnels'
 * `by_cohort_day`) to the rollup's table, `<schema>.<cube>_<rollup>`, and leaves it to the query
 * orchestrator of a Cube server to make that table exist: it builds the rollup (the description's
 * loadSql) when missing and swaps in the versioned name `<table>_<content>_<structure>_<updated>`.
 * `activation query` has no orchestrator (it ships with @cubejs-backend/server, which cannot run
 * here), so the compiled SQL alone would fail, or worse, read a stale table. Hence:
 *  - if every rollup the routed SQL reads has a *current* build in the warehouse, named the way
 *    Cube names it, read from it. Current means Cube's own versions: the same structure version
 *    (a hash of the loadSql, so the same model, pre-aggregations schema and query time zone) and
 *    the same content version (the loadSql plus the refresh key's value now, i.e. no
 *    `activation build` since the rollup was built);
 *  - otherwise compile the query again with rollup matching off and read the base tables. The
 *    compiler's switch for that is `preAggregationId` (what Cube's refresh worker uses to aim at
 *    one pre-aggregation): naming no pre-aggregation, nothing matches. `preAggregationQuery` would
 *    also stop matching but changes the SQL (no default order, HLL states), and
 *    `disableExternalPreAggregations` only skips Cube Store rollups, which these are not.
 * Either way the numbers are the same; a miss (e.g. a server on another planner writing different
 * loadSql) only costs speed. `materializeRollups` builds the tables exactly as the lookup expects.
 */
import { createHash } from 'node:crypto';
import type { WarehouseEnv } from '../warehouse/registry.ts';

/** A `preAggregationId` no pre-aggregation has (ids are `cube.name`): turns rollup matching off. */
export const NO_PRE_AGGREGATION = '(none)';

/**
 * The compiler options that turn rollup matching off. The compiler caches a query's SQL under a
 * key of its options that leaves `preAggregationId` out, so the same query compiled with matching
 * on would be served from that cache: `contextSymbols` with Cube's default (empty) security
 * context means the same SQL but a separate cache entry.
 */
export const WITHOUT_ROLLUPS = { preAggregationId: NO_PRE_AGGREGATION, contextSymbols: { securityContext: {} } };

/** Where Cube keeps rollup tables: CUBEJS_PRE_AGGREGATIONS_SCHEMA, else Cube's default for the mode. */
export function preAggregationsSchema(env: WarehouseEnv): string {
  const e = env as Record<string, string | undefined>;
  return e.CUBEJS_PRE_AGGREGATIONS_SCHEMA || (e.CUBEJS_DEV_MODE === 'true' ? 'dev_pre_aggregations' : 'prod_pre_aggregations');
}

type SqlAndParams = [string, unknown[], ...unknown[]];

/** What the compiler says about one rollup the query reads (`preAggregationsDescription()`). */
export interface RollupDescription {
  preAggregationId: string;
  type: string;
  /** `<schema>.<cube>_<rollup>`: the name the compiled SQL reads. */
  tableName: string;
  preAggregationsSchema: string;
  loadSql: SqlAndParams;
  structureVersionLoadSql?: SqlAndParams;
  invalidateKeyQueries: SqlAndParams[];
  indexesSql?: unknown[];
  streamOffset?: unknown;
  outputColumnTypes?: unknown;
}

/** The driver calls used here: Cube's BaseDriver has them all (the orchestrator uses the same). */
export interface RollupDriver {
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  getTablesQuery(schema: string): Promise<{ table_name?: string; TABLE_NAME?: string }[]>;
  createSchemaIfNotExists(schema: string): Promise<void>;
}

/** A rollup the routed SQL reads, and the table holding its current build (null: none). */
export interface RollupUse {
  preAggregationId: string;
  tableName: string;
  builtTable: string | null;
}

/**
 * Cube's short hash for table versions (query-orchestrator's `version()`): the MD5 of the JSON,
 * its first 40 bits read little-endian, written in base 32 over `a-z0-5`, least significant digit
 * first and without leading zero digits.
 */
export function cubeVersionHash(value: unknown): string {
  const digest = createHash('md5').update(JSON.stringify(value)).digest();
  let n = 0n;
  for (let i = 4; i >= 0; i--) n = (n << 8n) | BigInt(digest[i]);
  const digits = 'abcdefghijklmnopqrstuvwxyz012345';
  let out = '';
  do {
    out += digits[Number(n % 32n)];
    n /= 32n;
  } while (n > 0n);
  return out;
}

/** What both of Cube's versions hash besides the refresh key: the loadSql and what shapes the table. */
function versionParts(d: RollupDescription): unknown[] {
  const parts: unknown[] = [d.structureVersionLoadSql ?? d.loadSql];
  if (d.indexesSql?.length) parts.push(d.indexesSql);
  if (d.streamOffset) parts.push(d.streamOffset);
  if (d.outputColumnTypes) parts.push(d.outputColumnTypes);
  return parts;
}

export function structureVersion(d: RollupDescription): string {
  const parts = versionParts(d);
  return cubeVersionHash(parts.length === 1 ? parts[0] : parts);
}

export function contentVersion(d: RollupDescription, refreshKeyValues: unknown[]): string {
  return cubeVersionHash([...versionParts(d), refreshKeyValues]);
}

/** The refresh keys' current values (rows as the driver returns them, as the orchestrator keeps them). */
async function refreshKeyValues(driver: RollupDriver, d: RollupDescription): Promise<unknown[]> {
  return Promise.all(d.invalidateKeyQueries.map(([sql, params]) => driver.query(sql, params ?? [])));
}

const bareName = (d: RollupDescription) => d.tableName.slice(d.preAggregationsSchema.length + 1);

/** The newest current build of `d` in the warehouse, as `<schema>.<table>`, or null. */
export async function findRollupTable(driver: RollupDriver, d: RollupDescription): Promise<string | null> {
  const prefix = `${bareName(d)}_`.toLowerCase();
  const builds = (await driver.getTablesQuery(d.preAggregationsSchema))
    .map((row) => String(row.table_name ?? row.TABLE_NAME ?? ''))
    .filter((name) => name.toLowerCase().startsWith(prefix))
    .map((name) => ({ name, versions: name.slice(prefix.length).split('_') }))
    .filter((b) => b.versions.length === 3);
  const structure = structureVersion(d);
  const sameStructure = builds.filter((b) => b.versions[1] === structure);
  if (sameStructure.length === 0) return null;
  const content = contentVersion(d, await refreshKeyValues(driver, d));
  const current = sameStructure.filter((b) => b.versions[0] === content);
  if (current.length === 0) return null;
  const updatedAt = (b: (typeof current)[number]) => parseInt(b.versions[2], 32);
  current.sort((a, b) => updatedAt(b) - updatedAt(a));
  return `${d.preAggregationsSchema}.${current[0].name}`;
}

/** The routed SQL reading each rollup's build instead of the unversioned name (as Cube does). */
export function readFromBuilds(sql: string, uses: RollupUse[]): string {
  return uses.reduce((s, u) => (u.builtTable ? s.split(u.tableName).join(u.builtTable) : s), sql);
}

/**
 * Builds the rollups as a Cube server would in the warehouse (`external: false`): the schema, then
 * the description's loadSql into `<table>_<content>_<structure>_<now>`. Returns the tables built.
 */
export async function materializeRollups(driver: RollupDriver, descriptions: RollupDescription[]): Promise<string[]> {
  const built: string[] = [];
  for (const d of descriptions.filter((x) => x.type === 'rollup')) {
    await driver.createSchemaIfNotExists(d.preAggregationsSchema);
    const content = contentVersion(d, await refreshKeyValues(driver, d));
    const target = `${d.tableName}_${content}_${structureVersion(d)}_${Math.floor(Date.now() / 1000).toString(32)}`;
    const [sql, params] = d.loadSql;
    await driver.query(sql.replace(d.tableName, target), params ?? []);
    built.push(target);
  }
  return built;
}
