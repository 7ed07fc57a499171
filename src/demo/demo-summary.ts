import type { DemoSummary } from './generate-demo-data.ts';

const n = (value: number) => value.toLocaleString('en-US');

/** What the demo generation wrote, in a few lines. */
export function formatDemoSummary(s: DemoSummary): string {
  return [
    `Demo data (seed ${s.plan.seed}), arrivals ${s.loaded.from} … ${s.loaded.to}, in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `  ${s.plan.tables.users.padEnd(14)} ${n(s.users)} users`,
    `  ${s.plan.tables.events.padEnd(14)} ${n(s.events)} events`,
    `  bad rows       ${n(s.eventsBeforeFirstVisit)} before the user's first visit, ${n(s.eventsOfUnknownUsers)} of users missing from ${s.plan.tables.users}, ${n(s.nullUserEvents)} with no user_id, ${n(s.duplicateEvents)} duplicated`,
    `  late arrivals  ${n(s.lateEvents)} events loaded 1-${s.plan.maxLateDays} days after they happened`,
  ].join('\n');
}
