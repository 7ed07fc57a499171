/**
 * Arithmetic on the warehouses' UTC timestamp text ('YYYY-MM-DD HH:MM:SS[.ffffff]'), keeping
 * microseconds exact (a JavaScript Date would drop them).
 */
import type { Duration } from '../spec/spec-types.ts';

interface Parsed {
  millis: number;
  micros: number;
}

function parse(ts: string): Parsed {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(ts);
  if (!match) throw new Error(`unexpected timestamp text from the warehouse: ${ts}`);
  return { millis: Date.parse(`${match[1]}T${match[2]}Z`), micros: Number((match[3] ?? '').padEnd(6, '0')) };
}

function format({ millis, micros }: Parsed): string {
  const base = new Date(millis).toISOString().slice(0, 19).replace('T', ' ');
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
}

const compare = (a: string, b: string) => {
  const x = parse(a);
  const y = parse(b);
  return x.millis - y.millis || x.micros - y.micros;
};

/** Negative, zero or positive as `a` is earlier than, equal to or later than `b`. */
export const compareTimestamps = compare;

/** An instant before every event: the upper bound of a build over an empty log. */
export const BEFORE_EVERY_EVENT = '0001-01-01 00:00:00';

const durationMillis = (d: Duration) => (d.days !== undefined ? d.days * 24 : d.hours!) * 3_600_000;

function shift(ts: string, millis: number): string {
  const p = parse(ts);
  return format({ millis: p.millis + millis, micros: p.micros });
}

export const plusDuration = (ts: string, duration: Duration) => shift(ts, durationMillis(duration));
export const minusDuration = (ts: string, duration: Duration) => shift(ts, -durationMillis(duration));

/** A Date as the warehouses' UTC timestamp text. */
export function utcText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function minTimestamp(a: string, b: string): string {
  return compare(a, b) <= 0 ? a : b;
}

/** The later of two timestamps, either of which may be missing. */
export function maxTimestamp(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compare(a, b) >= 0 ? a : b;
}
