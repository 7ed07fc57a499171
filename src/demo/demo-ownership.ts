/**
 * The demo writes only tables it made: each demo table carries a table comment, DEMO_TABLE_MARK,
 * and the demo replaces (or appends to) a table only when it is missing or carries that mark.
 * Anything else may be someone's real event log: the demo refuses, names the tables and says how
 * to proceed, before writing anything.
 */
import { UserError } from '../user-error.ts';
import { ENGINES } from '../warehouse/registry.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** The table comment that marks a table as the demo's own. */
export const DEMO_TABLE_MARK = 'activation-metrics demo data';

/** missing: no such table or view; demo: a table the demo made; foreign: anything else (a view, or a table without the mark). */
export type DemoOwnership = 'missing' | 'demo' | 'foreign';

/** Whether `table` is the demo's: a table or view is there (it has columns), and whether it carries the mark. */
export async function demoOwnership(warehouse: Warehouse, table: string): Promise<DemoOwnership> {
  if (!(await warehouse.columns(table))) return 'missing';
  // A view has no table comment here, so it counts as foreign.
  return (await warehouse.tableComment(table)) === DEMO_TABLE_MARK ? 'demo' : 'foreign';
}

/** Marks a table the demo has just created as its own (inside the demo's transaction). */
export async function markDemoTable(warehouse: Warehouse, table: string): Promise<void> {
  await warehouse.setTableComment(table, DEMO_TABLE_MARK);
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
      `Run the demo against a separate database (e.g. ${ENGINES[warehouse.dialect.name as keyof typeof ENGINES]?.separateDatabaseHint ?? 'another database'}), ` +
      `point sources in the spec at other tables, or pass --replace-sources to ${mode === 'replace' ? 'drop and replace them' : 'write into them'} anyway.`,
  );
}
