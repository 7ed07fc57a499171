import Table from 'cli-table3';
import { formatDuration, formatPercent, type MemberDisplay } from './member-display.ts';
import type { ResultRow } from './shape-result.ts';

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
  const display = (column: string, v: ResultRow[string] | undefined) => {
    const kind = options.displays?.[column];
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (kind === undefined || !Number.isFinite(n)) return cell(v);
    return kind === 'percent' ? formatPercent(n) : formatDuration(n);
  };
  const table = new Table({ head: columns, style: options.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] } });
  for (const row of data) table.push(columns.map((c) => display(c, row[c])));
  return `${table.toString()}\n${data.length} row(s)\n`;
}
