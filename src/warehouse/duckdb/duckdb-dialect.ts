import { quoteAnsiIdentifier, type Dialect } from '../warehouse.ts';

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  quoteIdentifier: quoteAnsiIdentifier,
  parameter: (n) => `$${n}`,
  // Naive UTC → TIMESTAMPTZ (as UTC) → naive local time in the zone: no dependence on the session's TimeZone.
  localDate: (ts, zone) => `CAST((${ts} AT TIME ZONE 'UTC') AT TIME ZONE ${zone} AS DATE)`,
  hourBucketsBetween: (later, earlier) => `CAST(date_diff('hour', date_trunc('hour', ${earlier}), date_trunc('hour', ${later})) AS INTEGER)`,
  daysBetween: (later, earlier) => `CAST((${later}) - (${earlier}) AS INTEGER)`,
  types: { timestamp: 'TIMESTAMP', date: 'DATE', string: 'VARCHAR', integer: 'INTEGER', bigint: 'BIGINT' },
  capabilities: { transactionalDdl: true },
};
