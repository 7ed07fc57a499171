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
};

/**
 * The table's layout version, part of each funnel's definition hash: a table of another layout is
 * rebuilt in full. 2: no `<step>_seconds` columns (the model computes seconds to convert from
 * `<step>_at` and `first_visit_datetime`; storing them cost a fifth of each table's full build).
 */
export const FUNNEL_TABLE_LAYOUT = 2;
