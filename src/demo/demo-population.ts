/**
 * Who the demo users are and what each of them will do: attributes, first visit, the funnel's
 * key events, and the days they come back. One user is a pure function of (plan seed, first
 * day, index), so any user can be rebuilt without the others.
 */
import { dayOfSecond, SECONDS_PER_DAY, weekday } from './demo-calendar.ts';
import { Random, weighted } from './random.ts';

/** Stream purposes: a user's own draws, a user's day, the day's size, the day's stray rows. */
export const STREAM = { user: 1, userDay: 2, daySize: 3, dayStray: 4 } as const;

/** Users per first day are indexed below this, so (day, index) packs into one safe integer. */
export const MAX_USERS_PER_DAY = 1 << 20;
/** No event of a user is generated later than this many days after their first visit. */
export const ACTIVITY_HORIZON_DAYS = 120;

export const KEY_EVENT_1 = 'key_event_1';
export const KEY_EVENT_2 = 'key_event_2';

interface Country {
  name: string | null;
  /** Whole-hour UTC offset used to place sessions at local daytime. */
  utcOffset: number;
  iosShare: number;
  /** How much more or less likely than average users here are to reach key_event_1. */
  activation: number;
}

// United States heavy, then the markets a Korean-founded consumer app would plausibly see; a few unknowns.
const COUNTRIES = weighted<Country>([
  [{ name: 'United States', utcOffset: -5, iosShare: 0.55, activation: 1.0 }, 38],
  [{ name: 'South Korea', utcOffset: 9, iosShare: 0.3, activation: 1.15 }, 14],
  [{ name: 'Japan', utcOffset: 9, iosShare: 0.65, activation: 0.9 }, 9],
  [{ name: 'Germany', utcOffset: 1, iosShare: 0.35, activation: 0.95 }, 7],
  [{ name: 'United Kingdom', utcOffset: 0, iosShare: 0.5, activation: 1.0 }, 6],
  [{ name: 'India', utcOffset: 5, iosShare: 0.05, activation: 0.75 }, 6],
  [{ name: 'Brazil', utcOffset: -3, iosShare: 0.15, activation: 0.85 }, 5],
  [{ name: 'France', utcOffset: 1, iosShare: 0.35, activation: 0.95 }, 4],
  [{ name: 'Canada', utcOffset: -5, iosShare: 0.5, activation: 1.0 }, 4],
  [{ name: 'Australia', utcOffset: 10, iosShare: 0.5, activation: 1.05 }, 3],
  [{ name: 'Mexico', utcOffset: -6, iosShare: 0.2, activation: 0.85 }, 2],
  [{ name: 'Indonesia', utcOffset: 7, iosShare: 0.1, activation: 0.8 }, 1.5],
  [{ name: null, utcOffset: 0, iosShare: 0.4, activation: 0.9 }, 0.5],
]);

interface Acquisition {
  source: string;
  medium: string;
  campaign: string | null;
  activation: number;
}

const ACQUISITION = weighted<Acquisition>([
  [{ source: 'google', medium: 'organic', campaign: null, activation: 1.1 }, 22],
  [{ source: '(direct)', medium: '(none)', campaign: null, activation: 1.05 }, 18],
  [{ source: 'google', medium: 'cpc', campaign: 'brand_search', activation: 1.0 }, 10],
  [{ source: 'google', medium: 'cpc', campaign: 'generic_search', activation: 0.8 }, 8],
  [{ source: 'facebook', medium: 'paid_social', campaign: 'spring_launch', activation: 0.75 }, 8],
  [{ source: 'instagram', medium: 'paid_social', campaign: 'spring_launch', activation: 0.75 }, 6],
  [{ source: 'newsletter', medium: 'email', campaign: 'weekly_digest', activation: 1.3 }, 6],
  [{ source: 'tiktok', medium: 'paid_social', campaign: 'creator_collab', activation: 0.7 }, 5],
  [{ source: 'partner_blog', medium: 'referral', campaign: null, activation: 1.15 }, 5],
  [{ source: 'apple_search_ads', medium: 'cpc', campaign: 'ios_install', activation: 0.95 }, 4],
  [{ source: 'youtube', medium: 'video', campaign: 'how_to_series', activation: 0.9 }, 4],
]);

/** Churners, casual and engaged users: how often they return, how busy their sessions are, how likely they activate. */
const ENGAGEMENT = [
  { share: 0.45, returns: 0.4, eventsPerSession: 4, activation: 0.6, secondStep: 0.5 },
  { share: 0.4, returns: 3, eventsPerSession: 6, activation: 1.0, secondStep: 1.0 },
  { share: 0.15, returns: 12, eventsPerSession: 9, activation: 1.6, secondStep: 1.7 },
] as const;

