/**
 * Checks the core-layer tables before anything is written, so bad input stops the build with a
 * message that names the table, the column and what was expected.
 */
import type { MetricsSpec } from '../spec/spec-types.ts';
import { UserError } from '../user-error.ts';
import { splitTableName, type ColumnInfo, type TableCatalog, type TypeCategory, type Warehouse } from '../warehouse/warehouse.ts';

interface ExpectedColumn {
  name: string;
  accepts: TypeCategory[];
  expected: string;
}

const USER_ID: ExpectedColumn = { name: 'user_id', accepts: ['string', 'integer'], expected: 'a string or integer type' };
const UTC_TIMESTAMP = (name: string): ExpectedColumn => ({
  name,
  accepts: ['timestamp'],
  expected: 'TIMESTAMP (without time zone) holding UTC',
});

export interface CheckedSources {
  /** The users table's user_id type, copied into the mart. */
  userIdType: string;
}

/** `catalog`: where the sources' columns are read (a build's snapshot; by default the warehouse). */
export async function checkSources(warehouse: Warehouse, spec: MetricsSpec, catalog: TableCatalog = warehouse): Promise<CheckedSources> {
  await requireSchema(warehouse, spec.mart.table, 'mart.table');
  await requireSchema(warehouse, spec.mart.stateTable, 'mart.state_table');
  const events = await requireTable(warehouse, catalog, spec.sources.events, 'sources.events');
  const users = await requireTable(warehouse, catalog, spec.sources.users, 'sources.users');
  const eventsUserId = requireColumn(spec.sources.events, events, USER_ID);
  requireColumn(spec.sources.events, events, { name: 'event_name', accepts: ['string'], expected: 'a string type' });
  requireColumn(spec.sources.events, events, UTC_TIMESTAMP('datetime'));
  const usersUserId = requireColumn(spec.sources.users, users, USER_ID);
  requireColumn(spec.sources.users, users, UTC_TIMESTAMP('first_datetime'));
  for (const attribute of spec.sources.userAttributes) {
    if (!users.some((c) => c.name === attribute)) {
      throw new UserError('missing-column', `source table ${spec.sources.users} has no column ${attribute} (listed in sources.user_attributes of the spec); columns: ${users.map((c) => c.name).join(', ')}`);
    }
  }
  if (eventsUserId.category !== usersUserId.category) {
    throw new UserError(
      'user-id-type-mismatch',
      `user_id is ${eventsUserId.dataType} in ${spec.sources.events} but ${usersUserId.dataType} in ${spec.sources.users}; they must both be strings or both integers to join`,
    );
  }
  return { userIdType: usersUserId.dataType };
}

/** The builder creates tables but never schemas: a missing one is named before anything is written. */
async function requireSchema(warehouse: Warehouse, table: string, field: string): Promise<void> {
  const { schema } = splitTableName(table);
  if (schema === undefined) return;
  const rows = await warehouse.query(`SELECT 1 AS found FROM information_schema.schemata WHERE schema_name = ${warehouse.dialect.parameter(1)}`, [schema]);
  if (rows.length === 0) {
    throw new UserError('missing-schema', `schema ${schema} of ${table} (${field} in the spec) does not exist in ${warehouse.description}; create it first (the builder creates tables, never schemas)`);
  }
}

async function requireTable(warehouse: Warehouse, catalog: TableCatalog, table: string, field: string): Promise<ColumnInfo[]> {
  const columns = await catalog.columns(table);
  if (!columns) throw new UserError('missing-table', `source table ${table} (${field} in the spec) does not exist in ${warehouse.description}`);
  return columns;
}

function requireColumn(table: string, columns: ColumnInfo[], expected: ExpectedColumn): ColumnInfo {
  const column = columns.find((c) => c.name === expected.name);
  if (!column) {
    throw new UserError('missing-column', `source table ${table} has no column ${expected.name} (expected ${expected.expected}); columns: ${columns.map((c) => c.name).join(', ')}`);
  }
  if (!expected.accepts.includes(column.category)) {
    throw new UserError('wrong-column-type', `column ${table}.${expected.name} is ${column.dataType}; expected ${expected.expected}`);
  }
  return column;
}
