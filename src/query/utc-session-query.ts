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

/**
 * Opens the SQL of a calendar date the model pins (src/model/model-sql.ts, pinnedDateSql). In a UTC
 * query that SQL is a midnight, so truncating it to its day (or hour, minute, second) is the identity:
 * the query groups by it as it is (DATE_TRUNC per row was a third of a cohort-day query's SQL time).
 */
export const CALENDAR_DATE_MARK = '/* calendar date */';
const TRUNCATIONS_KEEPING_MIDNIGHT = new Set(['day', 'hour', 'minute', 'second']);

/** Cube's Granularity, as far as this file reads it. */
interface Granularity {
  granularity?: string;
  granularityOffset?: unknown;
  isNaturalAligned(): boolean;
}

// A mixin's base must take `any[]` (TypeScript's rule for class mixins).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type QueryClass = new (...args: any[]) => {
  timezone?: string;
  convertTz(field: string): string;
  dimensionTimeGroupedColumn(dimension: string, granularity: Granularity): string;
};

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Z']);

/** `Base` (one of Cube's query classes) with the identity conversion for UTC queries. */
export function withUtcShortcut<T extends QueryClass>(Base: T): T {
  return class extends Base {
    convertTz(field: string): string {
      return UTC_NAMES.has(this.timezone ?? 'UTC') ? field : super.convertTz(field);
    }

    dimensionTimeGroupedColumn(dimension: string, granularity: Granularity): string {
      const midnight = UTC_NAMES.has(this.timezone ?? 'UTC') && dimension.startsWith(`(${CALENDAR_DATE_MARK}`);
      if (midnight && granularity.isNaturalAligned() && !granularity.granularityOffset && TRUNCATIONS_KEEPING_MIDNIGHT.has(granularity.granularity ?? '')) return dimension;
      return super.dimensionTimeGroupedColumn(dimension, granularity);
    }
  };
}