// Local hour of day → relative traffic.
const DIURNAL = weighted([1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 3.5, 3.5, 4, 3.8, 3.5, 3.4, 3.5, 3.8, 4.2, 4.8, 5, 4.6, 3.5, 2].map((w, hour): [number, number] => [hour, w]));

// Sunday … Saturday: weekdays bring more new users.
const WEEKDAY_TRAFFIC = [0.85, 1.05, 1.05, 1.02, 1.0, 0.95, 0.8];
export const MEAN_WEEKDAY_TRAFFIC = WEEKDAY_TRAFFIC.reduce((a, b) => a + b, 0) / 7;

/** A release every two weeks since this day; most users run one of the latest two. */
const FIRST_RELEASE_DAY = 19_358; // 2023-01-01
const RELEASE_EVERY_DAYS = 14;

const KEY_EVENT_1_RATE = 0.4;
const KEY_EVENT_2_RATE = 0.35;
const OUT_OF_ORDER_RATE = 0.03;
const REPEAT_MEAN = 1.2;
export const ORPHAN_RATE = 0.003;
export const SKEWED_CLOCK_RATE = 0.005;
export const LATE_RATE = 0.01;

export interface PlannedEvent {
  name: string;
  /** Epoch seconds, UTC. */
  ts: number;
  /** When the event reached the warehouse (epoch seconds): decides which load carries it. */
  loadedAt: number;
  /** The day whose generation emits it (a late event keeps its own day). */
  day: number;
  late: boolean;
}

export interface DemoUser {
  key: number;
  id: string;
  firstDay: number;
  firstTs: number;
  country: string | null;
  utcOffset: number;
  deviceOs: string;
  appVersion: string | null;
  campaign: string | null;
  medium: string;
  source: string;
  engagement: 0 | 1 | 2;
  /** Events whose user never reaches dim__users (a broken identity pipeline). */
  orphan: boolean;
  /** Days (after the first) with sessions, ascending. */
  returnDays: number[];
  /** Key events, first occurrences and repeats, plus a clock-skewed event before the first visit when the user has one. */
  planned: PlannedEvent[];
}

export const userKey = (day: number, index: number) => day * MAX_USERS_PER_DAY + index;

/** New users on `day` for a plan with `usersPerDay` on an average day: weekday pattern and day-to-day noise. */
export function newUsersOnDay(seed: number, usersPerDay: number, day: number): number {
  const noise = 1 + 0.12 * new Random(seed, STREAM.daySize, day).normal();
  return Math.max(0, Math.min(MAX_USERS_PER_DAY - 1, Math.round((usersPerDay * WEEKDAY_TRAFFIC[weekday(day)] * Math.max(0.5, noise)) / MEAN_WEEKDAY_TRAFFIC)));
}

/** A UTC second on `day` falling at a plausible local hour for a user `utcOffset` hours from UTC. */
export function sessionStart(random: Random, day: number, utcOffset: number): number {
  const localHour = random.pick(DIURNAL);
  return day * SECONDS_PER_DAY + (((localHour - utcOffset) % 24) + 24) % 24 * 3600 + random.int(0, 3599);
}

/** When an event loaded at `ts` (generated on `day`) reaches the warehouse: seconds later, or on one of the next `maxLateDays` days. */
export function arrival(random: Random, ts: number, day: number, maxLateDays: number): { loadedAt: number; late: boolean } {
  if (maxLateDays > 0 && random.chance(LATE_RATE)) {
    const lateDay = day + random.int(1, maxLateDays);
    return { loadedAt: Math.max(ts + 60, lateDay * SECONDS_PER_DAY + random.int(0, 20 * 3600)), late: true };
  }
  return { loadedAt: ts + random.int(2, 90), late: false };
}

