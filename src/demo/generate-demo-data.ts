/**
 * Synthetic core-layer data for demos and benchmarks: `fact__events` and `dim__users` with a
 * realistic activation funnel, filler traffic, late arrivals and a few bad rows. Deterministic
 * for a seed; a load can be continued day by day with `appendDemoDays`.
 */
import { UserError } from '../user-error.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { dateOfDay, dayNumber, dayOfSecond } from './demo-calendar.ts';
import { collectPopulation, emitEvents, type DemoPlan, type DemoSink, type LoadCounts, type LoadWindow } from './demo-event-stream.ts';
import { assertDemoMayWrite, markDemoTable } from './demo-ownership.ts';
import { openDemoStore, type DemoTable, type TableWriter } from './demo-store.ts';

export type { DemoPlan, LoadCounts } from './demo-event-stream.ts';

export interface DemoOptions {
  /** Users with a first visit in the period (default 50,000, or events / 20 when only `events` is given). */
  users?: number;
  /** Target event rows (default users × 20); reached within a few percent by tuning activity per session. */
  events?: number;
  /** Days of history (default 60). */
  days?: number;
  /** Last day of history, YYYY-MM-DD (default 2025-06-30: fixed, so a seed gives the same data on any date). */
  endDate?: string;
  seed?: number;
  /** Late events arrive up to this many days after they happened (default 2; keep it within the mart's lookback). */
  maxLateDays?: number;
  tables?: { events?: string; users?: string };
  /**
   * Drop and replace the tables even when they exist and were not created by the demo (their
   * comment is not DEMO_TABLE_MARK). Default false: such tables may hold real data, so the demo refuses.
   */
  replaceSources?: boolean;
}

export interface DemoSummary extends LoadCounts {
  /** Pass to appendDemoDays to continue this data; plain JSON, safe to store. */
  plan: DemoPlan;
  /** Arrival days this load covered. */
  loaded: { from: string; to: string };
  elapsedMs: number;
}

export const DEMO_DEFAULTS = { users: 50_000, eventsPerUser: 20, days: 60, endDate: '2025-06-30', seed: 42, maxLateDays: 2 } as const;

export function eventsTable(name: string): DemoTable {
  return {
    name,
    columns: [
      ['date', 'date'],
      ['datetime', 'timestamp'],
      ['user_id', 'string'],
      ['event_name', 'string'],
      // When the row reached the warehouse: late events have it days after `datetime`. The mart ignores it.
      ['loaded_at', 'timestamp'],
    ],
  };
}

export function usersTable(name: string): DemoTable {
  return {
    name,
    columns: [
      ['user_id', 'string'],
      ['first_date', 'date'],
      ['first_datetime', 'timestamp'],
      ['country', 'string'],
      ['device_os', 'string'],
      ['app_version', 'string'],
      ['first_campaign', 'string'],
      ['first_medium', 'string'],
      ['first_source', 'string'],
    ],
  };
}

function positiveInteger(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UserError('demo-bad-option', `${name} must be a whole number from 1 to ${max}, got ${value}`);
  return value;
}

/**
 * Replaces the events and users tables with a fresh load of every day up to the end date. Only
 * tables the demo made are replaced (see demo-ownership.ts) unless `replaceSources` is set.
 */
export async function generateDemoData(warehouse: Warehouse, options: DemoOptions | DemoPlan = {}): Promise<DemoSummary> {
  const started = performance.now();
  const { plan, targetEvents } = 'generator' in options ? { plan: options, targetEvents: undefined } : draftPlan(options);
  const window = { from: dayNumber(plan.startDate), to: dayNumber(plan.endDate) };
  const replaceSources = 'generator' in options ? false : options.replaceSources === true;
  return load(warehouse, plan, window, replaceSources ? 'replace-any' : 'replace', targetEvents, started);
}

/**
 * Appends the next `days` days of arrivals (new users, their events, and events of earlier days
 * that arrive late) to tables made by generateDemoData with `plan`. Returns the plan to continue from.
 */
