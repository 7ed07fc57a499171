/**
 * The mart builder: materializes fact__first_activation_events inside the warehouse, in one
 * transaction under a build lock, either from full history or incrementally.
 *
 * Incremental builds re-scan the source after the previous build's cutoff (its watermark minus
 * the lookback) and keep the earliest of stored and scanned first occurrences; users who are
 * new or whose first visit moved, and newly tracked events, are rebuilt from full history. So
 * the mart equals a full refresh whenever late events arrive within the lookback.
 */
import type { MetricsSpec } from '../spec/spec-types.ts';
import { UserError } from '../user-error.ts';
import type { Row, Warehouse } from '../warehouse/warehouse.ts';
import { BuildStateStore, definitionHash, describeDefinition, type BuildState } from './build-state.ts';
import type { BuildReport } from './build-report.ts';
import { checkSources } from './check-sources.ts';
import { MartSql, type Statement } from './mart-sql.ts';
import { minusDuration, minTimestamp, maxTimestamp } from './timestamps.ts';

export const FULL_STEPS = ['lock', 'load users', 'first visits', 'scan events', 'insert', 'state'] as const;
export const INCREMENTAL_STEPS = ['lock', 'load users', 'sync users', 'scan events', 'merge', 'state'] as const;
export type BuildStep = (typeof FULL_STEPS)[number] | (typeof INCREMENTAL_STEPS)[number];

export interface BuildOptions {
  fullRefresh?: boolean;
  /** Called after each step, inside the transaction (a progress bar; a test that fails a build halfway). */
  onStep?: (step: BuildStep, done: number, total: number) => void | Promise<void>;
}

