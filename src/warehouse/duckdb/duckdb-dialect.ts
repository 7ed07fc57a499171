import { quoteAnsiIdentifier, type Dialect } from '../warehouse.ts';

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  quoteIdentifier: quoteAnsiIdentifier,
  parameter: (n) => `$${n}`,
  // Naive UTC → TIMESTAMPTZ (as UTC) → naive local time in the zone: no dependence on the session's TimeZone.
  localDate: (ts, zone) => `CAST((${ts} AT TIME ZONE 'UTC') AT TIME ZONE ${zone} AS DATE)`,
  hourBucketsBetween: (later, earlier) => `CAST(date_diff('hour', date_trunc('hour', ${earlier}), date_trunc('hour', ${later})) AS INTEGER)`,
  daysBetween: (later, earlier) => `CAST((${later}) - (${earlier}) AS INTEGER)`,
  plusSeconds: (ts, seconds) => `(${ts} + to_seconds(${seconds}))`,
  secondsBetween: (later, earlier) => `(CAST(date_diff('microsecond', ${earlier}, ${later}) AS DOUBLE) / 1000000)`,
  // Integer microseconds: a fraction of the cost of DuckDB's interval arithmetic, per row of every query on a cohort date.
  plusDifference: (ts, later, earlier) => `make_timestamp(epoch_us(${ts}) + (epoch_us(${later}) - epoch_us(${earlier})))`,
  hourStart: (ts) => `date_trunc('hour', ${ts})`,
  // Local wall time → TIMESTAMPTZ in the zone → naive UTC.
  localMidnightUtc: (date, zone) => `CAST((CAST(${date} AS TIMESTAMP) AT TIME ZONE ${zone}) AT TIME ZONE 'UTC' AS TIMESTAMP)`,
  addDays: (date, days) => `(${date} + ${days})`,
  median: (value) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${value})`,
  types: { timestamp: 'TIMESTAMP', date: 'DATE', string: 'VARCHAR', integer: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' },
  quoteLiteral: (value) => `'${value.replace(/'/g, "''")}'`,
  // hash() is a UBIGINT; SUM over it is a HUGEINT, so the fingerprint never overflows.
  userFingerprint: (userId, firstDatetime) => `hash(${userId}, ${firstDatetime})`,
  // One transaction covers DDL too; other processes are kept out by DuckDB's lock on the file.
  capabilities: { transactions: true, buildLock: 'file-lock', tempTables: true, prunedScanCost: 'rows', concurrentStatements: false },
};
