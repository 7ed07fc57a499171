/**
 * The demo's closing picture: a funnel view by cohort week, queried through Cube's compiler
 * exactly as a client of the REST API would ask for it, drawn as a table with a bar per step and
 * the median time to convert to the last step.
 */
import Table from 'cli-table3';
import type { CubeQueryResult, RunCubeQueryOptions } from '../query/run-cube-query.ts';
import { runCubeQuery } from '../query/run-cube-query.ts';
import type { CubeRestQuery } from '../query/cube-query.ts';
import { formatDuration } from '../query/member-display.ts';
import type { Funnel, StepWindow } from '../spec/spec-types.ts';

export interface FunnelWeek {
  /** Monday of the cohort week, YYYY-MM-DD. */
  week: string;
  /** Users per step, in the funnel's order. */
  users: number[];
  /** False when some cohort day of the week is still inside the funnel's longest window. */
  complete: boolean;
  /** Median seconds from the first visit to the last step, over the users who reached it (null: nobody). */
  medianSecondsToLast: number | null;
}

/** The REST query the demo (and the React example) ask: step users by cohort week, split by completeness. */
export function funnelByWeekQuery(funnel: Funnel): CubeRestQuery {
  return {
    measures: funnel.steps.map((s) => `${funnel.name}.${s.name}_users`),
    dimensions: [`${funnel.name}.cohort_is_complete`],
    timeDimensions: [{ dimension: `${funnel.name}.cohort_date`, granularity: 'week' }],
    order: { [`${funnel.name}.cohort_date`]: 'asc' },
  } as CubeRestQuery;
}

/** Time to convert by cohort week: the median of the last step (a median cannot be summed across the completeness split, so it is its own query). */
export function timeToConvertByWeekQuery(funnel: Funnel): CubeRestQuery {
  const last = funnel.steps[funnel.steps.length - 1];
  return {
    measures: [`${funnel.name}.${last.name}_median_seconds_to_convert`],
    timeDimensions: [{ dimension: `${funnel.name}.cohort_date`, granularity: 'week' }],
    order: { [`${funnel.name}.cohort_date`]: 'asc' },
  } as CubeRestQuery;
}

export async function funnelByWeek(funnel: Funnel, options: RunCubeQueryOptions = {}): Promise<FunnelWeek[]> {
  const result: CubeQueryResult = await runCubeQuery(funnelByWeekQuery(funnel), options);
  const last = funnel.steps[funnel.steps.length - 1];
  const medians = new Map<string, number | null>();
  if (funnel.steps.length > 1) {
    const times = await runCubeQuery(timeToConvertByWeekQuery(funnel), options);
    for (const row of times.data) {
      const value = row[`${funnel.name}.${last.name}_median_seconds_to_convert`];
      medians.set(String(row[`${funnel.name}.cohort_date.week`]).slice(0, 10), value === null || value === undefined ? null : Number(value));
    }
  }
  const weeks = new Map<string, FunnelWeek>();
  for (const row of result.data) {
    const week = String(row[`${funnel.name}.cohort_date.week`]).slice(0, 10);
    const entry = weeks.get(week) ?? { week, users: funnel.steps.map(() => 0), complete: true, medianSecondsToLast: medians.get(week) ?? null };
    funnel.steps.forEach((s, i) => (entry.users[i] += Number(row[`${funnel.name}.${s.name}_users`] ?? 0)));
    // cohort_is_complete comes back as a boolean or its text, depending on the driver.
    if (String(row[`${funnel.name}.cohort_is_complete`]) !== 'true') entry.complete = false;
    weeks.set(week, entry);
  }
  return [...weeks.values()].sort((a, b) => (a.week < b.week ? -1 : 1));
}

const BAR_WIDTH = 20;

function bar(share: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, share)) * BAR_WIDTH * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8];
  return ('█'.repeat(Math.floor(eighths / 8)) + partial).padEnd(BAR_WIDTH, ' ');
}

/** A step's window as a short label: 1 calendar day "≤1d", 2 hour buckets "≤2h", an elapsed 24h "≤24h elapsed". */
function windowLabel(within: StepWindow | undefined): string {
  if (!within) return '';
  if (within.days !== undefined) return ` (≤${within.days}d)`;
  if (within.hours !== undefined) return ` (≤${within.hours}h)`;
  return ` (≤${within.duration} elapsed)`;
}

export function formatFunnelByWeek(funnel: Funnel, weeks: FunnelWeek[]): string {
  const last = funnel.steps[funnel.steps.length - 1];
  const table = new Table({
    head: ['cohort week', ...funnel.steps.map((s, i) => (i === 0 ? s.name : `${s.name}${windowLabel(s.within)}`)), ...(funnel.steps.length > 1 ? [`median time to ${last.name}`] : [])],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const w of weeks) {
    const base = w.users[0];
    table.push([
      `${w.week}${w.complete ? '' : ' *'}`,
      ...w.users.map((n, i) => {
        const count = n.toLocaleString('en-US');
        if (i === 0) return count;
        const share = base > 0 ? n / base : 0;
        return `${bar(share)} ${count.padStart(7)} ${(share * 100).toFixed(1).padStart(5)}%`;
      }),
      ...(funnel.steps.length > 1 ? [w.medianSecondsToLast === null ? '—' : formatDuration(w.medianSecondsToLast)] : []),
    ]);
  }
  const incomplete = weeks.some((w) => !w.complete);
  return `${funnel.name}: ${funnel.title ?? funnel.steps.map((s) => s.name).join(' → ')}\n${table.toString()}${incomplete ? `\n* cohort week not complete yet: some of its users can still reach the last step` : ''}`;
}
