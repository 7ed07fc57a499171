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
  plusSeconds: (ts, seconds) => `(${ts} + make_interval(secs => ${seconds}))`,
  secondsBetween: (later, earlier) => `CAST(EXTRACT(EPOCH FROM (${later} - ${earlier})) AS DOUBLE PRECISION)`,
  plusDifference: (ts, later, earlier) => `(${ts} + (${later} - ${earlier}))`,
  hourStart: (ts) => `date_trunc('hour', ${ts})`,
  // timestamp AT TIME ZONE z reads local wall time in z; timestamptz AT TIME ZONE 'UTC' gives naive UTC.
  localMidnightUtc: (date, zone) => `((CAST(${date} AS TIMESTAMP) AT TIME ZONE CAST(${zone} AS TEXT)) AT TIME ZONE 'UTC')`,
  addDays: (date, days) => `(${date} + ${days})`,
  median: (value) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${value})`,
  types: { timestamp: 'TIMESTAMP', date: 'DATE', string: 'TEXT', integer: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE PRECISION', boolean: 'BOOLEAN' },
  quoteLiteral: (value) => `'${value.replace(/'/g, "''")}'`,
  // A 64-bit hash per row; SUM over bigints is a NUMERIC, so the fingerprint never overflows.
  userFingerprint: (userId, firstDatetime) => `hashtextextended(CAST(${userId} AS TEXT) || '|' || CAST(${firstDatetime} AS TEXT), 0)`,
  capabilities: { transactions: true, buildLock: 'advisory-lock', tempTables: true, prunedScanCost: 'rows', concurrentStatements: false },
};
