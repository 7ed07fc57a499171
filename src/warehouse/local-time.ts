/**
 * Calendar dates and midnights in the spec's time zone, rendered per engine: the one place that
 * decides how a UTC timestamp becomes a local date. Every builder and model statement goes
 * through here rather than calling the Dialect's zone conversion directly.
 *
 * In UTC (and its aliases) the local date is the UTC date, so no conversion is rendered: a zone
 * conversion costs the engine a lookup per row (on DuckDB about 0.12 µs, 60 ms for 500k first
 * visits, and a build converts every first visit and every day-window event), a cast almost
 * nothing. Both give the same answer; test/time-primitives.test.ts checks it on every engine.
 */
import type { Dialect } from './warehouse.ts';

/** Zone names that are UTC itself in the IANA database (links to Etc/UTC): no offset, ever. */
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu', 'Etc/UCT', 'UCT', 'Etc/GMT', 'GMT', 'Etc/Greenwich', 'Greenwich', 'Etc/GMT0', 'GMT0', 'Etc/GMT+0', 'GMT+0', 'Etc/GMT-0', 'GMT-0']);

export function isUtcZone(zone: string): boolean {
  return UTC_ZONES.has(zone);
}

/**
 * `zoneSql` renders the zone name as SQL (a bound parameter in the builder, a quoted literal in
 * the model); it is called only when the zone is needed.
 */
export function localDateSql(d: Dialect, utcTimestamp: string, zone: string, zoneSql: (zone: string) => string): string {
  return isUtcZone(zone) ? `CAST(${utcTimestamp} AS ${d.types.date})` : d.localDate(utcTimestamp, zoneSql(zone));
}

/** The UTC instant of local midnight starting `date` (see Dialect.localMidnightUtc). */
export function localMidnightUtcSql(d: Dialect, date: string, zone: string, zoneSql: (zone: string) => string): string {
  return isUtcZone(zone) ? `CAST(${date} AS ${d.types.timestamp})` : d.localMidnightUtc(date, zoneSql(zone));
}
