/**
 * Every SQL statement of the mart builder, in one place. Values are bound (BoundParams);
 * identifiers come from the validated spec or the builder's own scratch names and are quoted by
 * the dialect. Engine differences (time zones, hour buckets, day differences, hashing) come from
 * the Dialect. Statements write only into scratch tables (src/mart/scratch-tables.ts) until the
 * publish statements at the end.
 */
import { BoundParams } from '../warehouse/bound-params.ts';
import type { Dialect, Statement } from '../warehouse/warehouse.ts';
import { FIRST_VISIT } from '../spec/spec-types.ts';
import { localDateSql } from '../warehouse/local-time.ts';
import { compareTimestamps } from './timestamps.ts';

/** The last instant the builder's timestamp text carries (four-digit years): events after it are reported as never to be built. */
const LAST_TIMESTAMP = '9999-12-31 23:59:59.999999';

/** How the builder asks its questions about the log (MartSql.sourceExtent). */
export type LogSummaryShape = 'pruned-queries' | 'one-pruned-scan' | 'one-pass';

export type { Statement } from '../warehouse/warehouse.ts';

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
  /** Only the users in the scratch table of new or changed users, from this datetime on. */
  changedUsersFrom?: string;
  /** Incremental builds: whose first visits the scan joins: the range's users (small), or every user (a backfill). */
  users?: 'range' | 'all';
  /** Read the range's slice of the log (stageRangeEvents) instead of the log: the scope lies inside the range. */
  fromRange?: boolean;
}

/** What an incremental build's delta is computed from (MartSql.stageDelta). */
export interface DeltaInputs {
  /** Events no longer tracked: their stored rows are deleted. */
  removedEvents: readonly string[];
  /** Whose rows the scan holds: the range's users, with their stored occurrences (stageScan), or every user (a backfill). */
  users: 'all' | 'range';
  /** False on the fast path, where the new or changed users are all new to the mart and none left, so no stored row of theirs needs a delete marker. */
  rebuiltHaveRows: boolean;
  /** The scan ran one scope, so its (user, event) keys are already unique and are not grouped again (a hash aggregate costs DuckDB a few milliseconds even on a few thousand rows). */
  oneScope: boolean;
}

/** The column of the range's users holding the stored first occurrence of the i-th event (stageRangeUsers). */
export const storedColumn = (i: number) => `stored_at_${i}`;

/** The full build's slice of the log: the events it holds, and those of them the mart tracks. */
export interface EventSlice {
  events: readonly string[];
  tracked: readonly string[];
}

/** The scratch tables one build works in (names made by ScratchTables). */
export interface Scratch {
  /** Full builds: every usable user (user_id, first_datetime, first_visit_date). */
  users: string;
  /** Incremental builds: users new to the mart or whose first visit moved (same columns). */
  changedUsers: string;
  /** Incremental builds on the exact path: mart users gone from the dimension (user_id). */
  goneUsers: string;
  /** Per (user, event) of each scan: earliest occurrence at or after the first visit, and the rows skipped. */
  scan: string;
  /** Full builds: the log's rows of the tracked and the funnels' events up to the watermark, each with its user's first visit, read once for the mart and every funnel table. */
  events: string;
  /** Incremental builds: every current user, for a funnel table rebuilt in full. */
  allUsers: string;
  /** Incremental builds: the log's rows of the tracked and funnel events in the scan range (after the split), read once. */
  rangeEvents: string;
  /** Incremental builds: the current users (as changedUsers) of every event in the scan range, so scans join a small table. */
  rangeUsers: string;
  /** Full builds: the new mart, published by Warehouse.replaceTable. */
  mart: string;
  /** Incremental builds: the rows to insert, update ('upsert') or delete, published in one step. */
  delta: string;
}

export const MART_COLUMNS = [
  'date',
  'datetime',
  'user_id',
  'event_name',
  'first_visit_date',
  'first_visit_datetime',
  'hours_from_first_visit',
  'days_from_first_visit',
] as const;

export class MartSql {
  private readonly q: (name: string) => string;

  constructor(
    private readonly dialect: Dialect,
    private readonly names: MartNames,
    private readonly timezone: string,
    /** The users table's full user_id type, copied into the mart. */
    private readonly userIdType: string,
    private readonly scratch: Scratch,
    /** `CREATE [TEMP] TABLE <name>` for a scratch table (ScratchTables.create). */
    private readonly create: (table: string) => string = (table) => `CREATE TABLE ${dialect.quoteIdentifier(table)}`,
  ) {
    this.q = (name) => dialect.quoteIdentifier(name);
  }

  private statement(build: (p: BoundParams) => string): Statement {
    const params = new BoundParams(this.dialect);
    const sql = build(params);
    return { sql, params: params.values };
  }

