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

export function plusMillis(ts: string, millis: number): string {
  const p = parse(ts);
  return format({ millis: p.millis + millis, micros: p.micros });
}

export function minusDuration(ts: string, duration: Duration): string {
  const p = parse(ts);
  const hours = duration.days !== undefined ? duration.days * 24 : duration.hours!;
  return format({ millis: p.millis - hours * 3_600_000, micros: p.micros });
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
