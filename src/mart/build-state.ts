/**
 * What the builder built, kept in the warehouse beside the mart: one row, replaced as a whole
 * (Warehouse.replaceTableWith), so a crash never leaves half a state. It is written
 * after the data is published; inside the build's transaction where the engine has one.
 */
import { createHash } from 'node:crypto';
import type { MetricsSpec } from '../spec/spec-types.ts';
import { BoundParams } from '../warehouse/bound-params.ts';
import type { TableCatalog, Warehouse } from '../warehouse/warehouse.ts';
import type { FunnelTablesState } from './funnel-tables.ts';
import { ownershipComment } from './ownership.ts';

/** Bump when the mart's meaning changes: existing marts are then rebuilt in full. */
const SEMANTICS_VERSION = 1;

export interface BuildState {
  /** Hash of everything that changes existing rows' meaning (time zone, sources, user_id type). */
  definitionHash: string;
  trackedEvents: string[];
  /** Newest source event datetime (UTC) the mart covers; null when the source was empty. */
  watermark: string | null;
  /** The next incremental build re-scans after this point; events at or before it that arrive later are too late. */
  lateCutoff: string | null;
  /** Source rows (every event name) at or before lateCutoff: a changed count means rows arrived or vanished there. */
  rowsThroughLateCutoff: number;
  /** Per tracked event, source rows at or before lateCutoff: which of those changes matter to the mart. */
  trackedRowsThroughLateCutoff: Record<string, number>;
  /** Newest first_datetime of the users built; later users are new. */
  usersWatermark: string | null;
  /** Usable users rows at or before usersWatermark, and their fingerprint: unchanged means no user already built changed. */
  usersRows: number;
  usersFingerprint: string;
  /** describeDefinition() of the build that wrote this state, to say what changed. */
  definition: string;
  /** Goes up by one with every build that changed the mart: the refresh key of Cube's rollups. */
  dataVersion: number;
  /**
   * Set just before an engine without transactions publishes, cleared by the state written after:
   * if the build died in between, the mart may have changed, so the next build bumps dataVersion.
   */
  publishing: boolean;
  /** The funnel tables built, each with the hash of its funnel's definition (a changed one is rebuilt in full). */
  funnelTables: FunnelTablesState;
}

export function definitionHash(spec: MetricsSpec, userIdType: string): string {
  const definition = { semantics: SEMANTICS_VERSION, timezone: spec.timezone, events: spec.sources.events, users: spec.sources.users, userIdType };
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16);
}

/** The definition in words, stored with the state so a later rebuild can say what changed. */
export function describeDefinition(spec: MetricsSpec, userIdType: string): string {
  return `timezone ${spec.timezone}, sources ${spec.sources.events} + ${spec.sources.users}, user_id ${userIdType}`;
}

/** The state table's columns, in order. */
const COLUMNS = [
  'definition_hash',
  'tracked_events',
  'watermark',
  'late_cutoff',
  'rows_through_late_cutoff',
  'tracked_rows_through_late_cutoff',
  'users_watermark',
  'users_rows',
  'users_fingerprint',
  'definition',
  'data_version',
  'publishing',
  'funnel_tables',
] as const;

/** Column sets of states written by earlier versions: still recognised as this project's own table. */
export const LEGACY_STATE_COLUMNS = [
  ['definition_hash', 'tracked_events', 'watermark', 'late_cutoff', 'rows_through_late_cutoff', 'definition', 'data_version'],
  ['definition_hash', 'tracked_events', 'watermark', 'late_cutoff', 'rows_through_late_cutoff', 'definition'],
];
export const STATE_COLUMNS: readonly string[] = COLUMNS;

export class BuildStateStore {
  constructor(
    private readonly warehouse: Warehouse,
    readonly table: string,
    /** Where the table's layout is read (a build's catalog snapshot; by default the warehouse). */
    private readonly catalog: TableCatalog = warehouse,
  ) {}

  /** The stored state; undefined when there is none, or when an earlier layout wrote it (a full refresh follows). */
  async read(): Promise<BuildState | undefined> {
    const columns = await this.catalog.columns(this.table);
    if (!columns || COLUMNS.some((c) => !columns.some((col) => col.name === c))) return undefined;
    const rows = await this.warehouse.query(`SELECT * FROM ${this.warehouse.dialect.quoteIdentifier(this.table)}`);
    if (rows.length !== 1) return undefined;
    const [row] = rows;
    const text = (v: unknown) => (v === null ? null : String(v));
    return {
      definitionHash: String(row.definition_hash),
      trackedEvents: JSON.parse(String(row.tracked_events)) as string[],
      watermark: text(row.watermark),
      lateCutoff: text(row.late_cutoff),
      rowsThroughLateCutoff: Number(row.rows_through_late_cutoff),
      trackedRowsThroughLateCutoff: JSON.parse(String(row.tracked_rows_through_late_cutoff)) as Record<string, number>,
      usersWatermark: text(row.users_watermark),
      usersRows: Number(row.users_rows),
      usersFingerprint: String(row.users_fingerprint),
      definition: String(row.definition),
      dataVersion: Number(row.data_version),
      publishing: row.publishing === true,
      funnelTables: JSON.parse(String(row.funnel_tables)) as FunnelTablesState,
    };
  }

  /**
   * Replaces the stored state with `state` in one step: inside the build's transaction, a DELETE
   * and an INSERT into the table as it is; without transactions (or when the table must be made
   * or has an earlier layout), published by replaceTableWith (staged in the scratch table `staged`
   * where the engine needs a staged table).
   */
  async write(state: BuildState, staged: string): Promise<void> {
    const { warehouse } = this;
    const columns = await this.catalog.columns(this.table);
    const current = columns?.length === COLUMNS.length && COLUMNS.every((c, i) => columns[i].name === c);
    if (warehouse.dialect.capabilities.transactions && current) {
      const q = warehouse.dialect.quoteIdentifier(this.table);
      await warehouse.run(`DELETE FROM ${q}`);
      const { sql, params } = this.select(state);
      await warehouse.run(`INSERT INTO ${q} ${sql}`, params);
      return;
    }
    await warehouse.replaceTableWith(this.table, this.select(state), ownershipComment('build state'), staged);
  }

  /** The state as a one-row SELECT with typed, bound values. */
  private select(state: BuildState): { sql: string; params: unknown[] } {
    const { string, timestamp, bigint, boolean } = this.warehouse.dialect.types;
    const p = new BoundParams(this.warehouse.dialect);
    const values: [unknown, string][] = [
      [state.definitionHash, string],
      [JSON.stringify(state.trackedEvents), string],
      [state.watermark, timestamp],
      [state.lateCutoff, timestamp],
      [state.rowsThroughLateCutoff, bigint],
      [JSON.stringify(state.trackedRowsThroughLateCutoff), string],
      [state.usersWatermark, timestamp],
      [state.usersRows, bigint],
      [state.usersFingerprint, string],
      [state.definition, string],
      [state.dataVersion, bigint],
      [state.publishing, boolean],
      [JSON.stringify(state.funnelTables), string],
    ];
    return { sql: `SELECT ${values.map(([value, type], i) => `${p.bind(value, type)} AS ${COLUMNS[i]}`).join(', ')}`, params: p.values };
  }
}