  /** The local date in the spec's zone of a UTC timestamp expression. */
  private localDate(p: BoundParams, utcTimestamp: string): string {
    return localDateSql(this.dialect, utcTimestamp, this.timezone, (zone) => p.bind(zone));
  }

  private get mart() {
    return this.q(this.names.mart);
  }

  dropTable(table: string): Statement {
    return { sql: `DROP TABLE IF EXISTS ${this.q(table)}`, params: [] };
  }

  // ---- the source's extent -------------------------------------------------------------------

  /**
   * What the builder asks of the log before it reads it: the newest event at or before the horizon
   * (the build's clock plus the tolerance), after the previous watermark when there is one; the
   * events past the horizon (left out until their time comes; those past year 9999 never will be);
   * all rows; the rows after the previous cutoff. In the shape that reads the least on this log:
   * - `pruned-queries`: one statement of small queries that each prune by datetime (an unfiltered
   *   MAX would read the whole log once appends break the zone maps; DuckDB answers the filtered
   *   one from them), the row count from the engine's metadata;
   * - `one-pruned-scan`: one scan of the rows after the previous cutoff, which holds every other
   *   row asked about (the previous watermark and the horizon are later), and the row count from
   *   metadata: where each scan costs a fixed planning and scheduling time (Trino);
   * - `one-pass`: everything in one pass over the whole log, where no filter prunes it.
   */
  sourceExtent(horizon: string, after: string | null, previousCutoff: string | null, shape: LogSummaryShape): Statement {
    if (shape === 'pruned-queries') return this.prunedSourceExtent(horizon, after, previousCutoff);
    const { timestamp, string } = this.dialect.types;
    const events = this.q(this.names.events);
    return this.statement((p) => {
      const h = p.bind(horizon, timestamp);
      const newest = `"datetime" <= ${h}${after === null ? '' : ` AND "datetime" > ${p.bind(after, timestamp)}`}`;
      const answers = `CAST(MAX(CASE WHEN ${newest} THEN "datetime" END) AS ${timestamp}) AS newest,
  COUNT(CASE WHEN "datetime" > ${h} THEN 1 END) AS future_n,
  CAST(MAX(CASE WHEN "datetime" > ${h} THEN "datetime" END) AS ${string}) AS future_latest,
  COUNT(CASE WHEN "datetime" > ${p.bind(LAST_TIMESTAMP, timestamp)} THEN 1 END) AS future_out_of_range,`;
      const cutoff = previousCutoff === null ? null : p.bind(previousCutoff, timestamp);
      const afterCutoff = `COUNT(CASE WHEN "datetime" > ${cutoff ?? 'NULL'} THEN 1 END) AS after_previous_cutoff`;
      if (shape === 'one-pass') {
        return `SELECT
  ${answers}
  COUNT(*) AS total,
  ${afterCutoff}
FROM ${events}`;
      }
      // The rows after the previous cutoff hold every other row asked about: the previous watermark
      // is later, and so is the horizon unless the clock went back past the cutoff (then: all rows).
      const pruned = previousCutoff !== null && compareTimestamps(previousCutoff, horizon) < 0;
      return `SELECT
  ${answers}
  (SELECT COUNT(*) FROM ${events}) AS total,
  ${afterCutoff}
FROM ${events}${pruned ? ` WHERE "datetime" > ${cutoff}` : ''}`;
    });
  }

  private prunedSourceExtent(horizon: string, after: string | null, previousCutoff: string | null): Statement {
    const { timestamp, string } = this.dialect.types;
    const events = this.q(this.names.events);
    return this.statement((p) => {
      const h = p.bind(horizon, timestamp);
      return `SELECT
  (SELECT CAST(MAX("datetime") AS ${timestamp}) FROM ${events} WHERE "datetime" <= ${h}${after === null ? '' : ` AND "datetime" > ${p.bind(after, timestamp)}`}) AS newest,
  future.n AS future_n, future.latest AS future_latest, future.out_of_range AS future_out_of_range,
  (SELECT COUNT(*) FROM ${events}) AS total,
  ${previousCutoff === null ? `CAST(0 AS ${this.dialect.types.bigint})` : `(SELECT COUNT(*) FROM ${events} WHERE "datetime" > ${p.bind(previousCutoff, timestamp)})`} AS after_previous_cutoff
FROM (
  SELECT COUNT(*) AS n, CAST(MAX("datetime") AS ${string}) AS latest,
    COUNT(CASE WHEN "datetime" > ${p.bind(LAST_TIMESTAMP, timestamp)} THEN 1 END) AS out_of_range
  FROM ${events} WHERE "datetime" > ${h}
) AS future`;
    });
  }

