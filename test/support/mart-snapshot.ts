import type { Warehouse } from '../../src/warehouse/warehouse.ts';
import { sortMart, type MartRow } from './reference.ts';

/** The mart's rows in a stable order, as plain objects comparable with the reference. */
export async function readMart(wh: Warehouse, table = 'fact__first_activation_events'): Promise<MartRow[]> {
  const rows = await wh.query(`SELECT * FROM ${wh.dialect.quoteIdentifier(table)}`);
  return sortMart(rows.map((r) => ({ ...r, user_id: String(r.user_id) }) as unknown as MartRow));
}

/** Everything a build may write: the mart and the builder's state. */
export async function snapshot(wh: Warehouse, table = 'fact__first_activation_events') {
  const state = (await wh.columns(`${table}__build_state`)) ? await wh.query(`SELECT * FROM ${wh.dialect.quoteIdentifier(`${table}__build_state`)}`) : null;
  const mart = (await wh.columns(table)) ? await readMart(wh, table) : null;
  return { mart, state };
}
