/**
 * Build-scoped scratch tables: real tables (distributed warehouses have no temporary ones) with
 * names unique to one build, marked as the builder's own, dropped when the build ends; a build
 * that crashed leaves some behind, and the next build (holding the lock) drops them first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { splitTableName, type Warehouse } from '../warehouse/warehouse.ts';

/** Every builder-owned name starts so (scratch tables, and Trino's lock table `_am_build_locks`). */
export const SCRATCH_PREFIX = '_am_';
const SCRATCH_NAME = /^_am_[0-9a-f]{8}_[0-9a-f]{8}_/;

/** A scratch table of some build (`_am_<mart hash>_<build id>_<role>`), not another `_am_` table. */
export function isScratchTable(table: string): boolean {
  return SCRATCH_NAME.test(splitTableName(table).table);
}

export class ScratchTables {
  /** `_am_<hash of the mart's name>_`: short (PostgreSQL keeps 63 characters), and the same for every build of one mart. */
  private readonly prefix: string;
  private readonly buildId = randomBytes(4).toString('hex');
  private readonly schema: string | undefined;

  constructor(
    private readonly warehouse: Warehouse,
    mart: string,
  ) {
    this.prefix = `${SCRATCH_PREFIX}${createHash('sha256').update(mart).digest('hex').slice(0, 8)}_`;
    this.schema = splitTableName(mart).schema;
  }

  /** The temporary scratch tables' names this build handed out. */
  private readonly temporary = new Set<string>();
  /** Those created and not yet dropped (the only temporary tables dropAll must drop: a crashed session's are gone with it). */
  private readonly liveTemporary = new Set<string>();

  /** The scratch table `role` of this build, in the mart's schema: one the build publishes (renames into place). */
  name(role: string): string {
    const table = `${this.prefix}${this.buildId}_${role}`;
    return this.schema ? `${this.schema}.${table}` : table;
  }

  /**
   * An intermediate scratch table (never published): a temporary table where the engine has them
   * (cheaper to write, gone with the session), else the same as name().
   */
  intermediate(role: string): string {
    if (!this.warehouse.dialect.capabilities.tempTables) return this.name(role);
    const table = `${this.prefix}${this.buildId}_${role}`;
    this.temporary.add(table);
    return table;
  }

  /** `CREATE [TEMP] TABLE <name>`: temporary for the names intermediate() gave. */
  create(table: string): string {
    const temporary = this.temporary.has(table);
    if (temporary) this.liveTemporary.add(table);
    return `CREATE ${temporary ? 'TEMP ' : ''}TABLE ${this.warehouse.dialect.quoteIdentifier(table)}`;
  }

  /** Drops every scratch table of this mart, this build's and crashed builds' (only ever called under the build lock). */
  async dropAll(): Promise<number> {
    const tables = [...(await this.warehouse.tablesWithPrefix(this.name('x'), this.prefix)), ...this.liveTemporary];
    await this.warehouse.dropTables(tables);
    this.liveTemporary.clear();
    return tables.length;
  }
}
