/**
 * Every SQL statement of the mart builder, in one place. Values are bound (BoundParams);
 * identifiers come from the validated spec and are quoted by the dialect. The engine
 * differences (time zones, hour buckets, day differences) come from the Dialect.
 */
import { BoundParams } from '../warehouse/bound-params.ts';
import type { Dialect } from '../warehouse/warehouse.ts';
import { FIRST_VISIT } from '../spec/spec-types.ts';

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface MartNames {
  events: string;
  users: string;
  mart: string;
}

/** Which source events one scan reads. Scans of one build never overlap, so their counts add up. */
export interface ScanScope {
  events: readonly string[];
  /** Exclusive lower bound on datetime (UTC), or none. */
  after?: string;
  /** Inclusive upper bound on datetime (UTC): the build's watermark. */
  through: string;
  /** Only the users in the temp table of new or changed users, from this datetime on. */
  changedUsersFrom?: string;
}

// Temp tables live for one build, inside its transaction.
export const TEMP = {
  users: '_am_users',
  changedUsers: '_am_changed_users',
  scan: '_am_scan',
  changes: '_am_changes',
} as const;

export class MartSql {
  private readonly q: (name: string) => string;

  constructor(
    private readonly dialect: Dialect,
    private readonly names: MartNames,
    private readonly timezone: string,
    /** The users table's user_id type, copied into the mart. */
    private readonly userIdType: string,
  ) {
    this.q = (name) => dialect.quoteIdentifier(name);
  }

  private statement(build: (p: BoundParams) => string): Statement {
    const params = new BoundParams(this.dialect);
    const sql = build(params);
    return { sql, params: params.values };
  }

  /** The mart, with its grain enforced by the primary key and its 1-based windows by a check. */
  createMart(table = this.names.mart): Statement {
    const { timestamp, date, string, integer } = this.dialect.types;
    return this.statement(
      () => `CREATE TABLE ${this.q(table)} (
  "date" ${date} NOT NULL,
  "datetime" ${timestamp} NOT NULL,
  user_id ${this.userIdType} NOT NULL,
  event_name ${string} NOT NULL,
  first_visit_date ${date} NOT NULL,
  first_visit_datetime ${timestamp} NOT NULL,
  hours_from_first_visit ${integer} NOT NULL CHECK (hours_from_first_visit >= 1),
  days_from_first_visit ${integer} NOT NULL CHECK (days_from_first_visit >= 1),
  PRIMARY KEY (user_id, event_name)
)`,
    );
  }

  dropTable(table: string): Statement {
    return { sql: `DROP TABLE IF EXISTS ${this.q(table)}`, params: [] };
  }

  /**
   * One row per user with a first visit: the earliest first_datetime if the dimension repeats a
   * user, and the first-visit date in the spec's time zone, computed once.
   */
  loadUsers(): Statement {
    return this.statement(
      (p) => `CREATE TEMP TABLE ${TEMP.users} AS
SELECT user_id, first_datetime, ${this.dialect.localDate('first_datetime', p.bind(this.timezone))} AS first_visit_date
FROM (
  SELECT user_id, MIN(first_datetime) AS first_datetime
  FROM ${this.q(this.names.users)}
  WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL
  GROUP BY user_id
) AS users`,
    );
  }

  /** Rows of the users table the mart cannot use, for the report. */
  unusableUsers(): Statement {
    return {
      sql: `SELECT
  COUNT(CASE WHEN user_id IS NULL OR first_datetime IS NULL THEN 1 END) AS without_first_visit,
  COUNT(user_id) - COUNT(DISTINCT user_id) AS duplicate_rows
FROM ${this.q(this.names.users)}`,
      params: [],
    };
  }

