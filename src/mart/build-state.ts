/**
 * What the builder built, kept in the warehouse beside the mart and written in the same
 * transaction as the data, so state always follows data.
 */
import { createHash } from 'node:crypto';
import type { MetricsSpec } from '../spec/spec-types.ts';
import { BoundParams } from '../warehouse/bound-params.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

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
  /** Source rows of the tracked events at or before lateCutoff when the state was written. */
  rowsThroughLateCutoff: number;
  /** describeDefinition() of the build that wrote this state, to say what changed. */
  definition: string;
  /** Goes up by one with every build that changed the mart: the refresh key of Cube's rollups. */
  dataVersion: number;
}

export function definitionHash(spec: MetricsSpec, userIdType: string): string {
  const definition = { semantics: SEMANTICS_VERSION, timezone: spec.timezone, events: spec.sources.events, users: spec.sources.users, userIdType };
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16);
}

/** The definition in words, stored with the state so a later rebuild can say what changed. */
export function describeDefinition(spec: MetricsSpec, userIdType: string): string {
  return `timezone ${spec.timezone}, sources ${spec.sources.events} + ${spec.sources.users}, user_id ${userIdType}`;
}

export class BuildStateStore {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly table: string,
  ) {}

  private get quoted() {
    return this.warehouse.dialect.quoteIdentifier(this.table);
  }

  async ensureTable(): Promise<void> {
    const { string, timestamp, bigint } = this.warehouse.dialect.types;
    await this.warehouse.run(
      `CREATE TABLE IF NOT EXISTS ${this.quoted} (definition_hash ${string} NOT NULL, tracked_events ${string} NOT NULL, watermark ${timestamp}, late_cutoff ${timestamp}, rows_through_late_cutoff ${bigint} NOT NULL, definition ${string} NOT NULL, data_version ${bigint} NOT NULL)`,
    );
  }

  /** The stored state; undefined when there is none, or when it was written by an older layout (a full refresh follows). */
  async read(): Promise<BuildState | undefined> {
    const columns = await this.warehouse.columns(this.table);
    if (!columns) return undefined;
    if (!columns.some((c) => c.name === 'data_version')) {
      await this.warehouse.run(`DROP TABLE ${this.quoted}`);
      await this.ensureTable();
      return undefined;
    }
    const rows = await this.warehouse.query(`SELECT * FROM ${this.quoted}`);
    if (rows.length !== 1) return undefined;
    const [row] = rows;
    return {
      definitionHash: String(row.definition_hash),
      trackedEvents: JSON.parse(String(row.tracked_events)) as string[],
      watermark: row.watermark === null ? null : String(row.watermark),
      lateCutoff: row.late_cutoff === null ? null : String(row.late_cutoff),
      rowsThroughLateCutoff: Number(row.rows_through_late_cutoff),
      definition: String(row.definition),
      dataVersion: Number(row.data_version),
    };
  }

  async write(state: BuildState): Promise<void> {
    const p = new BoundParams(this.warehouse.dialect);
    const { timestamp } = this.warehouse.dialect.types;
    await this.warehouse.run(`DELETE FROM ${this.quoted}`);
    await this.warehouse.run(
      `INSERT INTO ${this.quoted} VALUES (${p.bind(state.definitionHash)}, ${p.bind(JSON.stringify(state.trackedEvents))}, ${p.bind(state.watermark, timestamp)}, ${p.bind(state.lateCutoff, timestamp)}, ${p.bind(state.rowsThroughLateCutoff)}, ${p.bind(state.definition)}, ${p.bind(state.dataVersion)})`,
      p.values,
    );
  }
}
