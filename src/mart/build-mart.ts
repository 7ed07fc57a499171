/**
 * The mart builder: materializes fact__first_activation_events and the funnel tables inside the
 * warehouse, from full history or incrementally, with one protocol on every engine:
 *
 *   lock (the engine's own: advisory lock, file lock)
 *   → drop scratch tables a crashed build left behind
 *   → stage: compute everything in build-scoped scratch tables, statement by statement
 *   → publish: the mart, the funnel tables and the state, in one transaction where the engine has
 *     them; otherwise each with the engine's atomic primitive (Warehouse.replaceTable, one MERGE),
 *     the state last
 *   → drop the scratch tables, release the lock.
 *
 * A crash while staging leaves the published tables untouched (the next build drops the scratch
 * tables). Without transactions, a crash between publishing and the state leaves new data under
 * the old state, flagged `publishing`; the next build redoes the same window, which changes
 * nothing the second time (rows are earliest occurrences: MIN of stored and scanned), rebuilds
 * the funnel tables, and bumps data_version. docs/mart.md walks through every crash point.
 *
 * Incremental builds cost what the new data costs: they scan only source rows after the cutoff
 * (the watermark minus the lookback), find new users without re-reading the ones already built
 * (a fingerprint of those says whether any changed; only then are all users compared), join the
 * new events to their users only, and detect late rows beyond the lookback with counts that
 * zone maps answer without a scan.
 */
import type { Duration, MetricsSpec } from '../spec/spec-types.ts';
import { UserError } from '../user-error.ts';
import type { Row, TableCatalog, Warehouse } from '../warehouse/warehouse.ts';
import type { BuildReport } from './build-report.ts';
import { BuildStateStore, definitionHash, describeDefinition, LEGACY_STATE_COLUMNS, STATE_COLUMNS, type BuildState } from './build-state.ts';
import { CatalogSnapshot } from './catalog-snapshot.ts';
import { checkSources } from './check-sources.ts';
import { MART_COLUMNS, MartSql, type EventSlice, type LogSummaryShape, type ScanScope, type Scratch, type Statement } from './mart-sql.ts';
import { assertOwnedOrAbsent, ownershipComment } from './ownership.ts';
import { ScratchTables } from './scratch-tables.ts';
import { together } from './together.ts';
import { funnelEvents } from '../funnel/funnel-semantics.ts';
import { funnelTableName } from '../funnel/funnel-table-sql.ts';
import { funnelDefinitionHash, FunnelTables, funnelTablesState, ownedFunnelTables, removedFunnelTables, type FunnelTableOutcome, type StagedFunnelTable } from './funnel-tables.ts';
import { BEFORE_EVERY_EVENT, compareTimestamps, maxTimestamp, minTimestamp, minusDuration, plusDuration, utcText } from './timestamps.ts';

/** The most users a publish names in a bound list (more: it joins the delta to the mart). */
const MAX_BOUND_USERS = 1000;

export const FULL_STEPS = ['lock', 'load users', 'scan events', 'stage', 'publish', 'state'] as const;
export const INCREMENTAL_STEPS = ['lock', 'sync users', 'scan events', 'stage', 'publish', 'state'] as const;
export type BuildStep = (typeof FULL_STEPS)[number] | (typeof INCREMENTAL_STEPS)[number];

export interface BuildOptions {
  fullRefresh?: boolean;
  /** Called after each step (a progress bar; a test that fails or kills a build halfway). */
  onStep?: (step: BuildStep, done: number, total: number) => void | Promise<void>;
  /** The build's clock (default: now). Events later than it plus incremental.future_tolerance wait. */
  now?: Date;
}

