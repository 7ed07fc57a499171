/**
 * The funnel tables, built in the same build and publish as the mart (src/funnel/ says what a
 * row means; this module says which rows a build recomputes and how it publishes them).
 *
 * Full: every user, one CREATE TABLE AS, published with Warehouse.replaceTable. Incremental: only
 * users whose row can have changed: new users, users whose first visit moved, and users with an
 * event of the funnel inside the scan range that falls before their windows close (after that,
 * no event can change the row). Their rows are recomputed (from the range's events and a few
 * remembered occurrences, or from the raw log: stageIncremental) and replace the old
 * ones (DELETE + INSERT in the build's transaction, or one MERGE); rows of users gone from the
 * dimension are deleted. A funnel that is new, redefined or missing is rebuilt in full; the
 * table of a funnel removed from metrics.yaml is dropped.
 */
import { createHash } from 'node:crypto';
import { FUNNEL_COLUMNS as C, FUNNEL_TABLE_LAYOUT } from '../funnel/funnel-columns.ts';
import { funnelEvents, funnelPlan, historyStandIn } from '../funnel/funnel-semantics.ts';
import { funnelOpenUntil, funnelTableColumns, funnelTableName, funnelTableSelect, type FunnelTableInputs } from '../funnel/funnel-table-sql.ts';
import type { Funnel, MetricsSpec } from '../spec/spec-types.ts';
import { BoundParams } from '../warehouse/bound-params.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { storedColumn, type Statement } from './mart-sql.ts';
import { ownershipComment, type OwnedTable } from './ownership.ts';
import type { ScratchTables } from './scratch-tables.ts';
import { BEFORE_EVERY_EVENT, compareTimestamps } from './timestamps.ts';
import { togetherEach } from './together.ts';

/** What the state remembers of each funnel table: its funnel and a hash of the definition it was built with. */
export type FunnelTablesState = Record<string, { funnel: string; hash: string }>;

export interface FunnelTableOutcome {
  table: string;
  mode: 'full' | 'incremental' | 'dropped';
  /** Users whose rows were recomputed (or deleted); full builds: every row. */
  rowsWritten: number;
}

export function funnelDefinitionHash(spec: MetricsSpec, funnel: Funnel): string {
  const { title: _title, description: _description, ...meaning } = funnel;
  const definition = { meaning, timezone: spec.timezone, events: spec.sources.events, users: spec.sources.users, layout: FUNNEL_TABLE_LAYOUT };
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16);
}

export function funnelTablesState(spec: MetricsSpec): FunnelTablesState {
  return Object.fromEntries(spec.funnels.map((f) => [funnelTableName(spec, f), { funnel: f.name, hash: funnelDefinitionHash(spec, f) }]));
}

/** The tables the build may create or replace: each must be absent or this project's own. */
export function ownedFunnelTables(spec: MetricsSpec, previous: FunnelTablesState | undefined): OwnedTable[] {
  const current = spec.funnels.map((f) => ({ table: funnelTableName(spec, f), role: 'funnel table' as const, field: `funnels[${f.name}].table` }));
  const removed = Object.keys(previous ?? {})
    .filter((t) => !current.some((c) => c.table === t))
    .map((table) => ({ table, role: 'funnel table' as const, field: `funnels (removed funnel ${previous![table].funnel})` }));
  return [...current, ...removed];
}

/** What an incremental build hands the funnel tables: its scratch tables of the scan range, and the split. */
export interface IncrementalScope {
  /** The log's rows of the tracked and funnel events after the split. */
  rangeEvents: string;
  /** Their users, with the stored first occurrence of each of storedEvents (mart-sql.ts, storedColumn). */
  rangeUsers: string;
  /** The events whose stored first occurrences rangeUsers carries, in column order. */
  storedEvents: readonly string[];
  /**
   * The mart's scan (MartSql.stageScan): per (user, event), the earliest occurrence at or after the
   * first visit (first_at) with the user's first visit, holding every range event of storedEvents.
   */
  rangeScan: string;
  /** New users and users whose first visit moved. */
  changedUsers: string;
  /** The earliest first visit among changedUsers (UTC), or null when there are none. */
  changedEarliest: string | null;
  /** Users gone from the dimension. */
  goneUsers: string;
  /** The split: the range holds events after it (null: the whole log). */
  after: string | null;
}

