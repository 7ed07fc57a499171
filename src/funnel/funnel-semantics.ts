/**
 * What a funnel means, written once. The funnel tables' SQL (funnel-table-sql.ts), the model's
 * descriptions and docs/metrics-yaml.md follow this file; the tests' plain-TypeScript reference
 * (test/support/funnel-reference.ts) is written separately from the same definitions on purpose.
 *
 * A user's funnel starts at their first visit (step 1, from the users table). Every window is
 * measured from that first visit, and only events at or after it (and at or before the build's
 * watermark) are read. Step k ≥ 2 is matched to one occurrence of its event, or to none:
 *
 *   independent: the earliest occurrence inside step k's window (the seed article's queries).
 *   any:         the same occurrence, kept only when every previous step matched too.
 *   sequential:  the earliest occurrence inside step k's window and at or after step k-1's
 *                matched occurrence (the same instant counts); none when step k-1 has none.
 *
 * Why the earliest match is optimal for `sequential` (a user reaches step k under this greedy rule
 * whenever ANY chain t_1 ≤ t_2 ≤ … ≤ t_k of occurrences inside the windows exists): every window is
 * an interval that starts at the first visit, so a window admits t whenever it admits some later
 * t' ≥ t ≥ first visit. By induction the greedy match g_j ≤ t_j for every j of a valid chain: g_1 =
 * t_1 = the first visit; given g_{j-1} ≤ t_{j-1} ≤ t_j, the occurrence t_j is a candidate for step j
 * (inside its window, at or after g_{j-1}), so the earliest candidate g_j exists and is ≤ t_j.
 * Matching earlier never costs a later step room. (It would with windows measured from the
 * previous step, as Cube's eventFunnel does: there a later match opens a later window.)
 *
 * Exclusions (sequential only): `{ event: x, between: [A, B] }` drops a user from every count of
 * the funnel, step 1 included, when they did x at or after A's matched occurrence and at or before
 * B's matched occurrence, or, when B was not matched, at any instant inside B's window (no window:
 * any time up to the watermark). A user whose A was not matched is never excluded by that pair.
 */
import type { Funnel, FunnelOrder, StepWindow } from '../spec/spec-types.ts';

/** The three window kinds, normalized. */
export type FunnelWindow =
  /** Calendar days in the spec's time zone, 1-based: local date(t) − local date(first visit) + 1 ≤ days. */
  | { kind: 'days'; days: number }
  /** UTC hour buckets, 1-based: hour bucket(t) − hour bucket(first visit) + 1 ≤ hours. */
  | { kind: 'hours'; hours: number }
  /** Elapsed: t − first visit ≤ seconds (boundary included). `text` is the spec's spelling ("24h"). */
  | { kind: 'elapsed'; seconds: number; text: string };

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds of a duration such as "24h" (units m, h, d, w), or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^([1-9][0-9]{0,5})([mhdw])$/.exec(text);
  return m ? Number(m[1]) * UNIT_SECONDS[m[2]] : undefined;
}

export function stepWindow(within: StepWindow | undefined): FunnelWindow | undefined {
  if (!within) return undefined;
  if (within.days !== undefined) return { kind: 'days', days: within.days };
  if (within.hours !== undefined) return { kind: 'hours', hours: within.hours };
  const seconds = parseDuration(within.duration!);
  if (seconds === undefined) throw new Error(`invalid duration ${JSON.stringify(within.duration)} (the schema admits none)`);
  return { kind: 'elapsed', seconds, text: within.duration! };
}

/** The longest time after the first visit a window can reach, in seconds (days: a whole day per day). For comparing windows. */
export function windowReachSeconds(window: FunnelWindow | undefined): number {
  if (!window) return Number.POSITIVE_INFINITY;
  return window.kind === 'days' ? window.days * 86_400 : window.kind === 'hours' ? window.hours * 3600 : window.seconds;
}