  /**
   * Per event name, in one pass over the rows after `lower` (pruned by datetime where the engine
   * can): rows after the new cutoff (all of them, and those at or before the watermark), and rows
   * in (lower, cutoff]. What the next build's late-row check starts from.
   */
  countsAroundCutoff(cutoff: string, watermark: string, lower: string): Statement {
    const { timestamp } = this.dialect.types;
    return this.statement((p) => {
      const c = p.bind(cutoff, timestamp);
      return `SELECT event_name,
  COUNT(CASE WHEN "datetime" > ${c} THEN 1 END) AS after_cutoff,
  COUNT(CASE WHEN "datetime" > ${c} AND "datetime" <= ${p.bind(watermark, timestamp)} THEN 1 END) AS after_cutoff_through_watermark,
  COUNT(CASE WHEN "datetime" <= ${c} THEN 1 END) AS through_cutoff
FROM ${this.q(this.names.events)} WHERE "datetime" > ${p.bind(lower, timestamp)}
GROUP BY event_name`;
    });
  }

  /** Rows of each of `events` in (after, through], or at or before `through` without `after`. */
  rowsPerEvent(events: readonly string[], through: string, after?: string): Statement {
    const { timestamp } = this.dialect.types;
    return this.statement(
      (p) => `SELECT event_name, COUNT(*) AS n FROM ${this.q(this.names.events)}
WHERE event_name IN (${p.list(events)}) AND "datetime" <= ${p.bind(through, timestamp)}${after === undefined ? '' : ` AND "datetime" > ${p.bind(after, timestamp)}`}
GROUP BY event_name`,
    );
  }

  // ---- users ---------------------------------------------------------------------------------

  /**
   * The users table in one pass: what the report says about it, and the fingerprint of the usable
   * rows, both of those already built (first_datetime at or before the previous build's newest)
   * and of all of them (for the next build).
   */
  usersSummary(usersWatermark: string | null): Statement {
    const { timestamp, string } = this.dialect.types;
    const term = this.dialect.userFingerprint('user_id', 'first_datetime');
    return this.statement((p) => {
      const old = usersWatermark === null ? 'FALSE' : `first_datetime <= ${p.bind(usersWatermark, timestamp)}`;
      // Each row's term is hashed once (the costly part), then summed twice.
      return `SELECT
  COUNT(CASE WHEN user_id IS NULL OR first_datetime IS NULL THEN 1 END) AS without_first_visit,
  COUNT(CASE WHEN ${old} THEN user_id END) AS old_rows,
  CAST(COALESCE(SUM(CASE WHEN ${old} THEN term END), 0) AS ${string}) AS old_fingerprint,
  COUNT(CASE WHEN first_datetime IS NOT NULL THEN user_id END) AS all_rows,
  CAST(COALESCE(SUM(term), 0) AS ${string}) AS all_fingerprint,
  CAST(MAX(CASE WHEN user_id IS NOT NULL THEN first_datetime END) AS ${timestamp}) AS newest
FROM (
  SELECT user_id, first_datetime, CASE WHEN user_id IS NOT NULL AND first_datetime IS NOT NULL THEN ${term} END AS term
  FROM ${this.q(this.names.users)}
) AS u`;
    });
  }

  /**
   * One row per usable user of the dimension: a repeated user_id keeps its earliest first visit
   * (rows without user_id or first_datetime are skipped). `after` keeps only newer rows.
   */
  private firstVisits(p: BoundParams, after: string | null = null): string {
    return `(
  SELECT user_id, MIN(first_datetime) AS first_datetime
  FROM ${this.q(this.names.users)}
  WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL${after === null ? '' : ` AND first_datetime > ${p.bind(after, this.dialect.types.timestamp)}`}
  GROUP BY user_id
)`;
  }

  /** Repeated user_id rows (the earliest first visit is used): full builds and the exact path only (it reads every user). */
  duplicateUserRows(): Statement {
    return { sql: `SELECT COUNT(user_id) - COUNT(DISTINCT user_id) AS n FROM ${this.q(this.names.users)} WHERE first_datetime IS NOT NULL`, params: [] };
  }

  /** Full builds: one row per usable user, with the first-visit date in the spec's zone, computed once. */
  stageAllUsers(): Statement {
    return this.statement(
      (p) => `${this.create(this.scratch.users)} AS
SELECT user_id, first_datetime, ${this.localDate(p, 'first_datetime')} AS first_visit_date
FROM ${this.firstVisits(p)} AS users`,
    );
  }

  /**
   * Fast path (the users already built are unchanged): users whose rows are all newer than the
   * previous build's newest first visit. A user_id the mart already has only gained a later,
   * repeated row, which does not move its (earliest) first visit.
   */
  stageNewUsers(usersWatermark: string | null): Statement {
    return this.statement(
      (p) => `${this.create(this.scratch.changedUsers)} AS
SELECT n.user_id, n.first_datetime, ${this.localDate(p, 'n.first_datetime')} AS first_visit_date
FROM ${this.firstVisits(p, usersWatermark)} AS n
WHERE NOT EXISTS (SELECT 1 FROM ${this.mart} AS m WHERE m.event_name = ${p.bind(FIRST_VISIT)} AND m.user_id = n.user_id)`,
    );
  }