export async function buildMart(warehouse: Warehouse, spec: MetricsSpec, options: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  // The sources are checked before the lock: on Trino the lock lives in the mart's schema, and a
  // missing schema must be named as such, not surface as the lock's failure.
  const { userIdType } = await checkSources(warehouse, spec, await CatalogSnapshot.of(warehouse, [spec.sources.events, spec.sources.users]));
  const scratch = new ScratchTables(warehouse, spec.mart.table);
  // Intermediate scratch tables may be temporary; the staged mart is published by renaming, so it is a real one.
  const names: Scratch = {
    users: scratch.intermediate('users'),
    changedUsers: scratch.intermediate('changed_users'),
    goneUsers: scratch.intermediate('gone_users'),
    scan: scratch.intermediate('scan'),
    mart: scratch.name('mart'),
    delta: scratch.intermediate('delta'),
    rangeUsers: scratch.intermediate('range_users'),
    rangeEvents: scratch.intermediate('range_events'),
    events: scratch.intermediate('events'),
    allUsers: scratch.intermediate('all_users'),
  };
  const sql = new MartSql(warehouse.dialect, { events: spec.sources.events, users: spec.sources.users, mart: spec.mart.table }, spec.timezone, userIdType, names, (t) => scratch.create(t));
  await checkTimezone(warehouse, sql, spec.timezone);

  const lock = await warehouse.acquireBuildLock(spec.mart.table);
  try {
    // What the build checks before it writes, read once under the lock.
    const catalog = await CatalogSnapshot.of(warehouse, [spec.mart.table, spec.mart.stateTable, ...spec.funnels.map((f) => funnelTableName(spec, f))]);
    const previous = await assertBuildTargetsOwned(warehouse, spec, catalog);
    const restore = await warehouse.tuneForBulkWrites();
    // A failed build's own error wins over one from restoring the settings.
    const report = await new Build(warehouse, spec, sql, scratch, names, userIdType, options, catalog).run(previous).then(
      async (built) => {
        await restore();
        return built;
      },
      async (error: unknown) => {
        await restore().catch(() => undefined);
        throw error;
      },
    );
    report.elapsedMs = Math.round(performance.now() - started);
    return report;
  } catch (error) {
    // A failed build's scratch tables (a successful one dropped its own; a killed one's are dropped by the next build).
    await scratch.dropAll().catch(() => undefined);
    throw error;
  } finally {
    await lock.release();
  }
}

/**
 * Refuses, before anything is written, to create, replace or drop a table this project does not
 * own: the mart, the state, this spec's funnel tables and those of funnels removed since the last
 * build (which the build drops). `activation demo` asks the same before it writes its sources.
 * Returns the stored state it read on the way (undefined: none, or an earlier layout). `catalog`:
 * a build's snapshot of these tables (by default each question goes to the warehouse).
 */
export async function assertBuildTargetsOwned(warehouse: Warehouse, spec: MetricsSpec, catalog: TableCatalog = warehouse): Promise<BuildState | undefined> {
  await assertOwnedOrAbsent(
    warehouse,
    [
      { table: spec.mart.table, role: 'mart', field: 'mart.table', legacyColumns: [MART_COLUMNS] },
      { table: spec.mart.stateTable, role: 'build state', field: 'mart.state_table', legacyColumns: [STATE_COLUMNS, ...LEGACY_STATE_COLUMNS] },
    ],
    catalog,
  );
  const previous = await new BuildStateStore(warehouse, spec.mart.stateTable, catalog).read();
  await assertOwnedOrAbsent(warehouse, ownedFunnelTables(spec, previous?.funnelTables), catalog);
  return previous;
}

