/** `activation query --format table|json|csv`: percentages and durations in the table only; json is `/load`'s data as is. */
import { describe, expect, it } from 'vitest';
import { formatResult } from '../src/query/format-result.ts';
import { formatDuration, formatPercent } from '../src/query/member-display.ts';

const DATA = [
  { 'f.cohort_date.day': '2025-01-01T00:00:00.000', 'f.cohort_date': '2025-01-01T00:00:00.000', 'f.first_visit_users': '3', 'f.k_conversion_rate': '0.6666666666666666', 'f.k_avg_seconds_to_convert': '93784', 'f.k_median_seconds_to_convert': null },
];
const DISPLAYS = { 'f.k_conversion_rate': 'percent', 'f.k_avg_seconds_to_convert': 'seconds', 'f.k_median_seconds_to_convert': 'seconds' } as const;

describe('query output formats', () => {
  it('table: percent measures as percentages, seconds as durations, NULL as empty, counts as returned', () => {
    const table = formatResult(DATA, 'table', { displays: DISPLAYS });
    expect(table).toMatch(/│ 2025-01-01T00:00:00\.000 │ 2025-01-01T00:00:00\.000 │ 3 +│ 66\.7% +│ 1d 2h +│ +│/);
    expect(table).toMatch(/1 row\(s\)\n$/);
  });

  it('table: no colour codes unless asked (stdout not a terminal)', () => {
    expect(formatResult(DATA, 'table', { displays: DISPLAYS }).includes('\u001b[')).toBe(false);
    expect(formatResult(DATA, 'table').includes('\u001b[')).toBe(false);
  });

  it('json is exactly the data array, and csv keeps the raw values, whatever the displays', () => {
    expect(formatResult(DATA, 'json', { displays: DISPLAYS })).toBe(`${JSON.stringify(DATA, null, 2)}\n`);
    expect(formatResult(DATA, 'csv', { displays: DISPLAYS }).split('\n')[1]).toBe('2025-01-01T00:00:00.000,2025-01-01T00:00:00.000,3,0.6666666666666666,93784,');
  });

  it('durations: the two largest units; percentages: one decimal', () => {
    expect([0, 1.5, 42, 60, 200, 3600, 7500, 86_400, 93_784, 1_209_600].map(formatDuration)).toEqual(['0s', '1.5s', '42s', '1m', '3m 20s', '1h', '2h 5m', '1d', '1d 2h', '14d']);
    expect([0, 0.25, 1, 0.6666666666666666].map(formatPercent)).toEqual(['0.0%', '25.0%', '100.0%', '66.7%']);
  });
});