export function demoUser(seed: number, day: number, index: number, maxLateDays: number): DemoUser {
  const key = userKey(day, index);
  const random = new Random(seed, STREAM.user, key);
  const country = random.pick(COUNTRIES);
  const acquisition = random.pick(ACQUISITION);
  const r = random.next();
  const engagement: 0 | 1 | 2 = r < ENGAGEMENT[0].share ? 0 : r < ENGAGEMENT[0].share + ENGAGEMENT[1].share ? 1 : 2;
  const profile = ENGAGEMENT[engagement];
  const web = random.chance(0.15);
  const deviceOs = web ? 'Web' : random.chance(country.iosShare) ? 'iOS' : 'Android';
  const latestRelease = Math.floor((day - FIRST_RELEASE_DAY) / RELEASE_EVERY_DAYS);
  const release = latestRelease - (random.chance(0.7) ? 0 : random.chance(0.7) ? 1 : 2);
  const appVersion = web ? null : `${3 + Math.floor(release / 20)}.${release % 20}.${random.chance(0.8) ? 0 : 1}`;
  const firstTs = sessionStart(random, day, country.utcOffset);
  const orphan = random.chance(ORPHAN_RATE);

  const returns = new Set<number>();
  for (let k = random.poisson(profile.returns); k > 0; k--) {
    // Log-uniform over 1..90 days: most returns come soon after the first visit, as retention curves do.
    returns.add(day + Math.min(90, Math.floor(Math.exp(random.next() * Math.log(91)))));
  }
  const returnDays = [...returns].sort((a, b) => a - b);

  const planned: PlannedEvent[] = [];
  const plan = (name: string, ts: number) => {
    const emitDay = dayOfSecond(ts);
    if (emitDay > day + ACTIVITY_HORIZON_DAYS) return;
    const { loadedAt, late } = arrival(random, ts, emitDay, maxLateDays);
    planned.push({ name, ts, loadedAt, day: emitDay, late });
  };
  const activation = country.activation * acquisition.activation * profile.activation * (deviceOs === 'iOS' ? 1.1 : deviceOs === 'Web' ? 0.8 : 1);
  let keyEvent1: number | undefined;
  let keyEvent2: number | undefined;
  if (random.chance(OUT_OF_ORDER_RATE)) {
    // Did the second key event first (a deep link, a shared cart): sequential funnels must not count them.
    keyEvent2 = firstTs + 60 + Math.round(random.exponential(6 * 3600));
    if (random.chance(0.6)) keyEvent1 = keyEvent2 + 60 + Math.round(random.exponential(10 * 3600));
  } else if (random.chance(Math.min(0.95, KEY_EVENT_1_RATE * activation))) {
    keyEvent1 = firstTs + keyEvent1Delay(random);
    if (random.chance(Math.min(0.95, KEY_EVENT_2_RATE * profile.secondStep * acquisition.activation))) keyEvent2 = keyEvent1 + keyEvent2Delay(random);
  }
  for (const [name, first] of [[KEY_EVENT_1, keyEvent1], [KEY_EVENT_2, keyEvent2]] as const) {
    if (first === undefined) continue;
    plan(name, first);
    for (let k = random.poisson(REPEAT_MEAN); k > 0; k--) plan(name, first + random.int(3600, 30 * SECONDS_PER_DAY));
  }
  if (random.chance(SKEWED_CLOCK_RATE)) {
    // A device clock behind: an event stamped before the user's first visit, loaded with the first session.
    // It belongs to the first day's load, so it never arrives before the day that emits it.
    planned.push({ name: random.chance(0.6) ? KEY_EVENT_1 : 'page_view', ts: firstTs - random.int(60, 6 * 3600), loadedAt: firstTs + random.int(5, 60), day, late: false });
  }

  return {
    key,
    id: `u${key.toString(36)}`,
    firstDay: day,
    firstTs,
    country: country.name,
    utcOffset: country.utcOffset,
    deviceOs,
    appVersion,
    campaign: acquisition.campaign,
    medium: acquisition.medium,
    source: acquisition.source,
    engagement,
    orphan,
    returnDays,
    planned,
  };
}

export const eventsPerSession = (user: DemoUser) => ENGAGEMENT[user.engagement].eventsPerSession;

/** Seconds after the first visit: mostly within the first session, some the next day, a tail beyond any window. */
function keyEvent1Delay(random: Random): number {
  const r = random.next();
  if (r < 0.65) return 60 + Math.round(random.exponential(25 * 60));
  if (r < 0.85) return random.int(3600, 30 * 3600);
  return random.int(36 * 3600, 20 * SECONDS_PER_DAY);
}

/** Seconds after key_event_1: a day or so typically, up to a week often, and a tail past it. */
function keyEvent2Delay(random: Random): number {
  const r = random.next();
  if (r < 0.45) return 60 + Math.round(random.exponential(12 * 3600));
  if (r < 0.85) return random.int(SECONDS_PER_DAY, 7 * SECONDS_PER_DAY);
  return random.int(7 * SECONDS_PER_DAY, 25 * SECONDS_PER_DAY);
}