  /** Incremental builds: every user as they are now (user_id, first_datetime, first_visit_date), for a funnel table rebuilt in full. */
  stageCurrentUsers(target: string): Statement {
    return this.statement((p) => `${this.create(target)} AS\nSELECT * FROM ${this.currentUsers(p)} AS u`);
  }

  /** Exact path (users already built changed): every user compared with the mart's first visits. */
  stageChangedUsers(): Statement {
    return this.statement(
      (p) => `${this.create(this.scratch.changedUsers)} AS
SELECT u.user_id, u.first_datetime, ${this.localDate(p, 'u.first_datetime')} AS first_visit_date
FROM ${this.firstVisits(p)} AS u
LEFT JOIN ${this.mart} AS m ON m.user_id = u.user_id AND m.event_name = ${p.bind(FIRST_VISIT)}
WHERE m.user_id IS NULL OR m.first_visit_datetime <> u.first_datetime`,
    );
  }

  /** Exact path: users of the mart who left the dimension (or lost their first visit). */
  stageGoneUsers(): Statement {
    return this.statement(
      (p) => `${this.create(this.scratch.goneUsers)} AS
SELECT m.user_id FROM ${this.mart} AS m
WHERE m.event_name = ${p.bind(FIRST_VISIT)}
  AND NOT EXISTS (SELECT 1 FROM ${this.q(this.names.users)} AS u WHERE u.user_id = m.user_id AND u.first_datetime IS NOT NULL)`,
    );
  }

  /** An empty gone-users table (fast path: nobody left). */
  stageNoGoneUsers(): Statement {
    return { sql: `${this.create(this.scratch.goneUsers)} AS SELECT CAST(NULL AS ${this.userIdType}) AS user_id WHERE 1 = 0`, params: [] };
  }

  changedUsersSummary(): Statement {
    const { timestamp } = this.dialect.types;
    return {
      sql: `SELECT (SELECT COUNT(*) FROM ${this.q(this.scratch.changedUsers)}) AS changed, (SELECT COUNT(*) FROM ${this.q(this.scratch.goneUsers)}) AS gone,
  (SELECT CAST(MIN(first_datetime) AS ${timestamp}) FROM ${this.q(this.scratch.changedUsers)}) AS earliest`,
      params: [],
    };
  }

  /**
   * Incremental builds: the users as they are now, without re-reading the dimension. The mart's
   * first_visit rows hold every user already built (first visit and its local date computed
   * once); the new and changed users replace theirs, the gone users drop out.
   */
  private currentUsers(p: BoundParams): string {
    const changed = this.q(this.scratch.changedUsers);
    const gone = this.q(this.scratch.goneUsers);
    return `(SELECT m.user_id, m.first_visit_datetime AS first_datetime, m.first_visit_date
  FROM ${this.mart} AS m
  WHERE m.event_name = ${p.bind(FIRST_VISIT)}
    AND NOT EXISTS (SELECT 1 FROM ${changed} AS c WHERE c.user_id = m.user_id)
    AND NOT EXISTS (SELECT 1 FROM ${gone} AS g WHERE g.user_id = m.user_id)
  UNION ALL
  SELECT user_id, first_datetime, first_visit_date FROM ${changed})`;
  }

  /**
   * Incremental builds: the log's rows of `events` in (after, through], read once (pruned by
   * datetime); the scan after the split and the funnel tables' refresh read them, and their
   * users (stageRangeUsers) are found from these few rows rather than by reading every user.
   */
  stageRangeEvents(events: readonly string[], after: string | null, through: string): Statement {
    const { timestamp } = this.dialect.types;
    return this.statement(
      (p) => `${this.create(this.scratch.rangeEvents)} AS
SELECT user_id, event_name, "datetime" FROM ${this.q(this.names.events)}
WHERE event_name IN (${p.list(events)}) AND "datetime" <= ${p.bind(through, timestamp)}${after === null ? '' : ` AND "datetime" > ${p.bind(after, timestamp)}`}`,
    );
  }

