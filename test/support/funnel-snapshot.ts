/** A funnel table's rows in the reference's shape (test/support/funnel-reference.ts), sorted by user. */
import type { Funnel } from '../../src/spec/spec-types.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';
import type { RefFunnel, RefFunnelRow } from './funnel-reference.ts';

const timestampText = (v: unknown) => String(v).replace('T', ' ').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

/**
 * `table`: where the rows are, when not the funnel's own table. Seconds to convert are read
 * through the dialect's secondsBetween, the expression the model's measures use on the table.
 */
export async function readFunnelTable(wh: Warehouse, funnel: Funnel, table = funnel.table): Promise<RefFunnelRow[]> {
  const q = wh.dialect.quoteIdentifier;
  const later = funnel.steps.slice(1);
  const seconds = later.map((s) => `${wh.dialect.secondsBetween(q(`${s.name}_at`), q('first_visit_datetime'))} AS ${q(`${s.name}_seconds`)}`);
  const rows = await wh.query(`SELECT ${['*', ...seconds].join(', ')} FROM ${q(table)}`);
  return rows
    .map((r) => ({
      user_id: String(r.user_id),
      cohort_date: String(r.cohort_date).slice(0, 10),
      first_visit_datetime: timestampText(r.first_visit_datetime),
      excluded: r.excluded === true || r.excluded === 'true',
      at: later.map((s) => (r[`${s.name}_at`] === null ? null : timestampText(r[`${s.name}_at`]))),
      seconds: later.map((s) => (r[`${s.name}_seconds`] === null ? null : Number(r[`${s.name}_seconds`]))),
    }))
    .sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
}

/** The spec's funnel in the reference's terms (kept apart from src/funnel on purpose: only the YAML's fields). */
export function refFunnel(funnel: Funnel): RefFunnel {
  return {
    order: funnel.order,
    steps: funnel.steps.map((s) => ({ name: s.name, event: s.event, ...(s.within && { within: { ...s.within } }) })),
    exclusions: funnel.exclusions.map((x) => ({ event: x.event, between: [x.between[0], x.between[1]] as [string, string] })),
  };
}
