import { FIRST_VISIT, type Duration, type Funnel, type MetricsSpec } from '../spec/spec-types.ts';
import { calendarDateDimensions } from './calendar-dimensions.ts';
import type { Cube } from './cube-types.ts';
import { describeWindow } from './fact-cube.ts';
import { pivotColumn, reachedCondition } from './funnel-order.ts';
import { funnelRollup } from './funnel-rollup.ts';
import { funnelCubeName, MART_COLUMNS as C, USERS_CUBE, viewMember } from './model-names.ts';
import { sqlIdentifier, sqlString } from './model-sql.ts';

/**
 * A funnel's per-user cube: the mart pivoted to one row per user (each step's first occurrence),
 * each step's reached flag under the funnel's order (funnel-order.ts), and the cohort's completeness.
 */
export function funnelCube(spec: MetricsSpec, funnel: Funnel): Cube {
  const first = funnel.steps[0];
  return {
    name: funnelCubeName(funnel),
    title: funnel.title ?? funnel.name,
    description: `One row per user: the steps of funnel ${funnel.name} (order: ${funnel.order}) they reached.`,
    sql: funnelSql(spec, funnel),
    public: false,
    joins: [{ name: USERS_CUBE, relationship: 'many_to_one', sql: `{CUBE}.user_id = {${USERS_CUBE}.user_id}` }],
    dimensions: [
      { name: viewMember.userId, sql: '{CUBE}.user_id', type: 'string', primary_key: true },
      ...calendarDateDimensions(viewMember.cohortDate, '{CUBE}.cohort_date', `The users' first-visit date (${spec.timezone}).`),
      {
        name: viewMember.cohortIsComplete,
        sql: '{CUBE}.cohort_is_complete',
        type: 'boolean',
        description: "True when the newest event the mart's last build saw is past the end of this funnel's longest window for the whole cohort.",
      },
    ],
    measures: [
      ...funnel.steps.map((step, k) => ({
        name: viewMember.stepUsers(step),
        type: 'count' as const,
        description: k === 0 ? 'Users in the cohort (first visit).' : `Users reaching step ${k + 1} (${step.event}${describeWindow(step.within)}) under the ${funnel.order} order.`,
        filters: [{ sql: `{CUBE}.${pivotColumn.reached(k)}` }],
      })),
      ...funnel.steps.slice(1).map((step) => ({
        name: viewMember.stepConversionRate(step),
        type: 'number' as const,
        // Filters stay on the count measures: a number measure with filters breaks (cube-js/cube#7053).
        sql: `CAST({${viewMember.stepUsers(step)}} AS DOUBLE PRECISION) / NULLIF({${viewMember.stepUsers(first)}}, 0)`,
        format: 'percent' as const,
        description: `${viewMember.stepUsers(step)} / ${viewMember.stepUsers(first)}.`,
      })),
    ],
    pre_aggregations: [funnelRollup(spec, funnel)],
  };
}

function funnelSql(spec: MetricsSpec, funnel: Funnel): string {
  const m = (column: string) => `m.${sqlIdentifier(column)}`;
  const p = (column: string) => `p.${column}`;
  const isEvent = (event: string) => `${m(C.eventName)} = ${sqlString(event)}`;
  const events = [...new Set([FIRST_VISIT, ...funnel.steps.map((s) => s.event)])];
  const pivot = funnel.steps.flatMap((step, k) => [
    `MAX(CASE WHEN ${isEvent(step.event)} THEN ${m(C.datetime)} END) AS ${pivotColumn.at(k)}`,
    `MAX(CASE WHEN ${isEvent(step.event)} THEN ${m(C.hours)} END) AS ${pivotColumn.hours(k)}`,
    `MAX(CASE WHEN ${isEvent(step.event)} THEN ${m(C.days)} END) AS ${pivotColumn.days(k)}`,
  ]);
  const reached = funnel.steps.map((_, k) => `${reachedCondition(funnel, k, p)} AS ${pivotColumn.reached(k)}`);
  return [
    `SELECT`,
    `  p.*,`,
    ...reached.map((r) => `  ${r},`),
    `  ${cohortCompleteSql(spec, funnel, p('cohort_date'))} AS cohort_is_complete`,
    `FROM (`,
    `  SELECT`,
    `    ${m(C.userId)} AS user_id,`,
    `    MAX(${m(C.firstVisitDate)}) AS cohort_date,`,
    ...pivot.map((c, i) => `    ${c}${i < pivot.length - 1 ? ',' : ''}`),
    `  FROM ${sqlIdentifier(spec.mart.table)} AS m`,
    `  WHERE ${m(C.eventName)} IN (${events.map(sqlString).join(', ')})`,
    `  GROUP BY ${m(C.userId)}`,
    // Only users with a first visit form a cohort (the builder guarantees one per user).
    `  HAVING COUNT(CASE WHEN ${isEvent(FIRST_VISIT)} THEN 1 END) > 0`,
    `) AS p`,
    '',
  ].join('\n');
}

/**
 * A cohort (first-visit date D in the spec's zone) is complete when the newest event the last build
 * saw (the state table's watermark) is at or past the close of every step window for every user
 * of D: `days: N` closes at local midnight starting D+N; `hours: N` at local midnight starting D+1
 * plus N hours (the latest first visit of D is before that midnight). A step without a window never
 * closes, so such a funnel's cohorts are never complete. No build yet (no watermark): false.
 */
export function cohortCompleteSql(spec: MetricsSpec, funnel: Funnel, cohortDate: string): string {
  const windows = funnel.steps.slice(1).map((s) => s.within);
  if (windows.some((w) => w === undefined)) return 'FALSE';
  const zone = sqlString(spec.timezone);
  const localMidnightUtc = (daysAfter: number) => `((CAST(${cohortDate} + ${daysAfter} AS TIMESTAMP) AT TIME ZONE ${zone}) AT TIME ZONE 'UTC')`;
  const close = (w: Duration) => (w.days !== undefined ? localMidnightUtc(w.days) : `${localMidnightUtc(1)} + INTERVAL '${w.hours} hours'`);
  const closes = [...new Set((windows as Duration[]).map(close))];
  const watermark = `(SELECT MAX(${sqlIdentifier('watermark')}) FROM ${sqlIdentifier(spec.mart.stateTable)})`;
  return `COALESCE(${closes.map((c) => `${watermark} >= ${c}`).join(' AND ')}, FALSE)`;
}
