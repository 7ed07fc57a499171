/**
 * The independent oracle for funnel tables and funnel measures (issue 9): plain TypeScript over
 * the raw events, Intl for calendar days, no SQL and no code shared with src/. It follows the
 * definitions as written in the issue, by brute force where it can:
 *
 * - step 1 is the first visit; only events at or after it and at or before `through` count;
 * - windows from the first visit: `days` (calendar days in the zone, 1-based), `hours` (UTC hour
 *   buckets, 1-based), `duration` (elapsed, boundary included);
 * - sequential: earliest occurrence in the window at or after the previous step's match;
 *   any: earliest occurrence in the window, kept when all previous steps are reached;
 *   independent: earliest occurrence in the window;
 * - exclusion [A, B]: the excluded event at or after A's match and at or before B's match, or (B
 *   not matched) anywhere inside B's window: the user counts nowhere.
 *
 * It also checks, on every user, that the greedy sequential match reaches exactly the steps an
 * exhaustive search over all chains reaches (the optimality argument of the docs).
 */
import { localDate, utcMillis } from './reference.ts';
import type { SourceEvent } from './sources.ts';

export interface RefWindow {
  days?: number;
  hours?: number;
  duration?: string;
}

export interface RefFunnel {
  order: 'sequential' | 'any' | 'independent';
  steps: { name: string; event: string; within?: RefWindow }[];
  exclusions?: { event: string; between: [string, string] }[];
}

export interface RefUser {
  user_id: string;
  /** UTC 'YYYY-MM-DD HH:MM:SS' */
  first_datetime: string;
}

