import { createHash } from 'node:crypto';
import { FUNNEL_COLUMNS as F } from '../funnel/funnel-columns.ts';
import { describeWindow, stepWindow, type FunnelWindow } from '../funnel/funnel-semantics.ts';
import type { Funnel, MetricsSpec } from '../spec/spec-types.ts';
import { calendarDateDimensions } from './calendar-dimensions.ts';
import type { Cube, CubeMeasure } from './cube-types.ts';
import { FUNNEL_ROLLUP, funnelRollup } from './funnel-rollup.ts';
import { funnelCubeName, USERS_CUBE, viewMember } from './model-names.ts';
import { sqlString, type ModelSql } from './model-sql.ts';
import { localMidnightUtcSql } from '../warehouse/local-time.ts';

/**
 * A funnel's cube: the funnel's user-grain table as the builder writes it (one row per user, each
 * step's matched occurrence: src/funnel/), read directly, so a query groups users, never events.
 */
export function funnelCube(spec: MetricsSpec, funnel: Funnel, m: ModelSql): Cube {
  const [first, ...later] = funnel.steps;
  const users = (step: { name: string }) => `{${viewMember.stepUsers(step)}}`;
  const ratio = (numerator: string, denominator: string) => `CAST(${numerator} AS ${m.dialect.types.double}) / NULLIF(${denominator}, 0)`;
  // Seconds to convert, from the table's two timestamps (NULL when the step is not reached); the
  // builder used to store them, which cost more to write than this costs to compute per query.
  const seconds = (step: { name: string }) => m.dialect.secondsBetween(m.column(F.stepAt(step)), m.column(F.firstVisitDatetime));
  const measures: CubeMeasure[] = [
    {
      name: viewMember.stepUsers(first),
      type: 'count',
      description: funnel.exclusions.length > 0 ? 'Users in the cohort (first visit), less the excluded ones.' : 'Users in the cohort (first visit).',
      // COUNT of a non-NULL value, not Cube's default COUNT(CASE … THEN user_id END): one row per
      // user, and counting a constant costs a fraction of carrying each user_id string into the count.
      sql: `CASE WHEN NOT ${m.column(F.excluded)} THEN 1 END`,
    },
    ...later.map((step, i) => ({
      name: viewMember.stepUsers(step),
      type: 'count' as const,
      description: `Users reaching step ${i + 2} (${step.event}${describeWindow(stepWindow(step.within))}) under the ${funnel.order} order.`,
      // A step column is non-NULL exactly when the user counts at that step (src/funnel/funnel-table-sql.ts).
      sql: m.column(F.stepAt(step)),
    })),
    // Filters stay on the count and sum measures: a number measure with filters breaks (cube-js/cube#7053).
    ...later.map((step) => ({
      name: viewMember.stepConversionRate(step),
      type: 'number' as const,
      sql: ratio(users(step), users(first)),
      format: 'percent' as const,
      description: `${viewMember.stepUsers(step)} / ${viewMember.stepUsers(first)}.`,
    })),
    ...later.map((step, i) => ({
      name: viewMember.stepStepConversionRate(step),
      type: 'number' as const,
      sql: ratio(users(step), users(funnel.steps[i])),
      format: 'percent' as const,
      description: `${viewMember.stepUsers(step)} / ${viewMember.stepUsers(funnel.steps[i])}: conversion from the previous step.`,
    })),
    ...later.map((step) => ({
      name: viewMember.stepSecondsSum(step),
      type: 'sum' as const,
      sql: seconds(step),
      public: false,
      description: `Seconds from the first visit to ${step.name}, summed over the users reaching it (for the average, and the rollup).`,
    })),
    ...later.map((step) => ({
      name: viewMember.stepAvgSeconds(step),
      type: 'number' as const,
      sql: ratio(`{${viewMember.stepSecondsSum(step)}}`, users(step)),
      meta: { unit: 'seconds' as const },
      description: `Mean seconds from the first visit to the matched ${step.event}, over the users reaching ${step.name}.`,
    })),
    ...later.map((step) => ({
      name: viewMember.stepMedianSeconds(step),
      type: 'number' as const,
      // Exact on every engine (the dialect's median); NULL seconds (not reached) are ignored.
      sql: m.dialect.median(seconds(step)),
      meta: { unit: 'seconds' as const },
      description: `Median seconds from the first visit to the matched ${step.event}, over the users reaching ${step.name} (an even count: the mean of the two middle values).`,
    })),
  ];
  const name = funnelCubeName(funnel);
  return {
    name,
    ...(rollupAliasNeeded(name) && { sql_alias: shortAlias(name) }),
    title: funnel.title ?? funnel.name,
    description: `One row per user with a first visit: the steps of funnel ${funnel.name} (order: ${funnel.order}) they reached (${funnel.table}).`,
    sql_table: m.identifier(funnel.table),
    public: false,
    joins: [{ name: USERS_CUBE, relationship: 'many_to_one', sql: `${m.column(F.userId)} = {${USERS_CUBE}.user_id}` }],
    dimensions: [
      { name: viewMember.userId, sql: m.column(F.userId), type: 'string', primary_key: true },
      ...calendarDateDimensions(m, viewMember.cohortDate, m.column(F.cohortDate), `The users' first-visit date (${spec.timezone}).`),
      {
        name: viewMember.cohortIsComplete,
        sql: cohortCompleteSql(spec, funnel, m, m.column(F.cohortDate)),
        type: 'boolean',
        description: "True when the newest event the mart's last build saw is past the end of this funnel's longest window for the whole cohort.",
      },
    ],
    measures,
    pre_aggregations: [funnelRollup(spec, funnel, m)],
  };
}

