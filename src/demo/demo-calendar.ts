/** Days as integers (days since 1970-01-01, UTC) and times as epoch seconds: cheap to do arithmetic on in hot loops. */

export const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = 86_400_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** 'YYYY-MM-DD' → day number; throws on anything else (the CLI turns that into a user error). */
export function dayNumber(date: string): number {
  const ms = ISO_DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`not a date (expected YYYY-MM-DD): ${date}`);
  return ms / MS_PER_DAY;
}

export function dateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export const dayOfSecond = (seconds: number) => Math.floor(seconds / SECONDS_PER_DAY);

/** 0 = Sunday … 6 = Saturday. */
export const weekday = (day: number) => (day + 4) % 7;

/** 'YYYY-MM-DD HH:MM:SS' in UTC, the form the warehouse adapters return. */
export function timestampText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