class Build {
  private readonly store: BuildStateStore;
  private done = 0;
  private steps: readonly BuildStep[] = FULL_STEPS;
  /** The build's clock plus the tolerance: later events wait for their time and never move the watermark. */
  private readonly horizon: string;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly spec: MetricsSpec,
    private readonly sql: MartSql,
    private readonly scratch: ScratchTables,
    private readonly names: Scratch,
    private readonly userIdType: string,
    private readonly options: BuildOptions,
    /** The catalog as the build found it under the lock (stale once it publishes). */
    private readonly catalog: TableCatalog,
  ) {
    this.store = new BuildStateStore(warehouse, spec.mart.stateTable, catalog);
    this.horizon = plusDuration(utcText(options.now ?? new Date()), spec.incremental.futureTolerance);
  }

  private run1 = (s: Statement) => this.warehouse.run(s.sql, s.params);
  private one = async (s: Statement): Promise<Row> => (await this.warehouse.query(s.sql, s.params))[0];
  private all = (s: Statement): Promise<Row[]> => this.warehouse.query(s.sql, s.params);
  private step = async (name: BuildStep) => this.options.onStep?.(name, ++this.done, this.steps.length);

  /** `previous`: the stored state, read under the lock. */
  async run(previous: BuildState | undefined): Promise<BuildReport> {
    const { spec } = this;
    // Scratch tables of crashed builds: nobody else can be using them, we hold the lock.
    await this.scratch.dropAll();
    const hash = definitionHash(spec, this.userIdType);
    const definition = describeDefinition(spec, this.userIdType);
    const martExists = (await this.catalog.columns(spec.mart.table)) !== undefined;
    const fullReason = this.options.fullRefresh
      ? 'requested with --full-refresh'
      : !previous
        ? 'first build'
        : !martExists
          ? 'mart table missing'
          : previous.definitionHash !== hash
            ? `definition changed: was ${previous.definition}, now ${definition}`
            : undefined;
    this.steps = fullReason ? FULL_STEPS : INCREMENTAL_STEPS;
    await this.step('lock');

    // The log's and the users' summaries: two independent reads, side by side where the engine allows.
    const [extent, users] = await together(
      this.warehouse,
      () => this.sourceExtent(fullReason ? null : previous!.watermark, fullReason ? null : previous!.lateCutoff),
      () => this.usersSummary(fullReason ? null : previous!.usersWatermark),
    );
    const staged = fullReason ? await this.stageFull(previous, extent, users, martExists) : await this.stageIncremental(previous!, extent, users);
    await this.step('stage');

    // The state: what the next build starts from. Its counts of source rows read the source alone.
    const lateCutoff = staged.watermark === null ? null : minusDuration(staged.watermark, spec.incremental.lookback);
    const countsThrough = async (): Promise<SourceCounts> => (lateCutoff === null ? { all: 0, tracked: {} } : staged.countsThrough(lateCutoff));
    const funnelRows = staged.funnels.reduce((n, f) => n + f.rows, 0);
    const changed = staged.inserted + staged.updated + staged.deleted + funnelRows > 0 || staged.funnels.some((f) => f.mode === 'full') || staged.droppedFunnelTables.length > 0;
    const stateWith = (counts: SourceCounts): BuildState => ({
      definitionHash: hash,
      trackedEvents: [...spec.events],
      watermark: staged.watermark,
      lateCutoff,
      rowsThroughLateCutoff: counts.all,
      trackedRowsThroughLateCutoff: counts.tracked,
      usersWatermark: staged.users.newest,
      usersRows: staged.users.rows,
      usersFingerprint: staged.users.fingerprint,
      definition,
      dataVersion: (previous?.dataVersion ?? 0) + (fullReason || changed || previous?.publishing ? 1 : 0),
      publishing: false,
      funnelTables: funnelTablesState(spec),
    });

    let funnels: FunnelTableOutcome[];
    if (this.warehouse.dialect.capabilities.transactions) {
      const state = stateWith(await countsThrough());
      funnels = await this.warehouse.transaction(async () => {
        const outcomes = await this.publishTables(staged);
        await this.writeState(state);
        return outcomes;
      });
    } else {
      funnels = await this.publishWithoutTransactions(staged, countsThrough, stateWith, previous, changed || !!fullReason);
    }
    await this.scratch.dropAll();
    const martRows = Number((await this.one(this.sql.martRowCount())).n);
    return {
      mode: fullReason ? 'full' : 'incremental',
      reason: fullReason ?? `since watermark ${previous!.watermark ?? '(none)'}, lookback ${describeDuration(spec.incremental.lookback)}`,
      warehouse: this.warehouse.description,
      mart: spec.mart.table,
      scanned: { after: staged.scannedAfter, through: staged.watermark },
      watermark: staged.watermark,
      rowsScanned: staged.scan.rowsScanned,
      rowsInserted: staged.inserted,
      rowsUpdated: staged.updated,
      rowsDeleted: staged.deleted,
      martRows,
      eventsBeforeFirstVisit: staged.scan.rowsBeforeFirstVisit,
      eventsOfUnknownUsers: staged.scan.rowsUnknownUser,
      unknownUsers: staged.scan.unknownUsers,
      usersWithoutFirstVisit: staged.users.withoutFirstVisit,
      duplicateUserRows: staged.users.duplicateRows,
      newOrChangedUsers: staged.newOrChangedUsers,
      removedUsers: staged.removedUsers,
      usersCheck: staged.usersCheck,
      funnelTables: funnels,
      funnelTablesMs: Math.round(this.funnelMs),
      backfilledEvents: staged.backfilled,
      removedEvents: staged.removed,
      lateEventsBeyondLookback: staged.late,
      deletedSourceEvents: staged.deletedSource,
      futureEvents: { ...extent.future, after: this.horizon },
      elapsedMs: 0,
    };
  }

  /** Publishes the staged mart and funnel tables (side by side where the engine allows: each publish is atomic on its own). */
  private async publishTables(staged: Staged): Promise<FunnelTableOutcome[]> {
    const [, funnels] = await together(
      this.warehouse,
      () => staged.publishMart(),
      () =>
        this.timeFunnels(async () => {
          const outcomes = await this.funnelTables(staged.watermark).publish(staged.funnels);
          await this.warehouse.dropTables(staged.droppedFunnelTables);
          return [...outcomes, ...staged.droppedFunnelTables.map((table) => ({ table, mode: 'dropped' as const, rowsWritten: 0 }))];
        }),
    );
    await this.step('publish');
    return funnels;
  }

  private async writeState(state: BuildState): Promise<void> {
    await this.store.write(state, this.scratch.name('state'));
    await this.step('state');
  }

  /**
   * Without transactions, a death between publish and state would leave changed tables under an
   * unchanged dataVersion (Cube's rollups would not refresh): first say in the state that a
   * publish is under way, so the next build bumps it (and rebuilds the funnel tables) whatever it
   * finds. The state's source counts are read beside the publish where the engine allows.
   */
  private async publishWithoutTransactions(
    staged: Staged,
    countsThrough: () => Promise<SourceCounts>,
    stateWith: (counts: SourceCounts) => BuildState,
    previous: BuildState | undefined,
    changes: boolean,
  ): Promise<FunnelTableOutcome[]> {
    const [counts, funnels] = await together(this.warehouse, countsThrough, async () => {
      if (changes && previous && !previous.publishing) await this.store.write({ ...previous, publishing: true }, this.scratch.name('pending_state'));
      return this.publishTables(staged);
    });
    await this.writeState(stateWith(counts));
    return funnels;
  }

  /** Time spent on the funnel tables (staging and publishing), for the report. */
  private funnelMs = 0;

  private async timeFunnels<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.funnelMs += performance.now() - started;
    }
  }

  private funnelTables(watermark: string | null): FunnelTables {
    return new FunnelTables({ warehouse: this.warehouse, spec: this.spec, scratch: this.scratch, userIdType: this.userIdType, through: watermark });
  }

  /** Everything from scratch: the mart in one CREATE TABLE AS, each funnel table in one more. */
  private async stageFull(previous: BuildState | undefined, extent: SourceExtent, users: UsersSummary, martExists: boolean): Promise<Staged> {
    const { spec, sql } = this;
    const watermark = extent.newest;
    // Repeated user_ids: usable rows minus the users they collapse to (no extra pass over the dimension).
    const staged = await this.run1(sql.stageAllUsers());
    const usersStaged = staged > 0 || users.rows === 0 ? staged : Number((await this.one(sql.rowCount(this.names.users))).n);
    users.duplicateRows = users.rows - usersStaged;
    await this.step('load users');

    // One pass over the log for everything this build reads from it.
    const slice = this.names.events;
    const sliceEvents: EventSlice = { events: withFunnelEvents(spec, spec.events), tracked: spec.events };
    await this.run1(sql.stageEventSlice(sliceEvents.events, watermark ?? BEFORE_EVERY_EVENT));
    // The funnel tables compare its datetime with its first visits: the planner must know its size.
    await this.warehouse.refreshStatistics(slice);
    // The mart and the funnel tables all read the slice: side by side where the engine allows.
    const [martRowsBefore, inserted, { scan, scannedPerEvent }, funnels] = await together(
      this.warehouse,
      async () => (martExists ? Number((await this.one(sql.martRowCount())).n) : 0),
      async () => {
        const created = await this.run1(sql.stageFullMart(sliceEvents));
        return created > 0 ? created : Number((await this.one(sql.rowCount(this.names.mart))).n);
      },
      async () => {
        const sliceSummary = await this.all(sql.sliceScanSummary(sliceEvents));
        const scan = {
          rowsScanned: sum(sliceSummary, 'rows_scanned'),
          rowsBeforeFirstVisit: sum(sliceSummary, 'rows_before_first_visit'),
          rowsUnknownUser: sum(sliceSummary, 'rows_unknown_user'),
          unknownUsers: Number(sliceSummary[0]?.unknown_users ?? 0),
        };
        await this.step('scan events');
        return { scan, scannedPerEvent: perEvent(sliceSummary, 'rows_scanned') };
      },
      () => this.timeFunnels(() => this.funnelTables(watermark).stageFull(spec.funnels, this.names.users, { table: slice, withFirstVisits: true })),
    );

    return {
      watermark,
      scannedAfter: null,
      scan,
      users,
      inserted,
      updated: 0,
      deleted: martRowsBefore,
      funnels,
      droppedFunnelTables: removedFunnelTables(spec, previous?.funnelTables),
      publishMart: async () => {
        await this.warehouse.replaceTable(spec.mart.table, this.names.mart, ownershipComment('mart'));
      },
      newOrChangedUsers: 0,
      removedUsers: 0,
      usersCheck: 'all users loaded',
      backfilled: [],
      removed: [],
      late: 0,
      deletedSource: 0,
      // The scan read every tracked row at or before the watermark: subtract those after the cutoff.
      countsThrough: async (cutoff) => {
        const around = await this.all(sql.countsAroundCutoff(cutoff, watermark!, cutoff));
        return { all: extent.total - sum(around, 'after_cutoff'), tracked: subtract(pick(scannedPerEvent, spec.events), perEvent(around, 'after_cutoff_through_watermark')) };
      },
    };
  }

  private async stageIncremental(prev: BuildState, extent: SourceExtent, users: UsersSummary): Promise<Staged> {
    const { spec, sql, warehouse } = this;
    const newest = extent.newest;
    const watermark = maxTimestamp(prev.watermark, newest);
    const kept = spec.events.filter((e) => prev.trackedEvents.includes(e));
    const backfilled = spec.events.filter((e) => !prev.trackedEvents.includes(e));
    const removed = prev.trackedEvents.filter((e) => !spec.events.includes(e));

    // Rows that appeared (or vanished) at or before the last cutoff are beyond this build's reach: count them.
    let late = 0;
    let deletedSource = 0;
    let keptThroughPrevCutoff: Record<string, number> = {};
    if (prev.lateCutoff !== null) {
      const allThrough = extent.total - extent.afterPreviousCutoff;
      if (allThrough === prev.rowsThroughLateCutoff) {
        keptThroughPrevCutoff = pick(prev.trackedRowsThroughLateCutoff, kept);
      } else {
        // Something changed there: count the tracked rows exactly (the only full-history read, and only then).
        keptThroughPrevCutoff = pick(perEvent(await this.all(sql.rowsPerEvent(kept, prev.lateCutoff))), kept);
        for (const e of kept) {
          const diff = (keptThroughPrevCutoff[e] ?? 0) - (prev.trackedRowsThroughLateCutoff[e] ?? 0);
          if (diff > 0) late += diff;
          else deletedSource -= diff;
        }
      }
    }

    // Users, and the range's slice of the log: independent, side by side where the engine allows.
    // When none of the users already built changed, only the new ones are read and converted.
    const unchanged = users.oldRows === prev.usersRows && users.oldFingerprint === prev.usersFingerprint;
    const split = watermark === null || prev.lateCutoff === null ? null : minTimestamp(prev.lateCutoff, watermark);
    const [changed] = await together(
      warehouse,
      async () => {
        if (unchanged) {
          // Independent (the empty gone-users table is typed by the user id alone).
          await together(
            warehouse,
            () => this.run1(sql.stageNewUsers(prev.usersWatermark)),
            () => this.run1(sql.stageNoGoneUsers()),
          );
        } else {
          await this.run1(sql.stageChangedUsers());
          await this.run1(sql.stageGoneUsers());
          users.duplicateRows = Number((await this.one(sql.duplicateUserRows())).n);
        }
        const summary = await this.one(sql.changedUsersSummary());
        await this.step('sync users');
        return summary;
      },
      // The range's events (tracked ones and the funnels') read once: the scans and the funnel refresh join this small table.
      () => this.run1(watermark === null ? sql.stageRangeEvents([], null, BEFORE_EVERY_EVENT) : sql.stageRangeEvents(withFunnelEvents(spec, kept), split, watermark)),
    );

    // Three disjoint scans: tracked events after the split, new/changed users' history up to it, new events' full history.
    const scopes: ScanScope[] = [];
    if (watermark !== null) {
      if (kept.length > 0) {
        scopes.push({ events: kept, through: watermark, users: 'range', fromRange: true, ...(split !== null && { after: split }) });
        // Only when some new or moved user's first visit is at or before the split (the usual new users' are after it).
        if (split !== null && changed.earliest !== null && compareTimestamps(String(changed.earliest), split) <= 0) {
          scopes.push({ events: kept, through: split, changedUsersFrom: String(changed.earliest), users: 'range' });
        }
      }
      if (backfilled.length > 0) scopes.push({ events: backfilled, through: watermark, users: 'all' });
    }
    await this.run1(sql.stageRangeUsers(kept, !unchanged));
    await this.run1(sql.stageScan(scopes, kept));
    await this.step('scan events');

    // The mart's delta and the funnel tables' rows both start from the scan: side by side where the engine allows.
    const [{ delta, scan, touched }, funnels] = await together(
      warehouse,
      async () => {
        await this.run1(sql.stageDelta({ removedEvents: removed, users: backfilled.length > 0 ? 'all' : 'range', rebuiltHaveRows: !unchanged, oneScope: scopes.length <= 1 }));
        const delta = await this.one(sql.scanAndDeltaSummary());
        const scan = { rowsScanned: Number(delta.rows_scanned), rowsBeforeFirstVisit: Number(delta.rows_before_first_visit), rowsUnknownUser: Number(delta.rows_unknown_user), unknownUsers: Number(delta.unknown_users) };
        // The users whose stored rows the publish must delete, when few: on the fast path only the
        // delta's 'update' and 'delete' rows name stored keys (its new users have none).
        const storedUsers = Number(delta.stored_users);
        let touched: readonly string[] | 'any' = 'any';
        if (unchanged && storedUsers === 0) touched = [];
        else if (unchanged && storedUsers <= MAX_BOUND_USERS) touched = (await this.all(sql.storedUsersOfDelta())).map((r) => String(r.user_id));
        return { delta, scan, touched };
      },
      // Funnel tables: new, redefined or missing ones (dropped by hand), and every one after a build
      // died mid-publish, in full; the others for the users whose row can change.
      () =>
        this.timeFunnels(async () => {
          const builder = this.funnelTables(watermark);
          const rebuild: typeof spec.funnels = [];
          for (const f of spec.funnels) {
            const table = funnelTableName(spec, f);
            if (prev.publishing || prev.funnelTables[table]?.hash !== funnelDefinitionHash(spec, f) || (await this.catalog.columns(table)) === undefined) rebuild.push(f);
          }
          const refresh = spec.funnels.filter((f) => !rebuild.includes(f));
          const full = [];
          if (rebuild.length > 0) {
            await this.run1(sql.stageCurrentUsers(this.names.allUsers));
            full.push(...(await builder.stageFull(rebuild, this.names.allUsers)));
          }
          const scope = { rangeEvents: this.names.rangeEvents, rangeUsers: this.names.rangeUsers, storedEvents: kept, rangeScan: this.names.scan, changedUsers: this.names.changedUsers, changedEarliest: changed.earliest === null ? null : String(changed.earliest), goneUsers: this.names.goneUsers, after: split };
          return [...full, ...(await builder.stageIncremental(refresh, scope))];
        }),
    );

    const anyChange = Number(delta.inserted) + Number(delta.updated) + Number(delta.deleted) > 0;
    return {
      watermark,
      scannedAfter: split,
      scan,
      users,
      inserted: Number(delta.inserted),
      updated: Number(delta.updated),
      deleted: Number(delta.deleted),
      funnels,
      droppedFunnelTables: removedFunnelTables(spec, prev.funnelTables),
      publishMart: async () => {
        if (!anyChange) return;
        if (warehouse.dialect.capabilities.transactions) {
          for (const s of sql.publishDeltaByDeleteInsert(touched)) await this.run1(s);
        } else {
          await this.run1(sql.publishDeltaByMerge());
        }
      },
      newOrChangedUsers: Number(changed.changed),
      removedUsers: Number(changed.gone),
      usersCheck: unchanged ? 'only new users read (users already built unchanged)' : 'all users compared (users already built changed)',
      backfilled,
      removed,
      late,
      deletedSource,
      countsThrough: async (cutoff) => {
        // Kept events: the count at the previous cutoff moved to the new one by a pruned count between them.
        const simple = prev.lateCutoff !== null && backfilled.length === 0 && compareTimestamps(cutoff, prev.lateCutoff) >= 0;
        const around = await this.all(sql.countsAroundCutoff(cutoff, watermark!, simple ? prev.lateCutoff! : cutoff));
        const tracked = simple ? add(keptThroughPrevCutoff, perEvent(around, 'through_cutoff')) : pick(perEvent(await this.all(sql.rowsPerEvent(spec.events, cutoff))), spec.events);
        return { all: extent.total - sum(around, 'after_cutoff'), tracked: pick(tracked, spec.events) };
      },
    };
  }

  /**
   * What the log looks like now: its newest event after the previous watermark and at or before
   * the horizon, the events past the horizon, its row count and the rows after the previous
   * cutoff. Pruned reads where a filter on datetime skips the log's older rows (small queries, or
   * one scan where each scan has a fixed cost), one pass over all of it where it does not.
   */
  private async sourceExtent(previousWatermark: string | null, previousCutoff: string | null): Promise<SourceExtent> {
    const shape: LogSummaryShape = !(await this.warehouse.prunesByTime(this.spec.sources.events))
      ? 'one-pass'
      : this.warehouse.dialect.capabilities.prunedScanCost === 'per-scan'
        ? 'one-pruned-scan'
        : 'pruned-queries';
    const row = await this.one(this.sql.sourceExtent(this.horizon, previousWatermark, previousCutoff, shape));
    return {
      newest: nullableText(row.newest),
      future: { count: Number(row.future_n), latest: nullableText(row.future_latest), outOfRange: Number(row.future_out_of_range) },
      total: Number(row.total),
      afterPreviousCutoff: Number(row.after_previous_cutoff),
    };
  }

  private async usersSummary(usersWatermark: string | null): Promise<UsersSummary> {
    const row = await this.one(this.sql.usersSummary(usersWatermark));
    return {
      withoutFirstVisit: Number(row.without_first_visit),
      duplicateRows: 0,
      oldRows: Number(row.old_rows),
      oldFingerprint: String(row.old_fingerprint),
      rows: Number(row.all_rows),
      fingerprint: String(row.all_fingerprint),
      newest: nullableText(row.newest),
    };
  }
}