export async function appendDemoDays(warehouse: Warehouse, plan: DemoPlan, days = 1): Promise<DemoSummary> {
  const started = performance.now();
  positiveInteger('days', days, 1, 3660);
  const end = dayNumber(plan.endDate);
  return load(warehouse, { ...plan, endDate: dateOfDay(end + days) }, { from: end + 1, to: end + days }, 'append', undefined, started);
}

function draftPlan(options: DemoOptions): { plan: DemoPlan; targetEvents: number } {
  const days = positiveInteger('days', options.days, DEMO_DEFAULTS.days, 3660);
  const users = positiveInteger('users', options.users, options.events === undefined ? DEMO_DEFAULTS.users : Math.max(1, Math.round(options.events / DEMO_DEFAULTS.eventsPerUser)));
  const targetEvents = positiveInteger('events', options.events, users * DEMO_DEFAULTS.eventsPerUser);
  const maxLateDays = positiveInteger('maxLateDays', options.maxLateDays, DEMO_DEFAULTS.maxLateDays, 30);
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) throw new UserError('demo-bad-option', `seed must be an integer, got ${seed}`);
  const endDate = options.endDate ?? DEMO_DEFAULTS.endDate;
  let end: number;
  try {
    end = dayNumber(endDate);
  } catch (error) {
    throw new UserError('demo-bad-option', (error as Error).message);
  }
  const plan: DemoPlan = {
    generator: 1,
    seed,
    startDate: dateOfDay(end - days + 1),
    endDate,
    usersPerDay: users / days,
    activity: Number.NaN, // calibrated against the first load's population
    maxLateDays,
    tables: { events: options.tables?.events ?? 'fact__events', users: options.tables?.users ?? 'dim__users' },
  };
  return { plan, targetEvents };
}

async function load(
  warehouse: Warehouse,
  plan: DemoPlan,
  window: LoadWindow,
  mode: 'replace' | 'replace-any' | 'append',
  targetEvents: number | undefined,
  started: number,
): Promise<DemoSummary> {
  const events = eventsTable(plan.tables.events);
  const users = usersTable(plan.tables.users);
  if (mode === 'append') {
    for (const table of [events, users]) {
      if (!(await warehouse.columns(table.name))) throw new UserError('demo-missing-table', `cannot append demo data: ${table.name} does not exist in ${warehouse.description} (run the demo generation first)`);
    }
  }
  const store = await openDemoStore(warehouse);
  return store.transaction(async () => {
    // Before anything is written: only the demo's own tables are replaced or appended to.
    if (mode !== 'replace-any') await assertDemoMayWrite(warehouse, [events.name, users.name], mode);
    if (mode !== 'append') {
      for (const table of [events, users]) {
        await store.replaceTable(table);
        await markDemoTable(warehouse, table.name);
      }
    }
    const userWriter = await store.writer(users);
    const eventWriter = await store.writer(events);
    let userCount = 0;
    const population = collectPopulation(plan, window, (u) => {
      if (u.orphan) return; // their events exist, their dimension row never arrived
      userWriter.append([u.id, u.firstDay, u.firstTs, u.country, u.deviceOs, u.appVersion, u.campaign, u.medium, u.source]);
      userCount++;
    });
    await userWriter.finish();
    if (targetEvents !== undefined) {
      const { fixed, perActivity } = population.expected;
      // Filler volume scales with activity; everything else (visits, key events, bad rows) does not.
      plan = { ...plan, activity: perActivity > 0 ? Math.max(0.05, (targetEvents - fixed) / perActivity) : 1 };
    }
    const counts = await emitEvents(plan, window, population, eventSink(eventWriter), () => eventWriter.drain());
    await eventWriter.finish();
    return {
      plan,
      loaded: { from: dateOfDay(window.from), to: dateOfDay(window.to) },
      users: userCount,
      ...counts,
      elapsedMs: Math.round(performance.now() - started),
    };
  });
}

/** Event rows in the events table's column order; the row array is reused (writers copy cells out). */
function eventSink(writer: TableWriter): DemoSink {
  const row: (number | string | null)[] = [0, 0, null, '', 0];
  return {
    event(ts, userId, name, loadedAt) {
      row[0] = dayOfSecond(ts);
      row[1] = ts;
      row[2] = userId;
      row[3] = name;
      row[4] = loadedAt;
      writer.append(row);
    },
  };
}
