/**
 * The builder only ever creates, replaces or drops tables it owns. It marks each one with a
 * table comment; tables written by versions before the mark are recognised by their exact
 * columns. Anything else under a name the spec gives the builder is refused, untouched.
 */
import { UserError } from '../user-error.ts';
import type { TableCatalog, Warehouse } from '../warehouse/warehouse.ts';

export type OwnedRole = 'mart' | 'build state' | 'funnel table' | 'scratch';

const MARK = 'activation-metrics';

export function ownershipComment(role: OwnedRole): string {
  return `${MARK} ${role}: created and replaced by activation build; do not write to it`;
}

export interface OwnedTable {
  table: string;
  role: OwnedRole;
  /** The spec field that names it, for the message. */
  field: string;
  /** Column sets that earlier versions created this table with (before the ownership mark). */
  legacyColumns?: readonly (readonly string[])[];
}

/** Whether `table` exists and is this project's own (marked, or an earlier version's exact layout). */
export async function ownership(catalog: TableCatalog, owned: OwnedTable): Promise<'absent' | 'owned' | 'foreign'> {
  const columns = await catalog.columns(owned.table);
  if (!columns) return 'absent';
  const comment = await catalog.tableComment(owned.table);
  if (comment?.startsWith(`${MARK} ${owned.role}:`)) return 'owned';
  const names = columns.map((c) => c.name).sort().join(',');
  if (comment === null && owned.legacyColumns?.some((legacy) => [...legacy].sort().join(',') === names)) return 'owned';
  return 'foreign';
}

/** Refuses, before anything is written, to touch a table that this project did not create (`catalog`: a build's snapshot of it). */
export async function assertOwnedOrAbsent(warehouse: Warehouse, tables: readonly OwnedTable[], catalog: TableCatalog = warehouse): Promise<void> {
  for (const owned of tables) {
    if ((await ownership(catalog, owned)) !== 'foreign') continue;
    throw new UserError(
      'table-not-owned',
      `table ${owned.table} (${owned.field} in the spec) already exists in ${warehouse.description} and was not created by activation-metrics; ` +
        `the builder only replaces tables it created, so nothing was written. Name another table in ${owned.field}, or drop or rename ${owned.table} yourself if it is really a leftover.`,
    );
  }
}