/** The users table as the build found it (the fingerprints of the users already built and of all of them). */
interface UsersSummary {
  withoutFirstVisit: number;
  duplicateRows: number;
  oldRows: number;
  oldFingerprint: string;
  rows: number;
  fingerprint: string;
  newest: string | null;
}

interface SourceExtent {
  newest: string | null;
  future: { count: number; latest: string | null; outOfRange: number };
  total: number;
  afterPreviousCutoff: number;
}

/** Source rows at or before a cutoff, all and per tracked event. */
interface SourceCounts {
  all: number;
  tracked: Record<string, number>;
}

/** What staging produced: the counts for the report and the state, and how to publish it. */
interface Staged {
  watermark: string | null;
  scannedAfter: string | null;
  scan: { rowsScanned: number; rowsBeforeFirstVisit: number; rowsUnknownUser: number; unknownUsers: number };
  users: UsersSummary;
  inserted: number;
  updated: number;
  deleted: number;
  funnels: StagedFunnelTable[];
  /** Tables of funnels removed from the spec since the last build. */
  droppedFunnelTables: string[];
  /** Publishes the mart (the funnel tables and the state follow). */
  publishMart(): Promise<void>;
  newOrChangedUsers: number;
  removedUsers: number;
  usersCheck: string;
  backfilled: string[];
  removed: string[];
  late: number;
  deletedSource: number;
  /** Source rows at or before the new cutoff, all and per tracked event: the next build's late-row check. */
  countsThrough(cutoff: string): Promise<SourceCounts>;
}