/** A funnel table's new content, staged: the whole table ('full') or the rows of the users recomputed ('incremental'). */
export interface StagedFunnelTable {
  funnel: Funnel;
  staged: string;
  target: string;
  mode: 'full' | 'incremental';
  rows: number;
}

export interface FunnelBuildInputs {
  warehouse: Warehouse;
  spec: MetricsSpec;
  scratch: ScratchTables;
  userIdType: string;
  /** The build's watermark; null when the source is empty. */
  through: string | null;
}

export class FunnelTables {
  private readonly q: (name: string) => string;

  constructor(private readonly inputs: FunnelBuildInputs) {
    this.q = inputs.warehouse.dialect.quoteIdentifier;
  }

  private run = (s: Statement) => this.inputs.warehouse.run(s.sql, s.params);

  /** The build's watermark, or an instant before every event over an empty source. */
  private get through() {
    return this.inputs.through ?? BEFORE_EVERY_EVENT;
  }

  /**
   * Every funnel table from scratch, from `users` (user_id, first_datetime, first_visit_date of
   * every user) and `events` (the log, or a slice of it holding at least the funnels' events;
   * `withFirstVisits`: the slice already carries each row's first visit from `users`), staged in
   * scratch tables for publish().
   */
  async stageFull(funnels: readonly Funnel[], users: string, events: { table: string; withFirstVisits: boolean } = { table: this.inputs.spec.sources.events, withFirstVisits: false }): Promise<StagedFunnelTable[]> {
    return togetherEach(this.inputs.warehouse, funnels, async (funnel, i): Promise<StagedFunnelTable> => {
      const table = this.inputs.scratch.name(`f${i}_full`);
      const select = funnelTableSelect(this.inputs.warehouse.dialect, this.inputs.spec, funnel, { events: events.table, eventsWithFirstVisits: events.withFirstVisits, users, through: this.through });
      const rows = await this.run({ sql: `CREATE TABLE ${this.q(table)} AS\n${select.sql}`, params: select.params });
      return { funnel, staged: table, target: funnelTableName(this.inputs.spec, funnel), mode: 'full', rows: await this.count(table, rows) };
    });
  }

  /** Publishes staged tables: a full one replaces its table, an incremental one is applied as DELETE + INSERT (in the build's transaction) or one MERGE. */
  async publish(staged: readonly StagedFunnelTable[]): Promise<FunnelTableOutcome[]> {
    const { warehouse } = this.inputs;
    await togetherEach(warehouse, staged, async (s) => {
      if (s.mode === 'full') {
        await warehouse.replaceTable(s.target, s.staged, ownershipComment('funnel table'));
      } else if (s.rows > 0) {
        await this.applyRows(s);
      }
    });
    return staged.map((s) => ({ table: s.target, mode: s.mode, rowsWritten: s.rows }));
  }

  private async count(table: string, rowsChanged: number): Promise<number> {
    if (rowsChanged > 0) return rowsChanged;
    const [{ n }] = await this.inputs.warehouse.query(`SELECT COUNT(*) AS n FROM ${this.q(table)}`);
    return Number(n);
  }

