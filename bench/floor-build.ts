/**
 * The physical floor of a full build: the one pass no correct builder can avoid. It scans
 * fact__events once, keeps each user's earliest occurrence (at or after the first visit) of each
 * tracked event, joined to dim__users, and writes it straight to a table: the same idea as the
 * builder's scan (src/mart/mart-sql.ts), without the windows, the first_visit rows, the counts
 * for the report, the constraints, the state or the transaction's bookkeeping.
 */
import type { MetricsSpec } from '../src/spec/spec-types.ts';
import { BoundParams } from '../src/warehouse/bound-params.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';

export const FLOOR_TABLE = 'bench__floor_first_events';

export async function buildFloor(warehouse: Warehouse, spec: MetricsSpec): Promise<void> {
  const q = warehouse.dialect.quoteIdentifier;
  const p = new BoundParams(warehouse.dialect);
  const sql = `CREATE TABLE ${q(FLOOR_TABLE)} AS
SELECT e.user_id, e.event_name, MIN(e."datetime") AS first_at
FROM ${q(spec.sources.events)} AS e
JOIN ${q(spec.sources.users)} AS u ON u.user_id = e.user_id
WHERE e.event_name IN (${p.list(spec.events)})
  AND e."datetime" >= u.first_datetime
GROUP BY e.user_id, e.event_name`;
  await warehouse.run(`DROP TABLE IF EXISTS ${q(FLOOR_TABLE)}`);
  await warehouse.run(sql, p.values);
}
