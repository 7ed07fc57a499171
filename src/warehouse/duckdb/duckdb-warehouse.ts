import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBMaterializedResult } from '@duckdb/node-api';
import { BuildLockedError, splitTableName, stageThenReplace, tableInfosFromRows, type BuildLock, type BulkColumn, type BulkWriter, type ColumnInfo, type Row, type Statement, type TableInfo, type TypeCategory, type Warehouse } from '../warehouse.ts';
import { DuckDBChunkWriter } from './duckdb-bulk-writer.ts';
import { duckdbDialect } from './duckdb-dialect.ts';

/** Build locks held in this process, per database file. Other processes are kept out by DuckDB's own file lock. */
const heldLocks = new Set<string>();

/**
 * One engine per file in this process. DuckDB's instance cache shares it with Cube's DuckDB
 * driver; asking the cache only once per file also avoids a hang seen when it is asked again
 * after a connection closed.
 */
const instances = new Map<string, Promise<DuckDBInstance>>();

export class DuckDBWarehouse implements Warehouse {
  readonly dialect = duckdbDialect;
  private inTransaction = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    readonly databasePath: string,
  ) {}

  get description(): string {
    return `duckdb ${this.databasePath}`;
  }

  static async open(databasePath: string): Promise<DuckDBWarehouse> {
    const path = databasePath === ':memory:' ? databasePath : resolve(databasePath);
    if (path !== ':memory:') {
      // Each missing level once, from the root down: a recursive mkdirSync retries forever where
      // mkdir answers ENOENT under an existing directory (/proc). connectWarehouse checks the path first.
      const levels: string[] = [];
      for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) levels.unshift(dir);
      for (const dir of levels) {
        try {
          mkdirSync(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the directory ${dir} for the DuckDB file ${path}: ${(error as Error).message}`, { cause: error });
        }
      }
    }
    let instance: DuckDBInstance;
    try {
      if (!instances.has(path)) instances.set(path, DuckDBInstance.fromCache(path));
      instance = await instances.get(path)!;
    } catch (error) {
      instances.delete(path);
      const message = (error as Error).message;
      if (/Could not set lock|Conflicting lock/i.test(message)) {
        const holder = /PID \d+/.exec(message)?.[0];
        throw new BuildLockedError(`${path} is open in another process${holder ? ` (${holder})` : ''}; a build or a Cube server may be running`);
      }
      throw error;
    }
    return new DuckDBWarehouse(await instance.connect(), path);
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql, params as never);
    return toRows(reader);
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    const result: DuckDBMaterializedResult = await this.connection.run(sql, params as never);
    // CREATE TABLE … AS answers with its row count in a `Count` column (rowsChanged is 0 for it).
    if (result.rowsChanged === 0 && result.columnCount === 1 && result.columnName(0) === 'Count') {
      const chunk = await result.fetchChunk();
      if (chunk && chunk.rowCount > 0) return Number(chunk.getColumnValues(0)[0]);
    }
    return Number(result.rowsChanged);
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.inOneTransaction(work);
  }

  private async inOneTransaction<T>(work: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    this.inTransaction = true;
    try {
      const result = await work();
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  /** DuckDB's Appender, on this warehouse's connection (so inside its current transaction). */
  async createBulkWriter(table: string, columns: readonly BulkColumn[]): Promise<BulkWriter> {
    const { schema, table: name } = splitTableName(table);
    return new DuckDBChunkWriter(await this.connection.createAppender(name, schema ?? null), columns);
  }

  /** Other processes are kept out by DuckDB's own lock on the file (see open); this process's other connections by a set. */
  async acquireBuildLock(key: string): Promise<BuildLock> {
    const lockKey = `${this.databasePath}\u0000${key}`;
    if (heldLocks.has(lockKey)) throw new BuildLockedError(`${key} in ${this.databasePath}, same process`);
    heldLocks.add(lockKey);
    return { release: async () => void heldLocks.delete(lockKey) };
  }

  async replaceTable(target: string, staged: string, comment: string): Promise<void> {
    const q = this.dialect.quoteIdentifier;
    // A transaction (the build's own, or a short one of its own here) which the ownership mark
    // joins: readers see the old table until COMMIT, then the new one, never without its mark.
    const swap = async () => {
      await this.run(`DROP TABLE IF EXISTS ${q(target)}`);
      await this.run(`ALTER TABLE ${q(staged)} RENAME TO ${q(splitTableName(target).table)}`);
      await this.setTableComment(target, comment);
    };
    await (this.inTransaction ? swap() : this.inOneTransaction(swap));
  }

  async replaceTableWith(target: string, select: Statement, comment: string, staging: string): Promise<void> {
    await stageThenReplace(this, target, select, comment, staging);
  }

  /** DuckDB keeps a table's statistics as it writes it. */
  async refreshStatistics(): Promise<void> {}

  /** Always: every row group keeps min/max zone maps, and COUNT(*) comes from metadata. */
  async prunesByTime(): Promise<boolean> {
    return true;
  }

  /**
   * FSST and dictionary analysis of string columns costs about as much as the build's scan; a
   * build's tables are rewritten often and read by aggregate queries, so it writes them without.
   * Before the setting is restored, a CHECKPOINT moves the build's rows from the log into the file
   * under it too: else the checkpoint that follows (when the CLI closes the file, or at the next
   * 16 MiB of log) runs that analysis on them, which cost about twice as much at 10M events.
   */
  async tuneForBulkWrites(): Promise<() => Promise<void>> {
    const [{ value }] = await this.query(`SELECT current_setting('disabled_compression_methods') AS value`);
    await this.run(`SET disabled_compression_methods = 'fsst,dictionary'`);
    return async () => {
      try {
        await this.checkpoint();
      } finally {
        await this.run(`SET disabled_compression_methods = ${this.dialect.quoteLiteral(String(value ?? ''))}`);
      }
    };
  }

  /** A checkpoint, skipped while another connection of this process writes: its commit is durable in the log anyway, and DuckDB checkpoints later. */
  private async checkpoint(): Promise<void> {
    try {
      await this.run('CHECKPOINT');
    } catch (error) {
      if (!/Cannot CHECKPOINT/i.test((error as Error).message)) throw error;
    }
  }

  /** One call: DuckDB runs a script of statements in one round trip. */
  async dropTables(tables: readonly string[]): Promise<void> {
    if (tables.length > 0) await this.connection.run(tables.map((t) => `DROP TABLE IF EXISTS ${this.dialect.quoteIdentifier(t)}`).join(';\n'));
  }

  async tableComment(table: string): Promise<string | null> {
    const { schema, table: name } = splitTableName(table);
    const rows = await this.query(`SELECT comment FROM duckdb_tables() WHERE table_name = $1 AND schema_name = COALESCE($2, current_schema()) AND database_name = current_database()`, [name, schema ?? null]);
    return rows.length === 0 || rows[0].comment === null ? null : String(rows[0].comment);
  }

  async setTableComment(table: string, comment: string): Promise<void> {
    await this.run(`COMMENT ON TABLE ${this.dialect.quoteIdentifier(table)} IS ${this.dialect.quoteLiteral(comment)}`);
  }

  async tablesWithPrefix(table: string, prefix: string): Promise<string[]> {
    const { schema } = splitTableName(table);
    const rows = await this.query(
      `SELECT table_name FROM duckdb_tables() WHERE schema_name = COALESCE($1, current_schema()) AND database_name = current_database() AND starts_with(table_name, $2) ORDER BY table_name`,
      [schema ?? null, prefix],
    );
    return rows.map((r) => (schema ? `${schema}.${r.table_name}` : String(r.table_name)));
  }

  async columns(table: string): Promise<ColumnInfo[] | undefined> {
    // duckdb_columns() rather than information_schema: the same answer, without building every view of the catalog.
    const { schema, table: name } = splitTableName(table);
    const rows = await this.query(
      `SELECT column_name, data_type FROM duckdb_columns()
       WHERE table_name = $1 AND schema_name = COALESCE($2, current_schema()) AND database_name = current_database()
       ORDER BY column_index`,
      [name, schema ?? null],
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: String(r.column_name), dataType: String(r.data_type), category: categorize(String(r.data_type)) }));
  }

  /** Every table's columns and comment in one catalog query (views have columns and no comment, as in tableComment). */
  async describeTables(tables: readonly string[]): Promise<Map<string, TableInfo>> {
    const names = [...new Set(tables)];
    if (names.length === 0) return new Map();
    const params: (string | null)[] = [];
    const matches = names.map((table, i) => {
      const { schema, table: name } = splitTableName(table);
      params.push(name, schema ?? null);
      return `WHEN c.table_name = $${2 * i + 1} AND c.schema_name = COALESCE($${2 * i + 2}, current_schema()) THEN ${i}`;
    });
    const rows = await this.query(
      `SELECT * FROM (
         SELECT CASE ${matches.join(' ')} END AS requested, c.column_name, c.data_type, c.column_index, t.comment
         FROM duckdb_columns() AS c
         LEFT JOIN duckdb_tables() AS t ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
         WHERE c.database_name = current_database()
       ) WHERE requested IS NOT NULL
       ORDER BY requested, column_index`,
      params,
    );
    return tableInfosFromRows(names, rows, categorize);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
  }
}

function categorize(type: string): TypeCategory {
  const t = type.toUpperCase();
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'timestamptz';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'DATE') return 'date';
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(')) return 'string';
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/.test(t)) return 'integer';
  return 'other';
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT']);

/** JSON-friendly rows, with integer columns as numbers to match the PostgreSQL adapter. */
function toRows(reader: { getRowObjectsJson(): unknown[]; columnNames(): string[]; columnTypes(): { toString(): string }[] }): Row[] {
  const integerColumns = reader
    .columnNames()
    .filter((_, i) => INTEGER_TYPES.has(reader.columnTypes()[i].toString()));
  const rows = reader.getRowObjectsJson() as Row[];
  for (const row of rows) {
    for (const column of integerColumns) {
      if (row[column] !== null) row[column] = Number(row[column]);
    }
  }
  return rows;
}