  /**
   * The current users of the range's events (stageRangeEvents first), from one read of the mart's
   * rows of these users: each user's first visit, and the stored first occurrence of each event in
   * `stored` (column storedColumn(i), NULL: none), which the delta compares with the scan instead
   * of joining the whole mart a second time (each join reads every stored row: about 20 ms at 10M
   * events on DuckDB, growing with the mart). New and changed users come from changedUsers, with
   * nothing stored: all their rows are rebuilt. `rebuiltInMart`: the exact path, where changed
   * and gone users may have rows in the mart, which must not be read (on the fast path the new
   * users have none and nobody left, so the check is skipped: it costs DuckDB two joins).
   * Rows of other events (removed from the spec, deleted by this build) are read and ignored:
   * filtering the whole mart by event_name first costs more than it saves.
   */
  stageRangeUsers(stored: readonly string[], rebuiltInMart: boolean): Statement {
    const changed = this.q(this.scratch.changedUsers);
    const gone = this.q(this.scratch.goneUsers);
    const { timestamp } = this.dialect.types;
    return this.statement((p) => {
      const firstVisit = (column: string) => `MIN(CASE WHEN m.event_name = ${p.bind(FIRST_VISIT)} THEN m.${column} END)`;
      const storedAt = stored.map((event, i) => `,\n  MIN(CASE WHEN m.event_name = ${p.bind(event)} THEN m."datetime" END) AS ${storedColumn(i)}`).join('');
      const first = `${firstVisit('first_visit_datetime')} AS first_datetime, ${firstVisit('first_visit_date')} AS first_visit_date${storedAt}`;
      return `${this.create(this.scratch.rangeUsers)} AS
SELECT m.user_id, ${first}
FROM ${this.mart} AS m
WHERE m.user_id IN (SELECT e.user_id FROM ${this.q(this.scratch.rangeEvents)} AS e)${
        rebuiltInMart
          ? `
  AND NOT EXISTS (SELECT 1 FROM ${changed} AS c WHERE c.user_id = m.user_id)
  AND NOT EXISTS (SELECT 1 FROM ${gone} AS g WHERE g.user_id = m.user_id)`
          : ''
      }
GROUP BY m.user_id
HAVING ${firstVisit('first_visit_datetime')} IS NOT NULL
UNION ALL
SELECT user_id, first_datetime, first_visit_date${stored.map((_, i) => `, CAST(NULL AS ${timestamp}) AS ${storedColumn(i)}`).join('')} FROM ${changed}`;
    });
  }

  // ---- events --------------------------------------------------------------------------------

  /**
   * Full builds: one pass over the log for the rows any table of the build needs (the tracked
   * events and the funnels' events, up to the watermark), each joined once to its user's first
   * visit (NULL for a user the dimension lacks): the mart and every funnel table then read
   * this slice instead of the whole log, and none of them joins the users again.
   */
  stageEventSlice(events: readonly string[], through: string): Statement {
    return this.statement(
      (p) => `${this.create(this.scratch.events)} AS
SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date
FROM ${this.q(this.names.events)} AS e
LEFT JOIN ${this.q(this.scratch.users)} AS u ON u.user_id = e.user_id
WHERE e.event_name IN (${p.list(events)}) AND e."datetime" <= ${p.bind(through, this.dialect.types.timestamp)}`,
    );
  }

  /**
   * What a scan keeps per (user, event) of the log rows `e`: the earliest occurrence at or after
   * the first visit (`firstDatetime`), and the rows it skipped (before the first visit; of a user
   * the dimension lacks: `unknownUser`).
   */
  private scanAggregates(firstDatetime: string, unknownUser: string): string {
    return `  MIN(CASE WHEN e."datetime" >= ${firstDatetime} THEN e."datetime" END) AS first_at,
  COUNT(*) AS rows_scanned,
  COUNT(CASE WHEN e."datetime" < ${firstDatetime} THEN 1 END) AS rows_before_first_visit,
  COUNT(CASE WHEN ${unknownUser} THEN 1 END) AS rows_unknown_user`;
  }

  /** Typed columns of a scan even when no scope runs (empty source): the table's shape never depends on the data. */
  private emptyScan(): string {
    const { timestamp, string, bigint } = this.dialect.types;
    return `SELECT CAST(NULL AS ${this.userIdType}) AS user_id, CAST(NULL AS ${string}) AS event_name, CAST(NULL AS ${timestamp}) AS first_at,
  CAST(0 AS ${bigint}) AS rows_scanned, CAST(0 AS ${bigint}) AS rows_before_first_visit, CAST(0 AS ${bigint}) AS rows_unknown_user,
  CAST(NULL AS ${timestamp}) AS first_datetime, CAST(NULL AS ${this.dialect.types.date}) AS first_visit_date, CAST(NULL AS ${timestamp}) AS stored_at WHERE 1 = 0`;
  }

  /**
   * Full builds: what the mart's scan read from the slice, per tracked event (rows, rows before
   * the user's first visit, rows of users the dimension lacks), with the distinct unknown users on
   * every row: the report's numbers, read apart from the mart's one statement (stageFullMart).
   */
  sliceScanSummary(slice: EventSlice): Statement {
    return this.statement((p) => {
      const where = (alias: string, ...conditions: string[]) => {
        const all = [...this.trackedOfSlice(p, slice, alias), ...conditions];
        return all.length > 0 ? ` WHERE ${all.join(' AND ')}` : '';
      };
      return `SELECT e.event_name,
  COUNT(*) AS rows_scanned,
  COUNT(CASE WHEN e."datetime" < e.first_datetime THEN 1 END) AS rows_before_first_visit,
  COUNT(CASE WHEN e.first_datetime IS NULL THEN 1 END) AS rows_unknown_user,
  MIN(unknown.users) AS unknown_users
FROM ${this.q(this.scratch.events)} AS e
CROSS JOIN (SELECT COUNT(DISTINCT x.user_id) AS users FROM ${this.q(this.scratch.events)} AS x${where('x', 'x.first_datetime IS NULL')}) AS unknown${where('e')}
GROUP BY e.event_name`;
    });
  }

