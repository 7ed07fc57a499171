/**
 * MartSql's choices that no validated spec reaches end to end: the full build's slice holds the
 * tracked events plus the funnels' events, and validation makes the second a subset of the first,
 * so the mart and the report read the slice without comparing event names. A spec built in code
 * without that guarantee must still keep the mart to its tracked events.
 */
import { describe, expect, it } from 'vitest';
import { MartSql, type Scratch } from '../src/mart/mart-sql.ts';
import { duckdbDialect } from '../src/warehouse/duckdb/duckdb-dialect.ts';

const scratch: Scratch = {
  users: 's_users',
  changedUsers: 's_changed_users',
  goneUsers: 's_gone_users',
  scan: 's_scan',
  events: 's_events',
  allUsers: 's_all_users',
  rangeEvents: 's_range_events',
  rangeUsers: 's_range_users',
  mart: 's_mart',
  delta: 's_delta',
};
const sql = new MartSql(duckdbDialect, { events: 'fact__events', users: 'dim__users', mart: 'mart' }, 'UTC', 'VARCHAR', scratch);

describe('the full build reads its slice of the log', () => {
  it('without an event filter when the slice holds only tracked events', () => {
    const slice = { events: ['a', 'b'], tracked: ['b', 'a'] };
    for (const statement of [sql.stageFullMart(slice), sql.sliceScanSummary(slice)]) {
      expect(statement.sql).not.toMatch(/event_name IN/);
      expect(statement.params).not.toContain('a');
    }
  });

  it('keeping the tracked events only when the slice holds another', () => {
    const slice = { events: ['a', 'b', 'c'], tracked: ['a', 'b'] };
    const mart = sql.stageFullMart(slice);
    expect(mart.sql).toMatch(/WHERE e\.event_name IN \(\$\d+, \$\d+\) AND e\."datetime" >= e\.first_datetime/);
    expect(mart.params).toEqual(expect.arrayContaining(['a', 'b']));
    expect(mart.params).not.toContain('c');
    const summary = sql.sliceScanSummary(slice);
    expect(summary.sql.match(/event_name IN/g)).toHaveLength(2);
    expect(summary.params).not.toContain('c');
  });
});