/**
 * A cohort (first-visit date D in the spec's zone) is complete when the newest event the last build
 * saw (the state table's watermark) is at or past the close of every step window for every user
 * of D: `days: N` closes at local midnight starting D+N; `hours: N` at local midnight starting D+1
 * plus N hours, and an elapsed duration at that midnight plus the duration (the latest first visit
 * of D is before that midnight). A step without a window never closes, so such a funnel's cohorts
 * are never complete. No build yet (no watermark): false.
 */
export function cohortCompleteSql(spec: MetricsSpec, funnel: Funnel, m: ModelSql, cohortDate: string): string {
  const windows = funnel.steps.slice(1).map((s) => stepWindow(s.within));
  if (windows.some((w) => w === undefined)) return 'FALSE';
  const d = m.dialect;
  const localMidnightUtc = (daysAfter: number) => localMidnightUtcSql(d, d.addDays(cohortDate, String(daysAfter)), spec.timezone, sqlString);
  const close = (w: FunnelWindow) => (w.kind === 'days' ? localMidnightUtc(w.days) : d.plusSeconds(localMidnightUtc(1), String(w.kind === 'hours' ? w.hours * 3600 : w.seconds)));
  const closes = [...new Set((windows as FunnelWindow[]).map(close))];
  const watermark = `(SELECT MAX(${m.identifier('watermark')}) FROM ${m.identifier(spec.mart.stateTable)})`;
  return `COALESCE(${closes.map((c) => `${watermark} >= ${c}`).join(' AND ')}, FALSE)`;
}

/**
 * A rollup's table is `<cube or sql_alias>_<rollup>_<content>_<structure>_<built at>` (26
 * characters of versions); PostgreSQL silently cuts identifiers at 63 bytes, after which neither
 * Cube nor `activation query` finds the build. Cube's remedy is `sql_alias`: a shorter prefix.
 */
const MAX_IDENTIFIER = 63;
const ROLLUP_VERSIONS = 26;

function rollupAliasNeeded(cube: string): boolean {
  return Buffer.byteLength(`${cube}_${FUNNEL_ROLLUP}`) + ROLLUP_VERSIONS > MAX_IDENTIFIER;
}

/** The first characters of the name and a hash of all of it: stable, unique, short enough. */
function shortAlias(cube: string): string {
  return `${cube.slice(0, 12)}_${createHash('sha256').update(cube).digest('hex').slice(0, 6)}`;
}