  /**
   * Incremental builds: the same per (user, tracked event) for each scope (scopes never overlap),
   * joined to the users the scope names, and carrying from them the user's first visit and, from
   * the range's users, the event's stored first occurrence (`stored`: the events of their
   * storedColumn columns): the delta and the funnel tables' users then read the scan alone, with
   * no second join (each join is a hash operator, a fixed few milliseconds on DuckDB).
   */
  stageScan(scopes: readonly ScanScope[], stored: readonly string[]): Statement {
    const { timestamp } = this.dialect.types;
    return this.statement((p) => {
      const selects = scopes.map((scope) => {
        const users = scope.users === 'all' ? this.currentUsers(p) : this.q(this.scratch.rangeUsers);
        const storedAt =
          scope.users === 'all' || stored.length === 0
            ? `CAST(NULL AS ${timestamp})`
            : `MIN(CASE ${stored.map((event, i) => `WHEN e.event_name = ${p.bind(event)} THEN u.${storedColumn(i)}`).join(' ')} END)`;
        const where = [`e.event_name IN (${p.list(scope.events)})`, `e."datetime" <= ${p.bind(scope.through, timestamp)}`];
        if (scope.after !== undefined) where.push(`e."datetime" > ${p.bind(scope.after, timestamp)}`);
        if (scope.changedUsersFrom !== undefined) {
          where.push(`e."datetime" >= ${p.bind(scope.changedUsersFrom, timestamp)}`);
          where.push(`e.user_id IN (SELECT user_id FROM ${this.q(this.scratch.changedUsers)})`);
        }
        return `SELECT e.user_id, e.event_name,
${this.scanAggregates('u.first_datetime', 'u.user_id IS NULL')},
  MIN(u.first_datetime) AS first_datetime, MIN(u.first_visit_date) AS first_visit_date, ${storedAt} AS stored_at
FROM ${this.q(scope.fromRange ? this.scratch.rangeEvents : this.names.events)} AS e
LEFT JOIN ${users} AS u ON u.user_id = e.user_id
WHERE ${where.join('\n  AND ')}
GROUP BY e.user_id, e.event_name`;
      });
      return `${this.create(this.scratch.scan)} AS\n${[this.emptyScan(), ...selects].join('\nUNION ALL\n')}`;
    });
  }

  /** The seed's windows: 1-based hour buckets (UTC) and calendar days (in the spec's zone) since the first visit. */
  private martColumns(p: BoundParams, occurrence: string, users: string): string {
    const d = this.dialect;
    const eventDate = this.localDate(p, occurrence);
    return `${eventDate} AS "date", ${occurrence} AS "datetime", s.user_id, s.event_name, ${users}.first_visit_date, ${users}.first_datetime AS first_visit_datetime,
  ${d.hourBucketsBetween(occurrence, `${users}.first_datetime`)} + 1 AS hours_from_first_visit,
  ${d.daysBetween(eventDate, `${users}.first_visit_date`)} + 1 AS days_from_first_visit`;
  }

  private firstVisitRows(p: BoundParams, users: string): string {
    return `SELECT u.first_visit_date AS "date", u.first_datetime AS "datetime", u.user_id, ${p.bind(FIRST_VISIT, this.dialect.types.string)} AS event_name,
  u.first_visit_date, u.first_datetime AS first_visit_datetime, 1 AS hours_from_first_visit, 1 AS days_from_first_visit
FROM ${users} AS u`;
  }

  /**
   * Full builds: the whole new mart in one CREATE TABLE AS (no index: the grain holds by the GROUP
   * BY): every user's first visit, and per (user, tracked event) of the slice (stageEventSlice,
   * which carries each row's first visit) the earliest occurrence at or after it. One statement,
   * with no scan table in between: writing that table cost a fifth of the full build on DuckDB.
   */
  stageFullMart(slice: EventSlice): Statement {
    return this.statement(
      (p) => `${this.create(this.scratch.mart)} AS
${this.firstVisitRows(p, this.q(this.scratch.users))}
UNION ALL
SELECT ${this.martColumns(p, 's.first_at', 's')}
FROM (
  SELECT e.user_id, e.event_name, MIN(e."datetime") AS first_at, MIN(e.first_datetime) AS first_datetime, MIN(e.first_visit_date) AS first_visit_date
  FROM ${this.q(this.scratch.events)} AS e
  WHERE ${[...this.trackedOfSlice(p, slice, 'e'), 'e."datetime" >= e.first_datetime'].join(' AND ')}
  GROUP BY e.user_id, e.event_name
) AS s`,
    );
  }

