import type { Query, ResultSet } from '@cubejs-client/core';

/** The funnel's steps, in order: the view's `<step>_users` members. */
export const STEPS = [
  { member: 'core_activation.first_visit_users', label: 'First visit' },
  { member: 'core_activation.key_event_1_users', label: 'Key event 1 (≤1 day)' },
  { member: 'core_activation.key_event_2_users', label: 'Key event 2 (≤7 days)' },
] as const;

/** The last `cohorts` first-visit days, newest first, with whether each cohort is complete yet. */
export function funnelQuery(cohorts: number): Query {
  return {
    measures: STEPS.map((s) => s.member),
    dimensions: ['core_activation.cohort_is_complete'],
    timeDimensions: [{ dimension: 'core_activation.cohort_date', granularity: 'day' }],
    order: { 'core_activation.cohort_date': 'desc' },
    limit: cohorts,
  };
}

export interface CohortFunnel {
  /** YYYY-MM-DD */
  cohort: string;
  /** Users per step, in STEPS order. */
  users: number[];
  complete: boolean;
}

/** Rows of the REST result as cohorts, oldest first (how a chart reads left to right or top to bottom). */
export function toCohorts(resultSet: ResultSet): CohortFunnel[] {
  return resultSet
    .rawData()
    .map((row) => ({
      cohort: String(row['core_activation.cohort_date.day']).slice(0, 10),
      users: STEPS.map((s) => Number(row[s.member] ?? 0)),
      // Cube returns booleans as booleans or as 'true'/'false' depending on the warehouse.
      complete: String(row['core_activation.cohort_is_complete']) === 'true',
    }))
    .sort((a, b) => (a.cohort < b.cohort ? -1 : 1));
}
