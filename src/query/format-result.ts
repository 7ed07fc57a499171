import Table from 'cli-table3';
import { formatDuration, formatPercent, type MemberDisplay } from './member-display.ts';
import { granularityBase, type ResultRow } from './shape-result.ts';

export type ResultFormat = 'table' | 'json' | 'csv';

export interface TableOptions {
  /** Per result key: show percentages and durations (memberDisplays); json and csv ignore it. */
  displays?: Record<string, MemberDisplay>;
  /** Colour the table's header and borders; false (the default) when stdout is not a terminal. */
  color?: boolean;
}

/** The REST `data` array in the chosen format: json is exactly `/load`'s `data`; the table is for people. */
export function formatResult(data: ResultRow[], format: ResultFormat, options: TableOptions = {}): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  const columns = [...new Set(data.flatMap((row) => Object.keys(row)))];
  const cell = (v: ResultRow[string] | undefined) => (v === null || v === undefined ? '' : String(v));
  if (format === 'csv') {
    const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return `${[columns.map(quote).join(','), ...data.map((row) => columns.map((c) => quote(cell(row[c]))).join(','))].join('\n')}\n`;
  }
  if (data.length === 0) return '(no rows)\n';
  const shown = columns.filter((c) => !repeatsItsGranularity(c, columns, data));
  const times = new Map(shown.map((c) => [c, timeDisplay(data.map((row) => row[c]))]));
  const display = (column: string, v: ResultRow[string] | undefined) => {
    const time = times.get(column);
    if (time && typeof v === 'string') return time(v);
    const kind = options.displays?.[column];
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (kind === undefined || !Number.isFinite(n)) return cell(v);
    return kind === 'percent' ? formatPercent(n) : formatDuration(n);
  };
  const table = new Table({
    head: shown,
    // compact: one line per row, a rule under the header only.
    style: options.color ? { head: ['cyan'], border: ['grey'], compact: true } : { head: [], border: [], compact: true },
  });
  for (const row of data) table.push(shown.map((c) => display(c, row[c])));
  return `${table.toString()}\n${data.length} row(s)\n`;
}

/**
 * Cube answers a time dimension asked with a granularity under two keys, `x.day` and `x`, with
 * the same value (shape-result.ts): the table shows it once (json and csv keep both, as `/load` does).
 */
function repeatsItsGranularity(column: string, columns: readonly string[], data: ResultRow[]): boolean {
  return columns.some((other) => granularityBase(other) === column && data.every((row) => row[column] === row[other]));
}

const CUBE_TIME = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{3})$/;

/**
 * Cube's time values (`2025-05-01T00:00:00.000`, in the query's zone) for people: a column of
 * midnights shows dates, others the time of day too (milliseconds only when there are some).
 * Undefined: not a column of Cube's time values.
 */
function timeDisplay(values: readonly ResultRow[string][]): ((v: string) => string) | undefined {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0 || !present.every((v) => typeof v === 'string' && CUBE_TIME.test(v))) return undefined;
  const midnights = present.every((v) => String(v).endsWith('T00:00:00.000'));
  return (v) => {
    const [, date, time, millis] = CUBE_TIME.exec(v)!;
    if (midnights) return date;
    return millis === '000' ? `${date} ${time}` : `${date} ${time}.${millis}`;
  };
}
