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
    expect(table).toMatch(/│ 2025-01-01 +│ 3 +│ 66\.7% +│ 1d 2h +│ +│/);
    expect(table).toMatch(/1 row\(s\)\n$/);
  });

  it('table: a time dimension once (Cube repeats x.day as x), dates for midnights, one line per row', () => {
    const table = formatResult(DATA, 'table', { displays: DISPLAYS });
    expect(table).toContain('f.cohort_date.day');
    expect(table).not.toMatch(/f\.cohort_date +│/);
    const hours = [
      { 'e.datetime.hour': '2025-06-01T00:00:00.000', 'e.datetime': '2025-06-01T00:00:00.000', 'e.at': '2025-06-01T10:15:00.250', 'e.users': '41' },
      { 'e.datetime.hour': '2025-06-01T01:00:00.000', 'e.datetime': '2025-06-01T01:00:00.000', 'e.at': null, 'e.users': '7' },
    ];
    const lines = formatResult(hours, 'table').split('\n');
    // top rule, header, header rule, two rows, bottom rule, the count
    expect(lines).toHaveLength(8);
    expect(lines[1]).not.toMatch(/e\.datetime +│/);
    expect(lines[3]).toMatch(/│ 2025-06-01 00:00:00 +│ 2025-06-01 10:15:00\.250 +│ 41 +│/);
    expect(lines[4]).toMatch(/│ 2025-06-01 01:00:00 +│ +│ 7 +│/);
    // A column that differs from its granularity's, or is not made of Cube's time values, stays as it is.
    const kept = formatResult([{ 'x.day': '2025-01-01T00:00:00.000', x: 'other', y: '2025-01-01' }], 'table');
    expect(kept).toMatch(/│ 2025-01-01 +│ other +│ 2025-01-01 +│/);
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