  /** Users who are new to the mart, or whose first visit moved since it was built. */
  findChangedUsers(): Statement {
    return this.statement(
      (p) => `CREATE TEMP TABLE ${TEMP.changedUsers} AS
SELECT u.user_id, u.first_datetime
FROM ${TEMP.users} AS u
LEFT JOIN ${this.q(this.names.mart)} AS m ON m.user_id = u.user_id AND m.event_name = ${p.bind(FIRST_VISIT)}
WHERE m.user_id IS NULL OR m.first_visit_datetime <> u.first_datetime`,
    );
  }

  /** Rows of users gone from the dimension or whose first visit moved (they are rebuilt from history). */
  deleteGoneAndChangedUsers(): Statement {
    return {
      // _am_users.user_id is never NULL, so NOT IN is safe here.
      sql: `DELETE FROM ${this.q(this.names.mart)}
WHERE user_id NOT IN (SELECT user_id FROM ${TEMP.users})
   OR user_id IN (SELECT user_id FROM ${TEMP.changedUsers})`,
      params: [],
    };
  }

  /** Rows of events no longer tracked (first_visit always stays). */
  deleteUntrackedEvents(tracked: readonly string[]): Statement {
    return this.statement((p) => `DELETE FROM ${this.q(this.names.mart)} WHERE event_name NOT IN (${p.list([FIRST_VISIT, ...tracked])})`);
  }

  /** The first_visit row of every user, or of the new and changed users only. */
  insertFirstVisits(onlyChanged: boolean): Statement {
    return this.statement(
      (p) => `INSERT INTO ${this.q(this.names.mart)}
SELECT u.first_visit_date, u.first_datetime, u.user_id, ${p.bind(FIRST_VISIT)}, u.first_visit_date, u.first_datetime, 1, 1
FROM ${TEMP.users} AS u${onlyChanged ? `\nWHERE u.user_id IN (SELECT user_id FROM ${TEMP.changedUsers})` : ''}`,
    );
  }

  createScanTable(): Statement {
    const { timestamp, string, bigint } = this.dialect.types;
    return {
      sql: `CREATE TEMP TABLE ${TEMP.scan} (user_id ${this.userIdType}, event_name ${string}, first_at ${timestamp}, rows_scanned ${bigint}, rows_before_first_visit ${bigint}, rows_unknown_user ${bigint})`,
      params: [],
    };
  }

  /**
   * The irreducible work: per (user, tracked event), the earliest occurrence at or after the
   * user's first visit, with the rows it had to skip counted on the way (one pass).
   */
  scan(scope: ScanScope): Statement {
    const { timestamp } = this.dialect.types;
    return this.statement((p) => {
      const where = [`e.event_name IN (${p.list(scope.events)})`, `e."datetime" <= ${p.bind(scope.through, timestamp)}`];
      if (scope.after !== undefined) where.push(`e."datetime" > ${p.bind(scope.after, timestamp)}`);
      if (scope.changedUsersFrom !== undefined) {
        where.push(`e."datetime" >= ${p.bind(scope.changedUsersFrom, timestamp)}`);
        where.push(`e.user_id IN (SELECT user_id FROM ${TEMP.changedUsers})`);
      }
      return `INSERT INTO ${TEMP.scan}
SELECT e.user_id, e.event_name,
  MIN(CASE WHEN e."datetime" >= u.first_datetime THEN e."datetime" END),
  COUNT(*),
  COUNT(CASE WHEN e."datetime" < u.first_datetime THEN 1 END),
  COUNT(CASE WHEN u.user_id IS NULL THEN 1 END)
FROM ${this.q(this.names.events)} AS e
LEFT JOIN ${TEMP.users} AS u ON u.user_id = e.user_id
WHERE ${where.join('\n  AND ')}
GROUP BY e.user_id, e.event_name`;
    });
  }

  scanSummary(): Statement {
    return {
      sql: `SELECT
  COALESCE(SUM(rows_scanned), 0) AS rows_scanned,
  COALESCE(SUM(rows_before_first_visit), 0) AS rows_before_first_visit,
  COALESCE(SUM(rows_unknown_user), 0) AS rows_unknown_user,
  COUNT(DISTINCT CASE WHEN rows_unknown_user > 0 THEN user_id END) AS unknown_users
FROM ${TEMP.scan}`,
      params: [],
    };
  }