  /**
   * Incremental: per funnel, the users whose row can have changed (see the header), their rows
   * recomputed into a scratch table, plus delete markers for users gone from the dimension.
   * Users already built read only the range's events plus their stand-ins (funnel-semantics.ts,
   * historyStandIn); the log before the range is read for new or moved users only (usually none
   * of it: their first visits fall inside the range), and for every user of a funnel without stand-ins.
   */
  async stageIncremental(funnels: readonly Funnel[], scope: IncrementalScope): Promise<StagedFunnelTable[]> {
    const { warehouse, spec, scratch } = this.inputs;
    const d = warehouse.dialect;
    if (funnels.length === 0) return [];
    const users = scratch.intermediate('funnel_users');
    const flags = await this.stageUsers(funnels, scope, users);
    // Each funnel reads it by its flag: without statistics PostgreSQL guesses a few rows and loops over them.
    await warehouse.refreshStatistics(users);
    const usersOf = (i: number): UserSet => ({ table: users, flag: flags[i] });

    // Each funnel's stand-ins for its users' history before the range, and whose history must be read instead.
    const standIns = await togetherEach(warehouse, funnels, (funnel, i) => this.standIns(funnel, i, usersOf(i), scope));
    const historyUsers = dedupe(funnels.map((_, i): UserSet => (standIns[i] ? { table: scope.changedUsers } : usersOf(i))));

    // The history of the users who need it, once for every funnel, of the funnels' events only:
    // after the split from the range's slice (already read), before it from the log, from the
    // earliest of their first visits on (the engine skips older parts; usually a few days, a
    // window's length). With none before the split, the range's slice is all there is to read.
    const union = (sets: readonly UserSet[]) => sets.map((u) => `SELECT u.user_id, u.first_datetime FROM ${this.usersRelation(u)}`).join('\nUNION ALL\n');
    // The build knows it already when only the new and moved users need their history (one query less).
    const onlyChanged = historyUsers.length === 1 && historyUsers[0].table === scope.changedUsers;
    const earliest = onlyChanged ? scope.changedEarliest : (await warehouse.query(`SELECT CAST(MIN(first_datetime) AS ${d.types.string}) AS earliest FROM (${union(historyUsers)}) AS u`))[0].earliest;
    let events = scope.rangeEvents;
    if (scope.after !== null && earliest !== null && compareTimestamps(String(earliest), scope.after) <= 0) {
      events = scratch.intermediate('funnel_history');
      const hp = new BoundParams(d);
      const names = hp.list([...new Set(funnels.flatMap((f) => funnelEvents(f)))]);
      await this.run({
        sql: `${scratch.create(events)} AS
SELECT e.user_id, e.event_name, e."datetime" FROM ${this.q(scope.rangeEvents)} AS e WHERE e.event_name IN (${names})
UNION ALL
SELECT e.user_id, e.event_name, e."datetime" FROM ${this.q(spec.sources.events)} AS e
WHERE e.event_name IN (${names})
  AND e."datetime" >= ${hp.bind(String(earliest), d.types.timestamp)} AND e."datetime" <= ${hp.bind(scope.after, d.types.timestamp)}
  AND e.user_id IN (SELECT user_id FROM (${union(historyUsers)}) AS u)`,
        params: hp.values,
      });
    }

    return togetherEach(warehouse, funnels, async (funnel, i): Promise<StagedFunnelTable> => {
      const rows = scratch.intermediate(`f${i}_rows`);
      const select = funnelTableSelect(d, spec, funnel, { events, users, usersFlag: flags[i], through: this.through, standIns: standIns[i] });
      const columns = funnelTableColumns(funnel, d, this.inputs.userIdType);
      const deleteMarker = columns.map((c) => (c.name === C.userId ? 'g.user_id' : `CAST(NULL AS ${c.type})`)).join(', ');
      const written = await this.run({
        sql: `${scratch.create(rows)} AS
SELECT r.*, 'upsert' AS action FROM (\n${select.sql}\n) AS r
UNION ALL
SELECT ${deleteMarker}, 'delete' FROM ${this.q(scope.goneUsers)} AS g`,
        params: select.params,
      });
      return { funnel, staged: rows, target: funnelTableName(spec, funnel), mode: 'incremental', rows: await this.count(rows, written) };
    });
  }