export async function buildMart(warehouse: Warehouse, spec: MetricsSpec, options: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const { userIdType } = await checkSources(warehouse, spec);
  const sql = new MartSql(warehouse.dialect, { events: spec.sources.events, users: spec.sources.users, mart: spec.mart.table }, spec.timezone, userIdType);
  await checkTimezone(warehouse, sql, spec.timezone);

  const run = (s: Statement) => warehouse.run(s.sql, s.params);
  const one = async (s: Statement): Promise<Row> => (await warehouse.query(s.sql, s.params))[0];
  const store = new BuildStateStore(warehouse, spec.mart.stateTable);
  const hash = definitionHash(spec, userIdType);
  const definition = describeDefinition(spec, userIdType);

  const report = await warehouse.transaction(async () => {
    await warehouse.lockForBuild(spec.mart.table);
    await store.ensureTable();
    const previous = await store.read();
    const martRowsBefore = (await warehouse.columns(spec.mart.table)) ? Number((await one(sql.martRowCount())).n) : undefined;
    const fullReason = options.fullRefresh
      ? 'requested with --full-refresh'
      : !previous
        ? 'first build'
        : martRowsBefore === undefined
          ? 'mart table missing'
          : previous.definitionHash !== hash
            ? `definition changed: was ${previous.definition}, now ${definition}`
            : undefined;
    const steps = fullReason ? FULL_STEPS : INCREMENTAL_STEPS;
    let done = 0;
    const step = async (name: BuildStep) => options.onStep?.(name, ++done, steps.length);
    await step('lock');

    for (const s of sql.dropTempTables()) await run(s);
    const sourceMax = (await one(sql.sourceWatermark())).watermark as string | null;
    await run(sql.loadUsers());
    const unusable = await one(sql.unusableUsers());
    await run(sql.createScanTable());
    await step('load users');

    const counts = { inserted: 0, updated: 0, deleted: 0, newOrChangedUsers: 0, lateBeyondLookback: 0, deletedSource: 0 };
    let scannedAfter: string | null = null;
    let backfilled: string[] = [];
    let removed: string[] = [];

    if (fullReason) {
      if (martRowsBefore !== undefined) await run(sql.dropTable(spec.mart.table));
      counts.deleted = martRowsBefore ?? 0;
      await run(sql.createMart());
      counts.inserted += await run(sql.insertFirstVisits(false));
      await step('first visits');
      if (sourceMax !== null) await run(sql.scan({ events: spec.events, through: sourceMax }));
      await step('scan events');
    } else {
      const prev = previous!;
      // Source rows that appeared (or vanished) at or before the last cutoff are beyond this build's reach: count them.
      if (prev.lateCutoff !== null) {
        const now = Number((await one(sql.countThrough(prev.trackedEvents, prev.lateCutoff))).n);
        counts.lateBeyondLookback = Math.max(0, now - prev.rowsThroughLateCutoff);
        counts.deletedSource = Math.max(0, prev.rowsThroughLateCutoff - now);
      }
      const kept = spec.events.filter((e) => prev.trackedEvents.includes(e));
      backfilled = spec.events.filter((e) => !prev.trackedEvents.includes(e));
      removed = prev.trackedEvents.filter((e) => !spec.events.includes(e));
      if (removed.length > 0) counts.deleted += await run(sql.deleteUntrackedEvents(spec.events));

      await run(sql.findChangedUsers());
      const changed = await one(sql.changedUsersSummary());
      counts.newOrChangedUsers = Number(changed.n);
      counts.deleted += await run(sql.deleteGoneAndChangedUsers());
      counts.inserted += await run(sql.insertFirstVisits(true));
      await step('sync users');

      if (sourceMax !== null) {
        // Three disjoint scans: tracked events after the split, new/changed users' history up to it, new events' full history.
        const split = prev.lateCutoff === null ? null : minTimestamp(prev.lateCutoff, sourceMax);
        scannedAfter = split;
        if (kept.length > 0) {
          await run(sql.scan({ events: kept, through: sourceMax, ...(split !== null && { after: split }) }));
          if (split !== null && counts.newOrChangedUsers > 0) {
            await run(sql.scan({ events: kept, through: split, changedUsersFrom: String(changed.earliest) }));
          }
        }
        if (backfilled.length > 0) await run(sql.scan({ events: backfilled, through: sourceMax }));
      }
      await step('scan events');
    }

    await run(sql.findChanges());
    const changes = await one(sql.countChanges());
    counts.inserted += Number(changes.inserted);
    counts.updated = Number(changes.updated);
    await run(sql.deleteUpdatedRows());
    await run(sql.insertChanges());
    const summary = await one(sql.scanSummary());
    await step(fullReason ? 'insert' : 'merge');

    const watermark = maxTimestamp(previous && !fullReason ? previous.watermark : null, sourceMax);
    const lateCutoff = watermark === null ? null : minusDuration(watermark, spec.incremental.lookback);
    const state: BuildState = {
      definitionHash: hash,
      trackedEvents: [...spec.events],
      watermark,
      lateCutoff,
      rowsThroughLateCutoff: lateCutoff === null ? 0 : Number((await one(sql.countThrough(spec.events, lateCutoff))).n),
      definition,
      dataVersion: (previous?.dataVersion ?? 0) + (fullReason || counts.inserted + counts.updated + counts.deleted > 0 ? 1 : 0),
    };
    await store.write(state);
    for (const s of sql.dropTempTables()) await run(s);
    const martRows = Number((await one(sql.martRowCount())).n);
    await step('state');

    return {
      mode: fullReason ? 'full' : 'incremental',
      reason: fullReason ?? `since watermark ${previous!.watermark ?? '(none)'}, lookback ${describeLookback(spec)}`,
      warehouse: warehouse.description,
      mart: spec.mart.table,
      scanned: { after: scannedAfter, through: sourceMax },
      watermark,
      rowsScanned: Number(summary.rows_scanned),
      rowsInserted: counts.inserted,
      rowsUpdated: counts.updated,
      rowsDeleted: counts.deleted,
      martRows,
      eventsBeforeFirstVisit: Number(summary.rows_before_first_visit),
      eventsOfUnknownUsers: Number(summary.rows_unknown_user),
      unknownUsers: Number(summary.unknown_users),
      usersWithoutFirstVisit: Number(unusable.without_first_visit),
      duplicateUserRows: Number(unusable.duplicate_rows),
      newOrChangedUsers: counts.newOrChangedUsers,
      backfilledEvents: backfilled,
      removedEvents: removed,
      lateEventsBeyondLookback: counts.lateBeyondLookback,
      deletedSourceEvents: counts.deletedSource,
      elapsedMs: 0,
    } satisfies BuildReport;
  });
  report.elapsedMs = Math.round(performance.now() - started);
  return report;
}

async function checkTimezone(warehouse: Warehouse, sql: MartSql, timezone: string): Promise<void> {
  try {
    const probe = sql.probeTimezone();
    await warehouse.query(probe.sql, probe.params);
  } catch (error) {
    throw new UserError('unknown-timezone', `${warehouse.dialect.name} does not know the time zone ${JSON.stringify(timezone)} (spec field timezone): ${(error as Error).message.split('\n')[0]}`);
  }
}

function describeLookback(spec: MetricsSpec): string {
  const { lookback } = spec.incremental;
  return lookback.days !== undefined ? `${lookback.days} day(s)` : `${lookback.hours} hour(s)`;
}
