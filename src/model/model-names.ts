/**
 * The names the generated model gives to cubes, files and members: the contract REST and SQL
 * clients see. The spec rules use the same functions to reject collisions before generation.
 */
import { stepWindow } from '../funnel/funnel-semantics.ts';
import type { Funnel, FunnelStep, MetricsSpec, StepWindow } from '../spec/spec-types.ts';

export const USERS_CUBE = 'dim__users';
export const FACT_CUBE = 'fact__first_activation_events';
/** The view over the fact cube and the user attributes (the seed's section-4 queries). */
export const EVENTS_VIEW = 'activation_events';

const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const isMemberName = (name: string) => MEMBER_NAME.test(name);

/** The hidden per-user cube behind a funnel's view. */
export function funnelCubeName(funnel: Pick<Funnel, 'name'>): string {
  return `${funnel.name}__funnel`;
}

/** Every cube and view name the model defines, for collision checks. */
export function modelObjectNames(spec: Pick<MetricsSpec, 'funnels'>): string[] {
  return [USERS_CUBE, FACT_CUBE, EVENTS_VIEW, ...spec.funnels.flatMap((f) => [f.name, funnelCubeName(f)])];
}

/** `_within_1_day`, `_within_3_hours`, `_within_24h` (an elapsed duration, as spelled), or '' without a window. */
export function windowSuffix(within: StepWindow | undefined): string {
  const w = stepWindow(within);
  if (!w) return '';
  switch (w.kind) {
    case 'days':
      return `_within_${w.days}_day${w.days === 1 ? '' : 's'}`;
    case 'hours':
      return `_within_${w.hours}_hour${w.hours === 1 ? '' : 's'}`;
    case 'elapsed':
      return `_within_${w.text}`;
  }
}

/**
 * The fact cube's measure counting users whose first `step.event` falls in `step.within`:
 * `<event>[_within_<n>_days|hours|<duration>]_users`. An event that is not a member name is named by the step.
 */
export function factStepMeasureName(step: Pick<FunnelStep, 'event' | 'name' | 'within'>): string {
  return `${isMemberName(step.event) ? step.event : step.name}${windowSuffix(step.within)}_users`;
}

/** The fact cube's per-event measure without a window (events that are member names only). */
export function factEventMeasureName(event: string): string | undefined {
  return isMemberName(event) ? `${event}_users` : undefined;
}

/** Funnel view members (the documented contract). */
export const viewMember = {
  cohortDate: 'cohort_date',
  cohortIsComplete: 'cohort_is_complete',
  userId: 'user_id',
  stepUsers: (step: Pick<FunnelStep, 'name'>) => `${step.name}_users`,
  stepConversionRate: (step: Pick<FunnelStep, 'name'>) => `${step.name}_conversion_rate`,
  /** Users at step k / users at step k-1. */
  stepStepConversionRate: (step: Pick<FunnelStep, 'name'>) => `${step.name}_step_conversion_rate`,
  stepAvgSeconds: (step: Pick<FunnelStep, 'name'>) => `${step.name}_avg_seconds_to_convert`,
  stepMedianSeconds: (step: Pick<FunnelStep, 'name'>) => `${step.name}_median_seconds_to_convert`,
  /** Hidden: the sum behind the average, so the rollup can answer averages. */
  stepSecondsSum: (step: Pick<FunnelStep, 'name'>) => `${step.name}_seconds_to_convert_sum`,
};

/** Columns of the mart (the builder's contract). */
export const MART_COLUMNS = {
  date: 'date',
  datetime: 'datetime',
  userId: 'user_id',
  eventName: 'event_name',
  firstVisitDate: 'first_visit_date',
  firstVisitDatetime: 'first_visit_datetime',
  hours: 'hours_from_first_visit',
  days: 'days_from_first_visit',
} as const;
