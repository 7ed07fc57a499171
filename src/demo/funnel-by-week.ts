/**
 * The demo's closing picture: a funnel view by cohort week, queried through Cube's compiler
 * exactly as a client of the REST API would ask for it, drawn as a table with a bar per step.
 */
import Table from 'cli-table3';
import type { CubeQueryResult, RunCubeQueryOptions } from '../query/run-cube-query.ts';
import { runCubeQuery } from '../query/run-cube-query.ts';
import type { CubeRestQuery } from '../query/cube-query.ts';
import type { Funnel } from '../spec/spec-types.ts';

export interface FunnelWeek {
  /** Monday of the cohort week, YYYY-MM-DD. */
  week: string;
  /** Users per step, in the funnel's order. */
  users: number[];
  /** False when some cohort day of the week is still inside the funnel's longest window. */
  complete: boolean;
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

export async function funnelByWeek(funnel: Funnel, options: RunCubeQueryOptions = {}): Promise<FunnelWeek[]> {
  const result: CubeQueryResult = await runCubeQuery(funnelByWeekQuery(funnel), options);
  const weeks = new Map<string, FunnelWeek>();
  for (const row of result.data) {
    const week = String(row[`${funnel.name}.cohort_date.week`]).slice(0, 10);
    const entry = weeks.get(week) ?? { week, users: funnel.steps.map(() => 0), complete: true };
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

export function formatFunnelByWeek(funnel: Funnel, weeks: FunnelWeek[]): string {
  const table = new Table({
    head: ['cohort week', ...funnel.steps.map((s, i) => (i === 0 ? s.name : `${s.name}${s.within ? ` (≤${s.within.days ?? s.within.hours}${s.within.days ? 'd' : 'h'})` : ''}`))],
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
    ]);
  }
  const incomplete = weeks.some((w) => !w.complete);
  return `${funnel.name}: ${funnel.title ?? funnel.steps.map((s) => s.name).join(' → ')}\n${table.toString()}${incomplete ? `\n* cohort week not complete yet: some of its users can still reach the last step` : ''}`;
}
