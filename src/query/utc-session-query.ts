/**
 * Cube's query classes, with one shortcut: a query in UTC does not convert time dimensions.
 *
 * Cube converts every time dimension to the query's time zone, row by row (DuckDB:
 * `timezone('UTC', x::timestamptz)`, PostgreSQL: `x::timestamptz AT TIME ZONE 'UTC'`). The
 * warehouse holds naive UTC timestamps and every session this project opens runs in UTC (the
 * builder, Cube's drivers through cube.js and each engine's Cube driver), so for a UTC query that
 * conversion is the identity, yet it dominated a funnel query on the user-grain tables (350 ms of
 * 360 ms over 500k rows at 10M events). Other time zones convert exactly as Cube does.
 *
 * cube.js imports this file too (through the engines' definitions), so it uses erasable TypeScript only.
 */

// A mixin's base must take `any[]` (TypeScript's rule for class mixins).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type QueryClass = new (...args: any[]) => { timezone?: string; convertTz(field: string): string };

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Z']);

/** `Base` (one of Cube's query classes) with the identity conversion for UTC queries. */
export function withUtcShortcut<T extends QueryClass>(Base: T): T {
  return class extends Base {
    convertTz(field: string): string {
      return UTC_NAMES.has(this.timezone ?? 'UTC') ? field : super.convertTz(field);
    }
  };
}
