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
  /** New users and users whose first visit moved. */
  changedUsers: string;
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
    // Funnels with the same events and windows (variants of one funnel, as in the demo) have the
    // same users to recompute: each distinct set is staged once and shared.
    const usersSelects = new Map<string, { table: string; statement: Statement }>();
    const usersTables: string[] = [];
    for (const [i, funnel] of funnels.entries()) {
      const p = new BoundParams(d);
      const openUntil = funnelOpenUntil(d, spec, funnel, 'u.first_datetime', 'u.first_visit_date', p);
      // The funnel's events in the scan range (the range's slice of the log): a user with one there
      // at or after the first visit and before their windows close, and the new or moved users. The
      // windows' end is computed once per user (a zone conversion, outside UTC), not per event.
      // UNION drops the users found twice.
      const candidates = openUntil === undefined ? this.q(scope.rangeUsers) : `(SELECT u.*, ${openUntil} AS open_until FROM ${this.q(scope.rangeUsers)} AS u)`;
      const select = `SELECT u.user_id, u.first_datetime, u.first_visit_date
FROM ${candidates} AS u
JOIN ${this.q(scope.rangeEvents)} AS e ON e.user_id = u.user_id
WHERE e.event_name IN (${p.list(funnelEvents(funnel))})
  AND e."datetime" >= u.first_datetime${openUntil === undefined ? '' : ' AND e."datetime" <= u.open_until'}
UNION
SELECT user_id, first_datetime, first_visit_date FROM ${this.q(scope.changedUsers)}`;
      const key = JSON.stringify([select, p.values]);
      if (!usersSelects.has(key)) {
        const table = scratch.intermediate(`f${i}_users`);
        usersSelects.set(key, { table, statement: { sql: `${scratch.create(table)} AS\n${select}`, params: p.values } });
      }
      usersTables.push(usersSelects.get(key)!.table);
    }
    if (funnels.length === 0) return [];
    await togetherEach(warehouse, [...usersSelects.values()], (u) => this.run(u.statement));

    // Each funnel's stand-ins for its users' history before the range, and whose history must be read instead.
    const standIns = await togetherEach(warehouse, funnels, (funnel, i) => this.standIns(funnel, i, usersTables[i], scope));
    const historyUsers = [...new Set(funnels.map((_, i) => (standIns[i] ? scope.changedUsers : usersTables[i])))];

    // The history of the users who need it, once for every funnel, of the funnels' events only:
    // after the split from the range's slice (already read), before it from the log, from the
    // earliest of their first visits on (the engine skips older parts; usually a few days, a
    // window's length). With none before the split, the range's slice is all there is to read.
    const union = (tables: readonly string[]) => tables.map((t) => `SELECT user_id, first_datetime FROM ${this.q(t)}`).join('\nUNION ALL\n');
    const [{ earliest }] = await warehouse.query(`SELECT CAST(MIN(first_datetime) AS ${d.types.string}) AS earliest FROM (${union(historyUsers)}) AS u`);
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
      const users = usersTables[i];
      const rows = scratch.intermediate(`f${i}_rows`);
      const select = funnelTableSelect(d, spec, funnel, { events, users, through: this.through, standIns: standIns[i] });
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
  private async standIns(funnel: Funnel, i: number, users: string, scope: IncrementalScope): Promise<FunnelTableInputs['standIns']> {
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
WHERE t.${this.q(C.userId)} IN (SELECT u.user_id FROM ${this.q(users)} AS u)`,
          params: [],
        });
        return { table, columns };
      }
    }
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

/** Tables of funnels in the previous build's state that the spec no longer has (ownership was checked before the build started). */
export function removedFunnelTables(spec: MetricsSpec, previous: FunnelTablesState | undefined): string[] {
  const current = funnelTablesState(spec);
  return Object.keys(previous ?? {}).filter((t) => !(t in current));
}