  /**
   * The condition that keeps a slice row of a tracked event, or none when the slice holds only
   * tracked events (no funnel reads another): comparing the name on every row cost 5 ms of 15 in
   * the report's query at 10M events.
   */
  private trackedOfSlice(p: BoundParams, slice: EventSlice, alias: string): string[] {
    const tracked = new Set(slice.tracked);
    return slice.events.every((event) => tracked.has(event)) ? [] : [`${alias}.event_name IN (${p.list(slice.tracked)})`];
  }

  /**
   * Incremental builds: every change in one table. 'insert' and 'update' rows carry the whole
   * new row (a new first occurrence, an earlier one, or any row of a rebuilt user); 'delete' rows
   * name mart rows to remove (users gone or rebuilt, events no longer tracked). Keys never repeat,
   * so the delta applies as one MERGE, or as DELETE + INSERT inside a transaction; applying it
   * twice gives the same mart (rows are earliest occurrences: MIN of stored and scanned).
   */
  stageDelta({ removedEvents, users, rebuiltHaveRows, oneScope }: DeltaInputs): Statement {
    const changed = this.q(this.scratch.changedUsers);
    const gone = this.q(this.scratch.goneUsers);
    return this.statement((p) => {
      const markers = [
        ...(rebuiltHaveRows ? [`  -- rows of rebuilt users (a semi-join on a few users)\n  SELECT user_id, event_name FROM ${this.mart} WHERE user_id IN (SELECT user_id FROM ${changed} UNION ALL SELECT user_id FROM ${gone})`] : []),
        ...(removedEvents.length > 0 ? [`  -- rows of events no longer tracked\n  SELECT user_id, event_name FROM ${this.mart} AS m WHERE m.event_name IN (${p.list(removedEvents)})`] : []),
      ];
      // first_at is NULL for a user the dimension lacks, so every scanned row has its user's first visit.
      const scanned = oneScope
        ? `SELECT user_id, event_name, first_at, first_datetime, first_visit_date, stored_at FROM ${this.q(this.scratch.scan)} WHERE first_at IS NOT NULL`
        : `SELECT user_id, event_name, MIN(first_at) AS first_at, MIN(first_datetime) AS first_datetime, MIN(first_visit_date) AS first_visit_date, MIN(stored_at) AS stored_at
  FROM ${this.q(this.scratch.scan)} WHERE first_at IS NOT NULL GROUP BY user_id, event_name`;
      let changes: string;
      if (users === 'all') {
        // A backfill: every user may have scanned rows, so the stored ones are found by joining the mart.
        const rebuilt = (alias: string) => `(${alias}.user_id IN (SELECT user_id FROM ${changed}) OR ${alias}.user_id IN (SELECT user_id FROM ${gone}))`;
        // A stored row of a rebuilt user counts as absent: the user's rows are all replaced.
        const absent = `(k.user_id IS NULL OR ${rebuilt('k')})`;
        changes = `SELECT ${this.martColumns(p, 's.first_at', 'u')}, CASE WHEN ${absent} THEN 'insert' ELSE 'update' END AS action
  FROM scanned AS s
  JOIN ${this.currentUsers(p)} AS u ON u.user_id = s.user_id
  LEFT JOIN ${this.mart} AS k ON k.user_id = s.user_id AND k.event_name = s.event_name
  WHERE ${absent} OR s.first_at < k."datetime"`;
      } else {
        // The scan carries the range's users' first visits and stored occurrences (stageScan; nothing stored for rebuilt users).
        changes = `SELECT ${this.martColumns(p, 's.first_at', 's')}, CASE WHEN s.stored_at IS NULL THEN 'insert' ELSE 'update' END AS action
  FROM scanned AS s
  WHERE s.stored_at IS NULL OR s.first_at < s.stored_at`;
      }
      return `${this.create(this.scratch.delta)} AS
WITH scanned AS (
  ${scanned}
),
upserts AS (
  ${changes}
  UNION ALL
  SELECT f.*, 'insert' AS action FROM (${this.firstVisitRows(p, changed)}) AS f
)
SELECT * FROM upserts${
        markers.length === 0
          ? ''
          : `
UNION ALL
SELECT NULL, NULL, m.user_id, m.event_name, NULL, NULL, NULL, NULL, 'delete'
FROM (
${markers.join('\n  UNION\n')}
) AS m
WHERE NOT EXISTS (SELECT 1 FROM upserts AS x WHERE x.user_id = m.user_id AND x.event_name = m.event_name)`
      }`;
    });
  }