  /** Scanned first occurrences that are new to the mart ('insert') or earlier than the stored one ('update'). */
  findChanges(): Statement {
    return {
      sql: `CREATE TEMP TABLE ${TEMP.changes} AS
SELECT s.user_id, s.event_name, s.first_at AS "datetime", CASE WHEN m.user_id IS NULL THEN 'insert' ELSE 'update' END AS action
FROM (
  SELECT user_id, event_name, MIN(first_at) AS first_at FROM ${TEMP.scan} WHERE first_at IS NOT NULL GROUP BY user_id, event_name
) AS s
LEFT JOIN ${this.q(this.names.mart)} AS m ON m.user_id = s.user_id AND m.event_name = s.event_name
WHERE m.user_id IS NULL OR s.first_at < m."datetime"`,
      params: [],
    };
  }

  deleteUpdatedRows(): Statement {
    return {
      sql: `DELETE FROM ${this.q(this.names.mart)}
WHERE (user_id, event_name) IN (SELECT user_id, event_name FROM ${TEMP.changes} WHERE action = 'update')`,
      params: [],
    };
  }

  /** The seed's windows: 1-based hour buckets (UTC) and calendar days (in the spec's zone) since the first visit. */
  insertChanges(): Statement {
    const d = this.dialect;
    return this.statement((p) => {
      const eventDate = d.localDate('c."datetime"', p.bind(this.timezone));
      return `INSERT INTO ${this.q(this.names.mart)}
SELECT ${eventDate}, c."datetime", c.user_id, c.event_name, u.first_visit_date, u.first_datetime,
  ${d.hourBucketsBetween('c."datetime"', 'u.first_datetime')} + 1,
  ${d.daysBetween(eventDate, 'u.first_visit_date')} + 1
FROM ${TEMP.changes} AS c
JOIN ${TEMP.users} AS u ON u.user_id = c.user_id`;
    });
  }

  countChanges(): Statement {
    return {
      sql: `SELECT COUNT(CASE WHEN action = 'insert' THEN 1 END) AS inserted, COUNT(CASE WHEN action = 'update' THEN 1 END) AS updated FROM ${TEMP.changes}`,
      params: [],
    };
  }

  dropTempTables(): Statement[] {
    return Object.values(TEMP).map((t) => ({ sql: `DROP TABLE IF EXISTS ${t}`, params: [] }));
  }

  /** The newest event datetime in the source: the build's upper bound, read once. */
  sourceWatermark(): Statement {
    return { sql: `SELECT CAST(MAX("datetime") AS ${this.dialect.types.timestamp}) AS watermark FROM ${this.q(this.names.events)}`, params: [] };
  }

  /** Source rows of `events` at or before `through`: compared between builds to detect events too late for the lookback. */
  countThrough(events: readonly string[], through: string): Statement {
    return this.statement(
      (p) => `SELECT COUNT(*) AS n FROM ${this.q(this.names.events)} WHERE event_name IN (${p.list(events)}) AND "datetime" <= ${p.bind(through, this.dialect.types.timestamp)}`,
    );
  }

  /** The earliest first visit among new or changed users: where their history scan starts. */
  changedUsersSummary(): Statement {
    return { sql: `SELECT COUNT(*) AS n, CAST(MIN(first_datetime) AS ${this.dialect.types.timestamp}) AS earliest FROM ${TEMP.changedUsers}`, params: [] };
  }

  martRowCount(): Statement {
    return { sql: `SELECT COUNT(*) AS n FROM ${this.q(this.names.mart)}`, params: [] };
  }

  /** Checks the time zone against the warehouse's own zone database. */
  probeTimezone(): Statement {
    return this.statement((p) => `SELECT ${this.dialect.localDate(`CAST('2000-01-01 00:00:00' AS ${this.dialect.types.timestamp})`, p.bind(this.timezone))} AS d`);
  }
}