/** " within 1 day(s) of the first visit", or "" without a window. */
export function describeWindow(window: FunnelWindow | undefined): string {
  if (!window) return '';
  switch (window.kind) {
    case 'days':
      return ` within ${window.days} day(s) of the first visit`;
    case 'hours':
      return ` within ${window.hours} hour(s) of the first visit`;
    case 'elapsed':
      return ` at most ${window.text} after the first visit`;
  }
}

/**
 * Per order: whether step k also needs step k-1 matched, whether its occurrence must be at or after
 * step k-1's, and which of a user's earlier occurrences stand in for their history (historyStandIn).
 */
export const ORDER_RULES: Record<FunnelOrder, { needsPrevious: boolean; afterPrevious: boolean; standIn: HistoryStandIn }> = {
  independent: { needsPrevious: false, afterPrevious: false, standIn: 'first occurrences' },
  any: { needsPrevious: true, afterPrevious: false, standIn: 'first occurrences' },
  sequential: { needsPrevious: true, afterPrevious: true, standIn: 'matched occurrences' },
};

/**
 * Incremental builds recompute a user's row when new events arrive after some instant S (the scan
 * range starts there) and the user's first visit did not move. Their occurrences at or before S
 * need not be read again when a few remembered ones stand in for them:
 *
 *   'first occurrences' (independent, any): the earliest occurrence of each step's event at or
 *     after the first visit (the mart's row). Each step's match is the earliest occurrence inside
 *     a window that starts at the first visit, so it is the earliest of that one and the new ones.
 *   'matched occurrences' (sequential): the stored row's matched occurrences. New events only move
 *     matches earlier (each step's candidates grow). If step k-1's match moved, it moved to a new
 *     occurrence after S, so every candidate for step k is after S too. If it did not, step k's
 *     earliest candidate at or before S is its stored match. Either way the events after S plus
 *     the stored matches hold step k's new match.
 *   none (a funnel with exclusions): an exclusion needs every occurrence of the excluded event
 *     between two matches, which no stored value holds; such a funnel reads the user's history.
 *
 * Stand-ins are real occurrences, so adding them to a user's full history changes nothing either.
 */
export type HistoryStandIn = 'first occurrences' | 'matched occurrences';

export function historyStandIn(plan: FunnelPlan): HistoryStandIn | undefined {
  return plan.exclusions.length > 0 ? undefined : ORDER_RULES[plan.order].standIn;
}

export interface PlanStep {
  /** 0-based; step 0 is the first visit. */
  index: number;
  name: string;
  event: string;
  window: FunnelWindow | undefined;
}

export interface PlanExclusion {
  event: string;
  /** Step indexes, from < to. */
  from: number;
  to: number;
}

/** A validated funnel in the terms above. */
export interface FunnelPlan {
  order: FunnelOrder;
  steps: PlanStep[];
  exclusions: PlanExclusion[];
  /** The log events the funnel reads: its later steps' and its exclusions' (first_visit comes from the users table). */
  events: string[];
}

export function funnelPlan(funnel: Funnel): FunnelPlan {
  const index = new Map(funnel.steps.map((s, i) => [s.name, i]));
  const steps = funnel.steps.map((s, i) => ({ index: i, name: s.name, event: s.event, window: stepWindow(s.within) }));
  const exclusions = funnel.exclusions.map((x) => {
    const from = index.get(x.between[0]);
    const to = index.get(x.between[1]);
    if (from === undefined || to === undefined || from >= to) throw new Error(`exclusion ${JSON.stringify(x)} of funnel ${funnel.name} was not validated`);
    return { event: x.event, from, to };
  });
  const events = [...new Set([...steps.slice(1).map((s) => s.event), ...exclusions.map((x) => x.event)])];
  return { order: funnel.order, steps, exclusions, events };
}

/** The log events a funnel's table reads (for the builder: which new events can change a user's row). */
export function funnelEvents(funnel: Funnel): string[] {
  return funnelPlan(funnel).events;
}
