import type { FunnelStep } from '../spec/spec-types.ts';

/** Columns of a funnel table (the builder's and the model's contract; funnel-table-sql.ts computes them). */
export const FUNNEL_COLUMNS = {
  userId: 'user_id',
  /** The first visit's calendar date in the spec's zone. */
  cohortDate: 'cohort_date',
  /** The first visit (UTC). */
  firstVisitDatetime: 'first_visit_datetime',
  /** True: the user did an excluded event (funnel-semantics.ts) and counts at no step; their step columns are NULL. */
  excluded: 'excluded',
  /** Steps 2..n: the matched occurrence (UTC), NULL when the user does not count at the step. */
  stepAt: (step: Pick<FunnelStep, 'name'>) => `${step.name}_at`,
  /** Steps 2..n: seconds from the first visit to the matched occurrence (DOUBLE), NULL likewise. */
  stepSeconds: (step: Pick<FunnelStep, 'name'>) => `${step.name}_seconds`,
};
