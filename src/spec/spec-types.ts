/** A window or lookback: exactly one unit. */
export type Duration = { days: number; hours?: never } | { hours: number; days?: never };

/**
 * A step's window, measured from the first visit (semantics in src/funnel/funnel-semantics.ts):
 * calendar days in the spec's zone, UTC hour buckets (both 1-based, as the mart), or an elapsed
 * duration such as "24h" (units m, h, d, w; boundary included).
 */
export type StepWindow =
  | { days: number; hours?: never; duration?: never }
  | { hours: number; days?: never; duration?: never }
  | { duration: string; days?: never; hours?: never };

export type FunnelOrder = 'sequential' | 'any' | 'independent';

export interface FunnelStep {
  /** Member prefix in the funnel view (`<name>_users`). */
  name: string;
  event: string;
  /** Omitted: no limit. */
  within?: StepWindow;
}

/** Sequential funnels: users who did `event` between the matched occurrences of two steps are dropped from the funnel. */
export interface FunnelExclusion {
  event: string;
  /** Step names, in funnel order. */
  between: [string, string];
}

export interface Funnel {
  name: string;
  title?: string;
  description?: string;
  order: FunnelOrder;
  steps: FunnelStep[];
  /** Empty when none (only sequential funnels may have some). */
  exclusions: FunnelExclusion[];
  /** The funnel's user-grain table (one row per user with a first visit); default: defaultFunnelTable. */
  table: string;
}

/** metrics.yaml after validation, with every default filled in. */
export interface MetricsSpec {
  version: 1;
  timezone: string;
  sources: { events: string; users: string; userAttributes: string[] };
  mart: { table: string; stateTable: string };
  /** futureTolerance: events later than the build's clock plus this wait for their time (never move the watermark). */
  incremental: { lookback: Duration; futureTolerance: Duration };
  /** Tracked events, in file order; `first_visit` is implicit and never listed. */
  events: string[];
  funnels: Funnel[];
}

/** The event name the mart gives each user's first visit (from the users table, not the log). */
export const FIRST_VISIT = 'first_visit';

/** A funnel's table unless `table:` names one: `<funnel>__funnel_users`, in the mart's schema when the mart's name has one. */
export function defaultFunnelTable(martTable: string, funnelName: string): string {
  const dot = martTable.lastIndexOf('.');
  return `${dot < 0 ? '' : martTable.slice(0, dot + 1)}${funnelName}__funnel_users`;
}
