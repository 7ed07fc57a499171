import type { Funnel, MetricsSpec } from '../spec/spec-types.ts';
import type { CubePreAggregation } from './cube-types.ts';
import { USERS_CUBE, viewMember } from './model-names.ts';
import type { ModelSql } from './model-sql.ts';

/** The name of every funnel cube's rollup (Cube's table: `<schema>.<funnel>__funnel_by_cohort_day`). */
export const FUNNEL_ROLLUP = 'by_cohort_day';

/**
 * The funnel's rollup by cohort day: the step counts and seconds-to-convert sums (additive, so
 * every conversion rate and average, `number` measures over them, is answered from it too; the
 * medians are not additive and read the funnel table) by `cohort_is_complete`
 * and the user attributes (members of the joined dim__users), at day granularity of the pinned
 * `cohort_date`. Built inside the warehouse (`external: false`: no Cube Store needed), rebuilt
 * when the builder's state table moves, i.e. after each `activation build`.
 * No count_distinct_approx measure may ever go in here: with the JavaScript planner on DuckDB it
 * breaks every query on the cube.
 */
export function funnelRollup(spec: MetricsSpec, funnel: Funnel, m: ModelSql): CubePreAggregation {
  return {
    name: FUNNEL_ROLLUP,
    type: 'rollup',
    external: false,
    // Additive measures only: step counts and the seconds-to-convert sums (rates and averages are numbers over them).
    measures: [...funnel.steps.map(viewMember.stepUsers), ...funnel.steps.slice(1).map(viewMember.stepSecondsSum)],
    dimensions: [viewMember.cohortIsComplete, ...spec.sources.userAttributes.map((a) => `${USERS_CUBE}.${a}`)],
    time_dimension: viewMember.cohortDate,
    granularity: 'day',
    // data_version moves with every build that changed the mart (late events and full refreshes included).
    refresh_key: { sql: `SELECT MAX(${m.identifier('data_version')}) FROM ${m.identifier(spec.mart.stateTable)}` },
  };
}