export interface RefFunnelRow {
  user_id: string;
  cohort_date: string;
  first_visit_datetime: string;
  excluded: boolean;
  /** Per later step (steps 2..n): the matched occurrence, or null. Null for every step when excluded. */
  at: (string | null)[];
  seconds: (number | null)[];
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const UNIT: Record<string, number> = { m: 60_000, h: HOUR, d: DAY, w: 7 * DAY };
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;

function inWindow(window: RefWindow | undefined, t: string, fv: string, timeZone: string): boolean {
  const dt = utcMillis(t);
  const df = utcMillis(fv);
  if (dt < df) return false;
  if (!window) return true;
  if (window.days !== undefined) return dayNumber(localDate(t, timeZone)) - dayNumber(localDate(fv, timeZone)) + 1 <= window.days;
  if (window.hours !== undefined) return Math.floor(dt / HOUR) - Math.floor(df / HOUR) + 1 <= window.hours;
  const m = /^(\d+)([mhdw])$/.exec(window.duration!)!;
  return dt - df <= Number(m[1]) * UNIT[m[2]];
}

/** The funnel table's rows, sorted by user_id. */
export function referenceFunnelTable(events: SourceEvent[], users: RefUser[], funnel: RefFunnel, timeZone: string, through: string): RefFunnelRow[] {
  const byUser = new Map<string, SourceEvent[]>();
  for (const e of events) {
    if (utcMillis(e.datetime) > utcMillis(through)) continue;
    if (!byUser.has(e.user_id)) byUser.set(e.user_id, []);
    byUser.get(e.user_id)!.push(e);
  }
  const rows: RefFunnelRow[] = [];
  for (const u of [...users].sort((a, b) => (a.user_id < b.user_id ? -1 : 1))) {
    const fv = u.first_datetime;
    const mine = (byUser.get(u.user_id) ?? []).filter((e) => utcMillis(e.datetime) >= utcMillis(fv));
    const times = (event: string) => mine.filter((e) => e.event_name === event).map((e) => e.datetime).sort((a, b) => utcMillis(a) - utcMillis(b));
    const earliest = (k: number, notBefore: string) =>
      times(funnel.steps[k].event).find((t) => utcMillis(t) >= utcMillis(notBefore) && inWindow(funnel.steps[k].within, t, fv, timeZone)) ?? null;

    const at: (string | null)[] = [fv];
    for (let k = 1; k < funnel.steps.length; k++) {
      if (funnel.order === 'sequential') at.push(at[k - 1] === null ? null : earliest(k, at[k - 1]!));
      else at.push(earliest(k, fv));
    }
    if (funnel.order === 'any') {
      for (let k = 1; k < at.length; k++) if (at[k - 1] === null) at[k] = null;
    }
    if (funnel.order === 'sequential') checkGreedyIsOptimal(funnel, at, times, fv, timeZone, u.user_id);

    const index = (name: string) => funnel.steps.findIndex((s) => s.name === name);
    const excluded = (funnel.exclusions ?? []).some((x) => {
      const a = at[index(x.between[0])];
      const b = index(x.between[1]);
      if (a === null) return false;
      return times(x.event).some((t) => utcMillis(t) >= utcMillis(a) && (at[b] !== null ? utcMillis(t) <= utcMillis(at[b]!) : inWindow(funnel.steps[b].within, t, fv, timeZone)));
    });
    const later = at.slice(1).map((t) => (excluded ? null : t));
    rows.push({
      user_id: u.user_id,
      cohort_date: localDate(fv, timeZone),
      first_visit_datetime: fv,
      excluded,
      at: later,
      seconds: later.map((t) => (t === null ? null : (utcMillis(t) - utcMillis(fv)) / 1000)),
    });
  }
  return rows;
}

/** Exhaustive search: the furthest step any chain fv ≤ t_2 ≤ … ≤ t_k inside the windows reaches must be the greedy one's. */
function checkGreedyIsOptimal(funnel: RefFunnel, greedy: (string | null)[], times: (event: string) => string[], fv: string, timeZone: string, userId: string) {
  const furthest = (k: number, previous: string): number => {
    if (k === funnel.steps.length) return k - 1;
    let best = k - 1;
    for (const t of times(funnel.steps[k].event)) {
      if (utcMillis(t) >= utcMillis(previous) && inWindow(funnel.steps[k].within, t, fv, timeZone)) best = Math.max(best, furthest(k + 1, t));
    }
    return best;
  };
  const exhaustive = furthest(1, fv);
  const greedyFurthest = greedy.findIndex((t) => t === null);
  const reached = greedyFurthest === -1 ? greedy.length - 1 : greedyFurthest - 1;
  if (exhaustive !== reached) throw new Error(`greedy match is not optimal for ${userId}: greedy reaches step ${reached + 1}, a chain reaches ${exhaustive + 1}`);
}

export interface RefCohortStats {
  /** Per step (1..n): users counted. */
  users: number[];
  /** Per later step: users / first step users, users / previous step users (null when the denominator is 0). */
  conversion: (number | null)[];
  stepConversion: (number | null)[];
  /** Per later step: mean and median seconds to convert over users reaching it (null when none). */
  avgSeconds: (number | null)[];
  medianSeconds: (number | null)[];
}

/** The view's measures per cohort date, from the reference rows; `keep` filters users (e.g. by country). */
export function referenceFunnelStats(rows: RefFunnelRow[], keep: (userId: string) => boolean = () => true): Map<string, RefCohortStats> {
  const groups = new Map<string, RefFunnelRow[]>();
  for (const r of rows) {
    if (!keep(r.user_id)) continue;
    if (!groups.has(r.cohort_date)) groups.set(r.cohort_date, []);
    groups.get(r.cohort_date)!.push(r);
  }
  const out = new Map<string, RefCohortStats>();
  for (const [date, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const steps = group[0].at.length + 1;
    const users = [group.filter((r) => !r.excluded).length, ...Array.from({ length: steps - 1 }, (_, i) => group.filter((r) => r.at[i] !== null).length)];
    const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
    const seconds = (i: number) => group.map((r) => r.seconds[i]).filter((s): s is number => s !== null).sort((a, b) => a - b);
    out.set(date, {
      users,
      conversion: users.slice(1).map((n) => ratio(n, users[0])),
      stepConversion: users.slice(1).map((n, i) => ratio(n, users[i])),
      avgSeconds: users.slice(1).map((_, i) => {
        const s = seconds(i);
        return s.length === 0 ? null : s.reduce((a, b) => a + b, 0) / s.length;
      }),
      medianSeconds: users.slice(1).map((_, i) => {
        const s = seconds(i);
        if (s.length === 0) return null;
        const mid = Math.floor(s.length / 2);
        return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
      }),
    });
  }
  return out;
}
