import { quoteAnsiIdentifier, type Dialect } from '../warehouse.ts';

export const postgresDialect: Dialect = {
  name: 'postgres',
  quoteIdentifier: quoteAnsiIdentifier,
  parameter: (n) => `$${n}`,
  // timestamp AT TIME ZONE 'UTC' reads the naive value as UTC; timestamptz AT TIME ZONE z gives local wall time.
  localDate: (ts, zone) => `CAST((${ts} AT TIME ZONE 'UTC') AT TIME ZONE CAST(${zone} AS TEXT) AS DATE)`,
  hourBucketsBetween: (later, earlier) =>
    `CAST(EXTRACT(EPOCH FROM (date_trunc('hour', ${later}) - date_trunc('hour', ${earlier}))) / 3600 AS INTEGER)`,
  daysBetween: (later, earlier) => `((${later}) - (${earlier}))`,
  types: { timestamp: 'TIMESTAMP', date: 'DATE', string: 'TEXT', integer: 'INTEGER', bigint: 'BIGINT' },
  capabilities: { transactionalDdl: true },
};
