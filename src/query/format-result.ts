import Table from 'cli-table3';
import type { ResultRow } from './shape-result.ts';

export type ResultFormat = 'table' | 'json' | 'csv';

/** The REST `data` array in the chosen format: json is exactly `/load`'s `data`. */
export function formatResult(data: ResultRow[], format: ResultFormat): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  const columns = [...new Set(data.flatMap((row) => Object.keys(row)))];
  const cell = (v: ResultRow[string] | undefined) => (v === null || v === undefined ? '' : String(v));
  if (format === 'csv') {
    const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return `${[columns.map(quote).join(','), ...data.map((row) => columns.map((c) => quote(cell(row[c]))).join(','))].join('\n')}\n`;
  }
  if (data.length === 0) return '(no rows)\n';
  const table = new Table({ head: columns });
  for (const row of data) table.push(columns.map((c) => cell(row[c])));
  return `${table.toString()}\n${data.length} row(s)\n`;
}
