/**
 * The demo writes only tables it made: each demo table carries a table comment, DEMO_TABLE_MARK,
 * and the demo replaces (or appends to) a table only when it is missing or carries that mark.
 * Anything else may be someone's real event log: the demo refuses, names the tables and says how
 * to proceed, before writing anything.
 */
import { UserError } from '../user-error.ts';
import { splitTableName, type Warehouse } from '../warehouse/warehouse.ts';

/** The table comment that marks a table as the demo's own. */
export const DEMO_TABLE_MARK = 'activation-metrics demo data';

/** missing: no such table or view; demo: a table the demo made; foreign: anything else (a view, or a table without the mark). */
export type DemoOwnership = 'missing' | 'demo' | 'foreign';

/** Whether `table` is the demo's, from the catalog (DuckDB's duckdb_tables(), PostgreSQL's pg_class). */
export async function demoOwnership(warehouse: Warehouse, table: string): Promise<DemoOwnership> {
  const { schema, table: name } = splitTableName(table);
  if (warehouse.dialect.name === 'postgres') {
    const rows = await warehouse.query(
      `SELECT c.relkind::text AS kind, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relname = $1 AND n.nspname = COALESCE($2, current_schema())`,
      [name, schema ?? null],
    );
    if (rows.length === 0) return 'missing';
    return rows[0].kind === 'r' && rows[0].comment === DEMO_TABLE_MARK ? 'demo' : 'foreign';
  }
  // DuckDB resolves identifiers case-insensitively, quoted or not.
  const tables = await warehouse.query(
    `SELECT comment FROM duckdb_tables() WHERE lower(table_name) = lower($1) AND lower(schema_name) = lower(COALESCE($2, current_schema())) AND database_name = current_database()`,
    [name, schema ?? null],
  );
  if (tables.length > 0) return tables[0].comment === DEMO_TABLE_MARK ? 'demo' : 'foreign';
  const views = await warehouse.query(
    `SELECT 1 AS found FROM duckdb_views() WHERE lower(view_name) = lower($1) AND lower(schema_name) = lower(COALESCE($2, current_schema())) AND database_name = current_database()`,
    [name, schema ?? null],
  );
  return views.length > 0 ? 'foreign' : 'missing';
}

/** Marks a table the demo has just created as its own (inside the demo's transaction). */
export async function markDemoTable(warehouse: Warehouse, table: string): Promise<void> {
  await warehouse.run(`COMMENT ON TABLE ${warehouse.dialect.quoteIdentifier(table)} IS '${DEMO_TABLE_MARK}'`);
}

/**
 * Refuses, before anything is written, when any of `tables` exists and is not the demo's.
 * `replace`: the demo would drop and recreate them; otherwise it would append rows to them.
 */
export async function assertDemoMayWrite(warehouse: Warehouse, tables: string[], mode: 'replace' | 'append'): Promise<void> {
  const foreign: string[] = [];
  for (const table of tables) if ((await demoOwnership(warehouse, table)) === 'foreign') foreign.push(table);
  if (foreign.length === 0) return;
  const what = foreign.join(' and ');
  const verb = mode === 'replace' ? 'drop and replace' : 'append demo rows to';
  throw new UserError(
    'demo-foreign-tables',
    `the demo will not ${verb} ${what} in ${warehouse.description}: ${foreign.length === 1 ? 'it exists and was' : 'they exist and were'} not created by the demo ` +
      `(no '${DEMO_TABLE_MARK}' table comment), so ${foreign.length === 1 ? 'it' : 'they'} may hold real data. Nothing was changed. ` +
      'Run the demo against a separate database (e.g. CUBEJS_DB_DUCKDB_DATABASE_PATH=data/demo.duckdb, or another CUBEJS_DB_NAME), ' +
      `point sources in the spec at other tables, or pass --replace-sources to ${mode === 'replace' ? 'drop and replace them' : 'write into them'} anyway.`,
  );
}
