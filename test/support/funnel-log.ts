/**
 * Randomized logs for the funnel tests: users who repeat step events, do them out of order, before
 * their first visit, at the same instant, exactly on window boundaries (30-minute grid, so local
 * midnights and hour starts in every tested zone, elapsed windows to the second, ±1 s), and after
 * the build's watermark; plus events of users without a first visit.
 */
import type { RefFunnel, RefUser } from './funnel-reference.ts';
import { seededRandom, utcText } from './random.ts';
import { utcMillis } from './reference.ts';
import type { SourceEvent } from './sources.ts';

export const FUNNEL_EVENTS = ['key_event_1', 'key_event_2', 'uninstall'];

/** The funnels every zone is tested with: all orders, all window kinds, exclusions, a repeated step event, a step without a window. */
export const FUNNELS_YAML = `  - name: seq_days
    exclusions: [{ event: uninstall, between: [key_event_1, key_event_2] }]
    steps:
      - event: first_visit
      - event: key_event_1
        within: { days: 1 }
      - event: key_event_2
        within: { days: 3 }
  - name: seq_elapsed
    table: seq_elapsed_users
    exclusions: [{ event: uninstall, between: [first_visit, key_event_1] }]
    steps:
      - event: first_visit
      - event: key_event_1
        within: { duration: 24h }
      - event: key_event_2
        within: { duration: 3d }
  - name: seq_hours
    steps:
      - event: first_visit
      - event: key_event_1
        within: { hours: 2 }
      - event: key_event_2
        within: { hours: 30 }
      - event: key_event_1
        name: again
  - name: any_mixed
    order: any
    steps:
      - event: first_visit
      - event: key_event_2
        within: { duration: 90m }
      - event: key_event_1
        within: { days: 2 }
  - name: indep
    order: independent
    steps:
      - event: first_visit
      - event: key_event_1
        within: { days: 1 }
      - event: key_event_2
        within: { hours: 48 }
`;

/** The same funnels for the reference. */
export const REF_FUNNELS: Record<string, RefFunnel> = {
  seq_days: {
    order: 'sequential',
    steps: [{ name: 'first_visit', event: 'first_visit' }, { name: 'key_event_1', event: 'key_event_1', within: { days: 1 } }, { name: 'key_event_2', event: 'key_event_2', within: { days: 3 } }],
    exclusions: [{ event: 'uninstall', between: ['key_event_1', 'key_event_2'] }],
  },
  seq_elapsed: {
    order: 'sequential',
    steps: [{ name: 'first_visit', event: 'first_visit' }, { name: 'key_event_1', event: 'key_event_1', within: { duration: '24h' } }, { name: 'key_event_2', event: 'key_event_2', within: { duration: '3d' } }],
    exclusions: [{ event: 'uninstall', between: ['first_visit', 'key_event_1'] }],
  },
  seq_hours: {
    order: 'sequential',
    steps: [
      { name: 'first_visit', event: 'first_visit' },
      { name: 'key_event_1', event: 'key_event_1', within: { hours: 2 } },
      { name: 'key_event_2', event: 'key_event_2', within: { hours: 30 } },
      { name: 'again', event: 'key_event_1' },
    ],
  },
  any_mixed: {
    order: 'any',
    steps: [{ name: 'first_visit', event: 'first_visit' }, { name: 'key_event_2', event: 'key_event_2', within: { duration: '90m' } }, { name: 'key_event_1', event: 'key_event_1', within: { days: 2 } }],
  },
  indep: {
    order: 'independent',
    steps: [{ name: 'first_visit', event: 'first_visit' }, { name: 'key_event_1', event: 'key_event_1', within: { days: 1 } }, { name: 'key_event_2', event: 'key_event_2', within: { hours: 48 } }],
  },
};

/** Zones: east of UTC (half-hour offset), west with a DST change inside the data, a DST change at midnight, UTC. Each with its data's start. */
export const ZONES: { zone: string; start: string }[] = [
  { zone: 'Asia/Kolkata', start: '2025-01-10 00:00:00' },
  { zone: 'America/New_York', start: '2025-03-06 00:00:00' }, // DST starts 2025-03-09 02:00 local
  { zone: 'America/Santiago', start: '2025-09-04 00:00:00' }, // DST starts 2025-09-07 at local midnight
  { zone: 'UTC', start: '2025-06-01 00:00:00' },
];

const SPECIAL_OFFSETS = [0, 1, 5400, 5401, 7199, 7200, 86_399, 86_400, 86_401, 3 * 86_400, 3 * 86_400 + 1, 30 * 3600, 48 * 3600];

export interface FunnelLog {
  users: RefUser[];
  events: SourceEvent[];
  /** The build's watermark: events after it are ignored. */
  through: string;
}

export function randomFunnelLog(seed: number, start: string, userCount = 150): FunnelLog {
  const r = seededRandom(seed);
  const base = utcMillis(start);
  const users: RefUser[] = [];
  const events: SourceEvent[] = [];
  for (let i = 0; i < userCount; i++) {
    const user_id = `u${String(i).padStart(3, '0')}`;
    const fv = base + r.int(0, 4 * 48) * 1_800_000 + (r.chance(0.2) ? r.int(1, 1799) * 1000 : 0);
    users.push({ user_id, first_datetime: utcText(fv) });
    const n = r.int(0, 9);
    const times: number[] = [];
    for (let j = 0; j < n; j++) {
      const roll = r.next();
      let t: number;
      if (roll < 0.4) t = fv + r.int(-2, 48 * 4) * 1_800_000;
      else if (roll < 0.55) t = base + r.int(0, 48 * 7) * 1_800_000;
      else if (roll < 0.75) t = fv + r.pick(SPECIAL_OFFSETS) * 1000;
      else if (roll < 0.85 && times.length > 0) t = r.pick(times);
      else t = fv + r.int(-3600, 5 * 86_400) * 1000;
      if (r.chance(0.1)) t -= 1000;
      times.push(t);
      const event = r.chance(0.15) ? 'page_view' : r.chance(0.12) ? 'uninstall' : r.chance(0.5) ? 'key_event_1' : 'key_event_2';
      events.push({ user_id, event_name: event, datetime: utcText(t) });
    }
  }
  // Events of users the users relation does not hold: never in a funnel table.
  events.push({ user_id: 'ghost', event_name: 'key_event_1', datetime: utcText(base + 3_600_000) });
  return { users, events, through: utcText(base + (5 * 24 + 12) * 3_600_000) };
}
