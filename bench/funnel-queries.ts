/**
 * The two benchmark questions, each asked twice: through `activation query` on the mart (a Cube
 * REST query over the generated view) and written directly against the raw fact__events +
 * dim__users, as an analyst without the mart would have to. Both answer per cohort day with the
 * users reaching each step; `compareFunnels` proves they agree.
 *
 * The raw SQL means what the mart + view mean (docs/metrics-yaml.md): a user's first visit is the
 * earliest first_datetime in dim__users; a step counts the user's first occurrence of its event at
 * or after the first visit, within its 1-based window (calendar days in the spec's time zone, or
 * hour buckets); `sequential` also needs each step not earlier than the previous one.
 */
import type { CubeRestQuery } from '../src/query/cube-query.ts';
import type { ResultRow } from '../src/query/shape-result.ts';
import type { Funnel, MetricsSpec } from '../src/spec/spec-types.ts';
import { BoundParams } from '../src/warehouse/bound-params.ts';
import type { Row, Warehouse } from '../src/warehouse/warehouse.ts';

export interface FunnelQuestion {
  /** Short label for the table and the JSON. */
  key: string;
  funnel: Funnel;
  /** Only users whose dim__users country is this. */
  country?: string;
}

/** cohort date (YYYY-MM-DD) → users at each step. */
export type FunnelCounts = Map<string, number[]>;

export function questions(spec: MetricsSpec): FunnelQuestion[] {
  const funnel = (name: string) => {
    const found = spec.funnels.find((f) => f.name === name);
    if (!found) throw new Error(`metrics.yaml has no funnel ${name}; the benchmark asks the shipped funnels`);
    return found;
  };
  return [
    { key: 'funnel by cohort day', funnel: funnel('core_activation') },
    // The seed's advanced query (section 4.4): each step on its own, users in the United States.
    { key: 'seed advanced (US)', funnel: funnel('core_activation_independent'), country: 'United States' },
  ];
}

const stepMember = (funnel: Funnel, k: number) => `${funnel.name}.${funnel.steps[k].name}_users`;

export function cubeQuery(question: FunnelQuestion): CubeRestQuery {
  const { funnel, country } = question;
  return {
    measures: funnel.steps.map((_, k) => stepMember(funnel, k)),
    timeDimensions: [{ dimension: `${funnel.name}.cohort_date`, granularity: 'day' }],
    ...(country !== undefined && { filters: [{ member: `${funnel.name}.country`, operator: 'equals', values: [country] }] }),
    order: { [`${funnel.name}.cohort_date`]: 'asc' },
    limit: 50_000,
  };
}

export function countsFromCube(question: FunnelQuestion, data: ResultRow[]): FunnelCounts {
  const { funnel } = question;
  return new Map(data.map((row) => [String(row[`${funnel.name}.cohort_date.day`]).slice(0, 10), funnel.steps.map((_, k) => Number(row[stepMember(funnel, k)]))]));
}

export function countsFromRaw(question: FunnelQuestion, rows: Row[]): FunnelCounts {
  return new Map(rows.map((row) => [String(row.cohort_date).slice(0, 10), question.funnel.steps.map((_, k) => Number(row[`step_${k + 1}_users`]))]));
}

/** The raw-log SQL for a question: one pass over the events of the funnel's steps, per user. */
export function rawFunnelSql(warehouse: Warehouse, spec: MetricsSpec, question: FunnelQuestion): { sql: string; params: unknown[] } {
  const d = warehouse.dialect;
  const q = d.quoteIdentifier;
  const p = new BoundParams(d);
  const { funnel } = question;
  const tz = p.bind(spec.timezone);
  const laterSteps = funnel.steps.slice(1).map((step, i) => ({ step, k: i + 1 }));
  const firstAt = laterSteps.map(({ step, k }) => `    MIN(CASE WHEN e.event_name = ${p.bind(step.event)} THEN e."datetime" END) AS step_${k + 1}_at`);
  const events = p.list(laterSteps.map(({ step }) => step.event));
  const country = question.country === undefined ? '' : `\n    AND user_id IN (SELECT user_id FROM ${q(spec.sources.users)} WHERE country = ${p.bind(question.country)})`;

  const at = (k: number) => (k === 0 ? 'first_datetime' : `step_${k + 1}_at`);
  const own = (k: number) => {
    const w = funnel.steps[k].within;
    const conditions = [`${at(k)} IS NOT NULL`];
    if (w?.days !== undefined) conditions.push(`${d.daysBetween(d.localDate(at(k), tz), 'cohort_date')} + 1 <= ${p.bind(w.days)}`);
    if (w?.hours !== undefined) conditions.push(`${d.hourBucketsBetween(at(k), 'first_datetime')} + 1 <= ${p.bind(w.hours)}`);
    return `(${conditions.join(' AND ')})`;
  };
  const reached = (k: number): string => {
    if (k === 0 || funnel.order === 'independent') return own(k);
    const link = funnel.order === 'sequential' ? ` AND ${at(k)} >= ${at(k - 1)}` : '';
    return `${reached(k - 1)} AND ${own(k)}${link}`;
  };
  const counts = funnel.steps.map((_, k) => `  COUNT(CASE WHEN ${reached(k)} THEN 1 END) AS step_${k + 1}_users`);

  const sql = `WITH users AS (
  -- the first visit: a user repeated in the dimension keeps the earliest
  SELECT user_id, MIN(first_datetime) AS first_datetime
  FROM ${q(spec.sources.users)}
  WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL
  GROUP BY user_id
),
per_user AS (
  -- each user's first occurrence of each step event, at or after the first visit
  SELECT u.user_id, u.first_datetime, ${d.localDate('u.first_datetime', tz)} AS cohort_date,
${firstAt.join(',\n')}
  FROM users AS u
  LEFT JOIN ${q(spec.sources.events)} AS e
    ON e.user_id = u.user_id AND e."datetime" >= u.first_datetime AND e.event_name IN (${events})
  GROUP BY u.user_id, u.first_datetime
)
SELECT cohort_date,
${counts.join(',\n')}
FROM per_user
WHERE TRUE${country}
GROUP BY cohort_date
ORDER BY cohort_date`;
  return { sql, params: p.values };
}

/** Differences between two answers, for the report (empty when they agree exactly). */
export function compareFunnels(mart: FunnelCounts, raw: FunnelCounts, limit = 5): string[] {
  const differences: string[] = [];
  for (const cohort of [...new Set([...mart.keys(), ...raw.keys()])].sort()) {
    const a = JSON.stringify(mart.get(cohort) ?? null);
    const b = JSON.stringify(raw.get(cohort) ?? null);
    if (a !== b) differences.push(`${cohort}: mart ${a}, raw ${b}`);
  }
  return differences.length > limit ? [...differences.slice(0, limit), `… ${differences.length - limit} more`] : differences;
}
