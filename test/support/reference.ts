/**
 * The independent oracle: the mart and the funnels computed in plain TypeScript from the raw
 * events, with Intl for calendar days. No SQL, no code shared with src/.
 */
import type { SourceEvent, SourceUser } from './sources.ts';

export interface MartRow {
  date: string;
  datetime: string;
  user_id: string;
  event_name: string;
  first_visit_date: string;
  first_visit_datetime: string;
  hours_from_first_visit: number;
  days_from_first_visit: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

export const utcMillis = (ts: string) => Date.parse(`${ts.replace(' ', 'T')}Z`);

const formatters = new Map<string, Intl.DateTimeFormat>();
export function localDate(ts: string, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(new Date(utcMillis(ts)));
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;

export function referenceMart(events: SourceEvent[], users: SourceUser[], tracked: string[], timeZone: string): MartRow[] {
  // A user without a first visit is skipped; a repeated user keeps the earliest first visit.
  const firstVisit = new Map<string, string>();
  for (const u of users) {
    if (u.first_datetime === null) continue;
    const seen = firstVisit.get(u.user_id);
    if (seen === undefined || utcMillis(u.first_datetime) < utcMillis(seen)) firstVisit.set(u.user_id, u.first_datetime);
  }
  const trackedSet = new Set(tracked);
  const rows: MartRow[] = [];
  for (const [user_id, fv] of firstVisit) {
    const d = localDate(fv, timeZone);
    rows.push({ date: d, datetime: fv, user_id, event_name: 'first_visit', first_visit_date: d, first_visit_datetime: fv, hours_from_first_visit: 1, days_from_first_visit: 1 });
  }
  const firsts = new Map<string, SourceEvent>();
  for (const e of events) {
    const fv = firstVisit.get(e.user_id);
    if (!trackedSet.has(e.event_name) || fv === undefined || utcMillis(e.datetime) < utcMillis(fv)) continue;
    const key = JSON.stringify([e.user_id, e.event_name]);
    const seen = firsts.get(key);
    if (!seen || utcMillis(e.datetime) < utcMillis(seen.datetime)) firsts.set(key, e);
  }
  for (const e of firsts.values()) {
    const fv = firstVisit.get(e.user_id)!;
    const fvDate = localDate(fv, timeZone);
    const date = localDate(e.datetime, timeZone);
    rows.push({
      date,
      datetime: e.datetime,
      user_id: e.user_id,
      event_name: e.event_name,
      first_visit_date: fvDate,
      first_visit_datetime: fv,
      hours_from_first_visit: Math.floor(utcMillis(e.datetime) / HOUR) - Math.floor(utcMillis(fv) / HOUR) + 1,
      days_from_first_visit: dayNumber(date) - dayNumber(fvDate) + 1,
    });
  }
  return sortMart(rows);
}

export function sortMart<T extends { user_id: string; event_name: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.event_name < b.event_name ? -1 : a.event_name > b.event_name ? 1 : 0));
}

export interface ReferenceStep {
  event: string;
  within?: { days?: number; hours?: number };
}

/**
 * Users reaching each step, per cohort date, from the reference mart.
 * `keep` filters users (e.g. by country) before counting.
 */
export function referenceFunnel(
  mart: MartRow[],
  order: 'sequential' | 'any' | 'independent',
  steps: ReferenceStep[],
  keep: (userId: string) => boolean = () => true,
): Map<string, number[]> {
  const byUser = new Map<string, Map<string, MartRow>>();
  for (const row of mart) {
    if (!byUser.has(row.user_id)) byUser.set(row.user_id, new Map());
    byUser.get(row.user_id)!.set(row.event_name, row);
  }
  const result = new Map<string, number[]>();
  for (const [userId, rows] of byUser) {
    const fv = rows.get('first_visit');
    if (!fv || !keep(userId)) continue;
    const counts = result.get(fv.first_visit_date) ?? steps.map(() => 0);
    result.set(fv.first_visit_date, counts);
    let previous: MartRow | undefined = fv;
    let reachedPrevious = true;
    steps.forEach((step, k) => {
      const row = rows.get(step.event);
      const inWindow =
        row !== undefined &&
        (step.within?.days === undefined || row.days_from_first_visit <= step.within.days) &&
        (step.within?.hours === undefined || row.hours_from_first_visit <= step.within.hours);
      let reached: boolean;
      if (k === 0 || order === 'independent') reached = inWindow;
      else if (order === 'any') reached = reachedPrevious && inWindow;
      else reached = reachedPrevious && inWindow && utcMillis(row!.datetime) >= utcMillis(previous!.datetime);
      if (reached) counts[k]++;
      reachedPrevious = reached;
      previous = row;
    });
  }
  return new Map([...result].sort(([a], [b]) => (a < b ? -1 : 1)));
}