  /**
   * Where a funnel's stand-ins are (funnel-semantics.ts, historyStandIn): first occurrences in
   * the range's users (the mart's, as the build found it), matched occurrences in the users'
   * stored rows, staged here. Undefined: the funnel has none (exclusions), or the mart does not
   * hold every step's event yet (an event tracked since this build).
   */
  private async standIns(funnel: Funnel, i: number, users: UserSet, scope: IncrementalScope): Promise<FunnelTableInputs['standIns']> {
    const plan = funnelPlan(funnel);
    const later = plan.steps.slice(1);
    switch (historyStandIn(plan)) {
      case undefined:
        return undefined;
      case 'first occurrences': {
        if (!later.every((s) => scope.storedEvents.includes(s.event))) return undefined;
        const events = [...new Set(later.map((s) => s.event))];
        return { table: scope.rangeUsers, columns: events.map((event) => ({ column: storedColumn(scope.storedEvents.indexOf(event)), event })) };
      }
      case 'matched occurrences': {
        const table = this.inputs.scratch.intermediate(`f${i}_stored`);
        const target = this.q(funnelTableName(this.inputs.spec, funnel));
        const columns = later.map((s) => ({ column: C.stepAt(s), event: s.event }));
        await this.run({
          sql: `${this.inputs.scratch.create(table)} AS
SELECT t.${this.q(C.userId)} AS user_id, ${columns.map((c) => `t.${this.q(c.column)}`).join(', ')} FROM ${target} AS t
WHERE t.${this.q(C.userId)} IN (SELECT u.user_id FROM ${this.usersRelation(users)})`,
          params: [],
        });
        return { table, columns };
      }
    }
  }

  /**
   * Stages, in `table`, the users whose row can change for any of the funnels (see the header),
   * with one flag column per distinct condition (funnels with the same events and windows, as the
   * demo's variants of one funnel, share one), and returns each funnel's flag. A user is taken
   * when their earliest occurrence in the scan range of one of the funnel's events, at or after
   * their first visit, falls before their windows close: then some event there can change the row,
   * and none can otherwise. The earliest occurrences come from the mart's scan when it holds every
   * funnel event (no join), else from the range's events joined to their users. New and moved
   * users are always taken. The windows' end is computed once per user (a zone conversion
   * outside UTC), not per event.
   */
  private async stageUsers(funnels: readonly Funnel[], scope: IncrementalScope, table: string): Promise<string[]> {
    const { warehouse, spec, scratch } = this.inputs;
    const d = warehouse.dialect;
    const { q } = this;
    const p = new BoundParams(d);
    const all = [...new Set(funnels.flatMap((f) => funnelEvents(f)))];
    const earliest = all.every((e) => scope.storedEvents.includes(e))
      ? `SELECT s.user_id, s.event_name, s.first_at, s.first_datetime, s.first_visit_date, 0 AS changed FROM ${q(scope.rangeScan)} AS s
      WHERE s.first_at IS NOT NULL AND s.event_name IN (${p.list(all)})`
      : `SELECT e.user_id, e.event_name, MIN(e."datetime") AS first_at, u.first_datetime, u.first_visit_date, 0 AS changed
      FROM ${q(scope.rangeEvents)} AS e JOIN ${q(scope.rangeUsers)} AS u ON u.user_id = e.user_id
      WHERE e."datetime" >= u.first_datetime AND e.event_name IN (${p.list(all)})
      GROUP BY e.user_id, e.event_name, u.first_datetime, u.first_visit_date`;
    const conditions = new Map<string, { flag: string; earliest: string; taken: string }>();
    const flags = funnels.map((funnel) => {
      const key = JSON.stringify([funnelEvents(funnel), funnelPlan(funnel).steps.map((s) => s.window ?? null)]);
      if (!conditions.has(key)) {
        const k = conditions.size;
        const openUntil = funnelOpenUntil(d, spec, funnel, 'c.first_datetime', 'c.first_visit_date', p);
        conditions.set(key, {
          flag: `in_${k}`,
          earliest: `MIN(CASE WHEN x.event_name IN (${p.list(funnelEvents(funnel))}) THEN x.first_at END) AS earliest_${k}`,
          taken: `CASE WHEN c.changed = 1 OR ${openUntil === undefined ? `c.earliest_${k} IS NOT NULL` : `c.earliest_${k} <= ${openUntil}`} THEN 1 ELSE 0 END AS in_${k}`,
        });
      }
      return conditions.get(key)!.flag;
    });
    const cs = [...conditions.values()];
    const t = d.types;
    await this.run({
      sql: `${scratch.create(table)} AS
SELECT f.user_id, f.first_datetime, f.first_visit_date, ${cs.map((c) => `f.${c.flag}`).join(', ')} FROM (
  SELECT c.user_id, c.first_datetime, c.first_visit_date,
    ${cs.map((c) => c.taken).join(',\n    ')}
  FROM (
    SELECT x.user_id, MIN(x.first_datetime) AS first_datetime, MIN(x.first_visit_date) AS first_visit_date, MAX(x.changed) AS changed,
      ${cs.map((c) => c.earliest).join(',\n      ')}
    FROM (
      ${earliest}
      UNION ALL
      SELECT user_id, CAST(NULL AS ${t.string}), CAST(NULL AS ${t.timestamp}), first_datetime, first_visit_date, 1 FROM ${q(scope.changedUsers)}
    ) AS x
    GROUP BY x.user_id
  ) AS c
) AS f
WHERE ${cs.map((c) => `f.${c.flag} = 1`).join(' OR ')}`,
      params: p.values,
    });
    return flags;
  }