async function checkTimezone(warehouse: Warehouse, sql: MartSql, timezone: string): Promise<void> {
  try {
    const probe = sql.probeTimezone();
    await warehouse.query(probe.sql, probe.params);
  } catch (error) {
    throw new UserError('unknown-timezone', `${warehouse.dialect.name} does not know the time zone ${JSON.stringify(timezone)} (spec field timezone): ${(error as Error).message.split('\n')[0]}`);
  }
}

/** `events` and every event a funnel reads, once each: what a build reads from the log. */
const withFunnelEvents = (spec: MetricsSpec, events: readonly string[]) => [...new Set([...events, ...spec.funnels.flatMap((f) => funnelEvents(f))])];
const perEvent = (rows: Row[], column = 'n'): Record<string, number> => Object.fromEntries(rows.map((r) => [String(r.event_name), Number(r[column])]));
const sum = (rows: Row[], column: string) => rows.reduce((n, r) => n + Number(r[column]), 0);
const pick = (counts: Record<string, number>, events: readonly string[]) => Object.fromEntries(events.map((e) => [e, counts[e] ?? 0]));
const add = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((e) => [e, a[e] + (b[e] ?? 0)]));
const subtract = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((e) => [e, a[e] - (b[e] ?? 0)]));
/** A timestamp the engine cast to text, as every engine's rows spell it: no trailing zeros in the fraction (Trino writes `.000000`). */
const nullableText = (v: unknown) => (v === null || v === undefined ? null : String(v).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''));

function describeDuration(d: Duration): string {
  return d.days !== undefined ? `${d.days} day(s)` : `${d.hours} hour(s)`;
}