  /**
   * One read for the report and the publish (each query costs a fixed time on a distributed
   * engine): what the scan read, the delta's rows per action, and how many users its 'update' and
   * 'delete' rows name (the users whose stored rows it touches on the fast path).
   */
  scanAndDeltaSummary(): Statement {
    return {
      sql: `SELECT s.*, d.* FROM (
  SELECT
    COALESCE(SUM(rows_scanned), 0) AS rows_scanned,
    COALESCE(SUM(rows_before_first_visit), 0) AS rows_before_first_visit,
    COALESCE(SUM(rows_unknown_user), 0) AS rows_unknown_user,
    COUNT(DISTINCT CASE WHEN rows_unknown_user > 0 THEN user_id END) AS unknown_users
  FROM ${this.q(this.scratch.scan)}
) AS s CROSS JOIN (
  SELECT COUNT(CASE WHEN action = 'insert' THEN 1 END) AS inserted, COUNT(CASE WHEN action = 'update' THEN 1 END) AS updated,
    COUNT(CASE WHEN action = 'delete' THEN 1 END) AS deleted, COUNT(DISTINCT CASE WHEN action <> 'insert' THEN user_id END) AS stored_users
  FROM ${this.q(this.scratch.delta)}
) AS d`,
      params: [],
    };
  }

  /** The users named by the delta's 'update' and 'delete' rows, as text (scanAndDeltaSummary's stored_users). */
  storedUsersOfDelta(): Statement {
    return { sql: `SELECT DISTINCT CAST(user_id AS ${this.dialect.types.string}) AS user_id FROM ${this.q(this.scratch.delta)} WHERE action <> 'insert'`, params: [] };
  }

  /**
   * Where rebuilt users already had rows, 'insert' above may meet an existing key: those rows are
   * rebuilt users' own and must be replaced, so the publish deletes every key of the delta first
   * (transactional engines) or matches on the key (MERGE). Joining the delta to the whole mart
   * reads every stored row (about 20 ms at 10M events on DuckDB, and it grows with the mart), so
   * where the build knows which users' stored rows the delta touches (`storedUsers`: on the fast
   * path, only 'update' and 'delete' rows name stored keys), the DELETE is skipped when there are
   * none and bounded by their bound list when there are few (the engine filters its scan by the
   * list: about 2 ms). 'any': every key of the delta may be stored.
   */
  publishDeltaByDeleteInsert(storedUsers: readonly string[] | 'any'): Statement[] {
    const delta = this.q(this.scratch.delta);
    const columns = MART_COLUMNS.map((c) => `"${c}"`).join(', ');
    const insert = { sql: `INSERT INTO ${this.mart} (${columns}) SELECT ${columns} FROM ${delta} WHERE action <> 'delete'`, params: [] };
    if (storedUsers !== 'any' && storedUsers.length === 0) return [insert];
    const remove = this.statement((p) => {
      const keys = `EXISTS (SELECT 1 FROM ${delta} AS d WHERE d.user_id = m.user_id AND d.event_name = m.event_name)`;
      return `DELETE FROM ${this.mart} AS m WHERE ${storedUsers === 'any' ? keys : `m.user_id IN (${p.list(storedUsers, this.userIdType)}) AND ${keys}`}`;
    });
    return [remove, insert];
  }

  /** The same change as one MERGE: the atomic primitive of engines without multi-statement transactions. */
  publishDeltaByMerge(): Statement {
    const set = MART_COLUMNS.filter((c) => c !== 'user_id' && c !== 'event_name').map((c) => `"${c}" = d."${c}"`);
    const columns = MART_COLUMNS.map((c) => `"${c}"`).join(', ');
    return {
      sql: `MERGE INTO ${this.mart} AS m
USING ${this.q(this.scratch.delta)} AS d
ON m.user_id = d.user_id AND m.event_name = d.event_name
WHEN MATCHED AND d.action = 'delete' THEN DELETE
WHEN MATCHED THEN UPDATE SET ${set.join(', ')}
WHEN NOT MATCHED AND d.action <> 'delete' THEN INSERT (${columns}) VALUES (${MART_COLUMNS.map((c) => `d."${c}"`).join(', ')})`,
      params: [],
    };
  }

  rowCount(table: string): Statement {
    return { sql: `SELECT COUNT(*) AS n FROM ${this.q(table)}`, params: [] };
  }

  martRowCount(): Statement {
    return { sql: `SELECT COUNT(*) AS n FROM ${this.mart}`, params: [] };
  }

  /** Checks the time zone against the warehouse's own zone database. */
  probeTimezone(): Statement {
    return this.statement((p) => `SELECT ${this.dialect.localDate(`CAST('2000-01-01 00:00:00' AS ${this.dialect.types.timestamp})`, p.bind(this.timezone))} AS d`);
  }
}
