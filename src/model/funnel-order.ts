/**
 * The one definition of each funnel order, as SQL over the per-user pivot of the mart (one row
 * per user, with each step's first occurrence). Step 1 is always first_visit.
 *
 *   independent: step k is reached when its event is in its window, whatever other steps did;
 *   any:         ... and step k-1 is reached (in any order of occurrence);
 *   sequential:  ... and step k-1 is reached, and step k's first occurrence is not earlier than step k-1's.
 */
import type { Funnel, FunnelOrder } from '../spec/spec-types.ts';
import { windowCondition } from './fact-cube.ts';
import { MART_COLUMNS as C } from './model-names.ts';

/** Columns of the pivot, per step (0-based index k). */
export const pivotColumn = {
  at: (k: number) => `step_${k + 1}_at`,
  hours: (k: number) => `step_${k + 1}_hours`,
  days: (k: number) => `step_${k + 1}_days`,
  reached: (k: number) => `step_${k + 1}_reached`,
};

/** Step k's own condition: its event occurred, within its window. */
function inWindow(funnel: Funnel, k: number, col: (name: string) => string): string {
  const step = funnel.steps[k];
  const occurred = `${col(pivotColumn.at(k))} IS NOT NULL`;
  const window = windowCondition((c) => col(c === C.days ? pivotColumn.days(k) : pivotColumn.hours(k)), step.within);
  return window ? `${occurred} AND ${window}` : occurred;
}

/** Step k's extra condition relative to step k-1, per order (nothing for independent and any). */
const ORDER_LINK: Record<FunnelOrder, { needsPrevious: boolean; link?: (k: number, col: (name: string) => string) => string }> = {
  independent: { needsPrevious: false },
  any: { needsPrevious: true },
  sequential: { needsPrevious: true, link: (k, col) => `${col(pivotColumn.at(k))} >= ${col(pivotColumn.at(k - 1))}` },
};

/** A boolean SQL expression: the user reaches step k under the funnel's order. */
export function reachedCondition(funnel: Funnel, k: number, col: (name: string) => string): string {
  const order = ORDER_LINK[funnel.order];
  const own = `(${inWindow(funnel, k, col)})`;
  if (k === 0 || !order.needsPrevious) return own;
  const link = order.link ? ` AND ${order.link(k, col)}` : '';
  return `${reachedCondition(funnel, k - 1, col)} AND ${own}${link}`;
}
