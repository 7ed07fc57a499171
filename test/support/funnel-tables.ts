/**
 * Until the builder writes the funnel tables itself, test fixtures make them the way the builder
 * will: a users relation (one row per user with a first visit), then each funnel's SELECT up to
 * the mart's watermark. Funnel tables that already exist (the builder made them) are left alone.
 */
import { funnelTableColumns, funnelTableName, funnelTableSelect } from '../../src/funnel/funnel-table-sql.ts';
import type { MetricsSpec } from '../../src/spec/spec-types.ts';
import { BoundParams } from '../../src/warehouse/bound-params.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';

const SCRATCH = '_test_funnel_users';

/** `rebuild`: drop and remake them all (after a test changes the log and rebuilds the mart). */
export async function ensureFunnelTables(wh: Warehouse, spec: MetricsSpec, options: { rebuild?: boolean } = {}): Promise<void> {
  const missing = [];
  for (const f of spec.funnels) {
    if (options.rebuild) await wh.run(`DROP TABLE IF EXISTS ${wh.dialect.quoteIdentifier(funnelTableName(spec, f))}`);
    if ((await wh.columns(funnelTableName(spec, f))) === undefined) missing.push(f);
  }
  if (missing.length === 0) return;
  const d = wh.dialect;
  const q = (n: string) => d.quoteIdentifier(n);
  const [{ watermark }] = await wh.query(`SELECT MAX(${q('watermark')}) AS watermark FROM ${q(spec.mart.stateTable)}`);
  const userIdType = (await wh.columns(spec.sources.users))!.find((c) => c.name === 'user_id')!.dataType;
  const p = new BoundParams(d);
  await wh.run(`DROP TABLE IF EXISTS ${q(SCRATCH)}`);
  await wh.run(
    `CREATE TABLE ${q(SCRATCH)} AS SELECT user_id, first_datetime, ${d.localDate('first_datetime', p.bind(spec.timezone))} AS first_visit_date
FROM (SELECT user_id, MIN(first_datetime) AS first_datetime FROM ${q(spec.sources.users)} WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL GROUP BY user_id) AS u`,
    p.values,
  );
  for (const f of missing) {
    const columns = funnelTableColumns(f, d, userIdType);
    await wh.run(`CREATE TABLE ${q(funnelTableName(spec, f))} (${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`);
    if (watermark === null || watermark === undefined) continue;
    const select = funnelTableSelect(d, spec, f, { events: spec.sources.events, users: SCRATCH, through: String(watermark).replace('T', ' ').replace(/Z$/, '') });
    await wh.run(`INSERT INTO ${q(funnelTableName(spec, f))} (${columns.map((c) => q(c.name)).join(', ')}) ${select.sql}`, select.params);
  }
  await wh.run(`DROP TABLE ${q(SCRATCH)}`);
}