  /** The users of a set, as a relation aliased `u` (user_id, first_datetime, first_visit_date). */
  private usersRelation(users: UserSet): string {
    const table = this.q(users.table);
    return users.flag ? `(SELECT user_id, first_datetime, first_visit_date FROM ${table} WHERE ${this.q(users.flag)} = 1) AS u` : `${table} AS u`;
  }

  private async applyRows(s: StagedFunnelTable): Promise<void> {
    const { warehouse } = this.inputs;
    const target = this.q(s.target);
    const rows = this.q(s.staged);
    const columns = funnelTableColumns(s.funnel, warehouse.dialect, this.inputs.userIdType).map((c) => this.q(c.name));
    const userId = this.q(C.userId);
    if (warehouse.dialect.capabilities.transactions) {
      await warehouse.run(`DELETE FROM ${target} WHERE ${userId} IN (SELECT ${userId} FROM ${rows})`);
      await warehouse.run(`INSERT INTO ${target} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${rows} WHERE action = 'upsert'`);
      return;
    }
    const set = columns.filter((c) => c !== userId).map((c) => `${c} = r.${c}`);
    await warehouse.run(`MERGE INTO ${target} AS t
USING ${rows} AS r
ON t.${userId} = r.${userId}
WHEN MATCHED AND r.action = 'delete' THEN DELETE
WHEN MATCHED THEN UPDATE SET ${set.join(', ')}
WHEN NOT MATCHED AND r.action = 'upsert' THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `r.${c}`).join(', ')})`);
  }

}

/** Users staged for funnel tables: a table's rows, or those of its rows whose `flag` column is 1. */
interface UserSet {
  table: string;
  flag?: string;
}

function dedupe(sets: readonly UserSet[]): UserSet[] {
  return [...new Map(sets.map((u) => [`${u.table}\u0000${u.flag ?? ''}`, u])).values()];
}

/** Tables of funnels in the previous build's state that the spec no longer has (ownership was checked before the build started). */
export function removedFunnelTables(spec: MetricsSpec, previous: FunnelTablesState | undefined): string[] {
  const current = funnelTablesState(spec);
  return Object.keys(previous ?? {}).filter((t) => !(t in current));
}
