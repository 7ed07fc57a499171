/** A window or lookback: exactly one unit. */
export type Duration = { days: number; hours?: never } | { hours: number; days?: never };

export type FunnelOrder = 'sequential' | 'any' | 'independent';

export interface FunnelStep {
  /** Member prefix in the funnel view (`<name>_users`). */
  name: string;
  event: string;
  /** Omitted: no limit. */
  within?: Duration;
}

export interface Funnel {
  name: string;
  title?: string;
  description?: string;
  order: FunnelOrder;
  steps: FunnelStep[];
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
