/**
 * The two benchmark questions, each asked twice: through `activation query` on the mart (a Cube
 * REST query over the generated view) and written directly against the raw fact__events +
 * dim__users, as an analyst without the mart would have to. Both answer per cohort day with the
 * users reaching each step; `compareFunnels` proves they agree.
 *
 * The raw SQL means what the funnel tables + view mean (docs/metrics-yaml.md): a user's first
 * visit is the earliest first_datetime in dim__users; a step counts an occurrence of its event at
 * or after the first visit, within its window (1-based calendar days in the spec's time zone,
 * hour buckets, or elapsed time); `sequential` matches each step at or after the previous match.
 */
import type { CubeRestQuery } from '../src/query/cube-query.ts';
import type { ResultRow } from '../src/query/shape-result.ts';
import type { Funnel, MetricsSpec } from '../src/spec/spec-types.ts';
import { BoundParams } from '../src/warehouse/bound-params.ts';
import type { Row, Warehouse } from '../src/warehouse/warehouse.ts';
import { localDateSql } from '../src/warehouse/local-time.ts';

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

/**
 * The raw-log SQL for a question, written as an analyst without the mart would: the users' first
 * visits, the funnel's events at or after them, then per step the earliest occurrence inside its
 * window (and, for `sequential`, at or after the previous step's match: one join per step).
 */
export function rawFunnelSql(warehouse: Warehouse, spec: MetricsSpec, question: FunnelQuestion): { sql: string; params: unknown[] } {
  const d = warehouse.dialect;
  const q = d.quoteIdentifier;
  const p = new BoundParams(d);
  const { funnel } = question;
  // The zone is bound once, when a conversion needs it (none in UTC: an analyst would cast).
  let tz: string | undefined;
  const localDate = (ts: string) => localDateSql(d, ts, spec.timezone, (zone) => (tz ??= p.bind(zone)));
  const later = funnel.steps.slice(1).map((step, i) => ({ step, k: i + 1 }));
  const inWindow = (k: number, e: string) => {
    const w = funnel.steps[k].within;
    const conditions = [`${e}.event_name = ${p.bind(funnel.steps[k].event)}`];
    if (w?.days !== undefined) conditions.push(`${d.daysBetween(`${e}.local_date`, `${e}.cohort_date`)} + 1 <= ${p.bind(w.days)}`);
    if (w?.hours !== undefined) conditions.push(`${d.hourBucketsBetween(`${e}."datetime"`, `${e}.first_datetime`)} + 1 <= ${p.bind(w.hours)}`);
    if (w?.duration !== undefined) conditions.push(`${e}."datetime" <= ${d.plusSeconds(`${e}.first_datetime`, p.bind(durationSeconds(w.duration), d.types.bigint))}`);
    return conditions.join(' AND ');
  };
  const country = question.country === undefined ? '' : `\n    AND user_id IN (SELECT user_id FROM ${q(spec.sources.users)} WHERE country = ${p.bind(question.country)})`;
  const events = p.list([...new Set(later.map(({ step }) => step.event))]);

  let matches: string;
  if (funnel.order === 'sequential') {
    // One relation per step: the earliest occurrence in its window at or after the previous match.
    const ctes = later.map(({ k }) => {
      const from = k === 1 ? 'users' : `step_${k}`;
      const previous = k === 1 ? 's.first_datetime' : `s.at_${k}`;
      const carried = ['s.user_id', 's.first_datetime', 's.cohort_date', ...later.filter((l) => l.k < k).map((l) => `s.at_${l.k + 1}`)];
      return `step_${k + 1} AS (
  SELECT ${carried.join(', ')}, MIN(e."datetime") AS at_${k + 1}
  FROM ${from} AS s
  LEFT JOIN ev AS e ON e.user_id = s.user_id AND ${inWindow(k, 'e')} AND e."datetime" >= ${previous}
  GROUP BY ${carried.join(', ')}
)`;
    });
    matches = `${ctes.join(',\n')},\nmatched AS (SELECT * FROM step_${funnel.steps.length})`;
  } else {
    const own = later.map(({ k }) => `MIN(CASE WHEN ${inWindow(k, 'e')} THEN e."datetime" END) AS at_${k + 1}`);
    matches = `matched AS (
  SELECT s.user_id, s.first_datetime, s.cohort_date, ${own.join(', ')}
  FROM users AS s LEFT JOIN ev AS e ON e.user_id = s.user_id
  GROUP BY s.user_id, s.first_datetime, s.cohort_date
)`;
  }
  const reached = (k: number): string => {
    if (k === 0) return 'TRUE';
    const own = `at_${k + 1} IS NOT NULL`;
    return funnel.order === 'independent' ? own : `${reached(k - 1)} AND ${own}`;
  };
  const counts = funnel.steps.map((_, k) => `  COUNT(CASE WHEN ${reached(k)} THEN 1 END) AS step_${k + 1}_users`);

  const sql = `WITH users AS (
  -- the first visit: a user repeated in the dimension keeps the earliest
  SELECT user_id, first_datetime, ${localDate('first_datetime')} AS cohort_date
  FROM (SELECT user_id, MIN(first_datetime) AS first_datetime FROM ${q(spec.sources.users)} WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL GROUP BY user_id) AS u
),
ev AS (
  -- the funnel's events at or after each user's first visit
  SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.cohort_date, ${localDate('e."datetime"')} AS local_date
  FROM ${q(spec.sources.events)} AS e JOIN users AS u ON u.user_id = e.user_id
  WHERE e.event_name IN (${events}) AND e."datetime" >= u.first_datetime
),
${matches}
SELECT cohort_date,
${counts.join(',\n')}
FROM matched
WHERE TRUE${country}
GROUP BY cohort_date
ORDER BY cohort_date`;
  return { sql, params: p.values };
}

function durationSeconds(text: string): number {
  const m = /^(\d+)([mhdw])$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * { m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 'm' | 'h' | 'd' | 'w'];
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
