/**
 * The names the generated model gives to cubes, files and members: the contract REST and SQL
 * clients see. The spec rules use the same functions to reject collisions before generation.
 */
import type { Duration, Funnel, FunnelStep, MetricsSpec } from '../spec/spec-types.ts';

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

export function windowSuffix(within: Duration | undefined): string {
  if (!within) return '';
  return within.days !== undefined ? `_within_${within.days}_day${within.days === 1 ? '' : 's'}` : `_within_${within.hours}_hour${within.hours === 1 ? '' : 's'}`;
}

/**
 * The fact cube's measure counting users whose first `step.event` falls in `step.within`:
 * `<event>[_within_<n>_days|hours]_users`. An event that is not a member name is named by the step.
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
