import pg from 'pg';
import { BuildLockedError, splitTableName, stageThenReplace, tableInfosFromRows, type BuildLock, type BulkColumn, type BulkWriter, type ColumnInfo, type Row, type Statement, type TableInfo, type TypeCategory, type Warehouse } from '../warehouse.ts';
import { UnnestWriter } from './postgres-bulk-writer.ts';
import { postgresDialect } from './postgres-dialect.ts';

export interface PostgresConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
}

// Dates and timestamps stay as the server's text, bigints become numbers: the same row shape as DuckDB.
const passText = (value: string) => value;
const typeParsers: Record<number, (value: string) => unknown> = {
  20: Number, // int8
  1082: passText, // date
  1114: passText, // timestamp
  1184: passText, // timestamptz
};

export class PostgresWarehouse implements Warehouse {
  readonly dialect = postgresDialect;
  private inTransaction = false;

  private constructor(
    private readonly client: pg.Client,
    readonly description: string,
  ) {}

  static async open(config: PostgresConfig): Promise<PostgresWarehouse> {
    const client = new pg.Client({
      ...config,
      types: { getTypeParser: ((oid: number, format?: string) => typeParsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as never },
    });
    await client.connect();
    // The builder's SQL never depends on the session zone, but a fixed one keeps casts predictable.
    await client.query(`SET TIME ZONE 'UTC'`);
    return new PostgresWarehouse(client, `postgres ${config.user}@${config.host}:${config.port}/${config.database}`);
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.client.query(sql, params)).rows as Row[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(sql, params)).rowCount ?? 0;
  }

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.inOneTransaction(work);
  }

  private async inOneTransaction<T>(work: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    this.inTransaction = true;
    try {
      const result = await work();
      await this.client.query('COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  /**
   * A session-level advisory lock: released by release(), or by the server when the session ends
   * (a killed client's session ends once the server notices, usually within a second or two).
   */
  async acquireBuildLock(key: string): Promise<BuildLock> {
    const lockKey = `activation-metrics:${key}`;
    const [row] = await this.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [lockKey]);
    if (!row.locked) throw new BuildLockedError(await this.describeLockHolder(lockKey, key));
    let held = true;
    return {
      release: async () => {
        if (!held) return;
        held = false;
        await this.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch(() => undefined);
      },
    };
  }

  /** Who holds the lock, from pg_stat_activity: a killed client's session may still be finishing its last statement. */
  private async describeLockHolder(lockKey: string, key: string): Promise<string> {
    const rows = await this.query(
      `WITH k AS (SELECT hashtextextended($1, 0) AS key)
       SELECT a.pid, a.state, EXTRACT(EPOCH FROM (now() - a.state_change)) AS seconds
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid, k
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
         AND CAST(l.classid AS BIGINT) = ((k.key >> 32) & 4294967295) AND CAST(l.objid AS BIGINT) = (k.key & 4294967295)
       LIMIT 1`,
      [lockKey],
    ).catch(() => []);
    if (rows.length === 0) return `advisory lock on ${key} is held by another session`;
    const [h] = rows;
    return `advisory lock on ${key} is held by PostgreSQL backend pid ${h.pid} (state ${h.state ?? 'unknown'} for ${Math.round(Number(h.seconds ?? 0))} s); if no build is running, that session belongs to a build that was killed and ends when the server notices, or end it with SELECT pg_terminate_backend(${h.pid})`;
  }

  async replaceTable(target: string, staged: string, comment: string): Promise<void> {
    const q = this.dialect.quoteIdentifier;
    // PostgreSQL's atomic replace is a transaction (the build's own, or a short one of its own
    // here), which the ownership mark joins: the new table never shows without it.
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

  async refreshStatistics(table: string): Promise<void> {
    await this.run(`ANALYZE ${this.dialect.quoteIdentifier(table)}`);
  }

  /**
   * A heap table has no zone maps: a filter on datetime skips rows only through an index whose
   * first column is datetime (B-tree or BRIN, over the whole table) or range partitions on it.
   * Without one, every query on the log reads all of it, and COUNT(*) does with either.
   */
  async prunesByTime(table: string): Promise<boolean> {
    const [row] = await this.query(
      `SELECT EXISTS (
  SELECT 1 FROM pg_index AS i
  JOIN pg_class AS ic ON ic.oid = i.indexrelid
  JOIN pg_am AS am ON am.oid = ic.relam
  JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
  WHERE i.indrelid = to_regclass($1) AND i.indisvalid AND i.indpred IS NULL AND am.amname IN ('btree', 'brin') AND a.attname = 'datetime'
) OR EXISTS (
  SELECT 1 FROM pg_partitioned_table AS pt
  JOIN pg_attribute AS a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
  WHERE pt.partrelid = to_regclass($1) AND pt.partstrat = 'r' AND a.attname = 'datetime'
) AS prunes`,
      [this.dialect.quoteIdentifier(table)],
    );
    return row.prunes === true;
  }

  /** Nothing to tune: PostgreSQL writes heap tables without compression analysis. */
  async tuneForBulkWrites(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  /** One statement: PostgreSQL's DROP TABLE takes a list. */
  async dropTables(tables: readonly string[]): Promise<void> {
    if (tables.length > 0) await this.run(`DROP TABLE IF EXISTS ${tables.map((t) => this.dialect.quoteIdentifier(t)).join(', ')}`);
  }

  async tableComment(table: string): Promise<string | null> {
    const [row] = await this.query(`SELECT obj_description(to_regclass($1), 'pg_class') AS comment`, [this.dialect.quoteIdentifier(table)]);
    return row?.comment === null || row?.comment === undefined ? null : String(row.comment);
  }

  async setTableComment(table: string, comment: string): Promise<void> {
    await this.run(`COMMENT ON TABLE ${this.dialect.quoteIdentifier(table)} IS ${this.dialect.quoteLiteral(comment)}`);
  }

  async tablesWithPrefix(table: string, prefix: string): Promise<string[]> {
    const { schema } = splitTableName(table);
    const rows = await this.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = COALESCE($1, current_schema()) AND left(table_name, length($2)) = $2 ORDER BY table_name`,
      [schema ?? null, prefix],
    );
    return rows.map((r) => (schema ? `${schema}.${r.table_name}` : String(r.table_name)));
  }

  async columns(table: string): Promise<ColumnInfo[] | undefined> {
    // format_type gives the full type (character(10), not character), so a copied type stays exact.
    const rows = await this.query(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type
       FROM pg_attribute AS a
       WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`,
      [this.dialect.quoteIdentifier(table)],
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: String(r.column_name), dataType: String(r.data_type), category: categorize(String(r.data_type)) }));
  }

  /** Every table's columns (exact types, as columns()) and comment in one catalog query. */
  async describeTables(tables: readonly string[]): Promise<Map<string, TableInfo>> {
    const names = [...new Set(tables)];
    if (names.length === 0) return new Map();
    const rows = await this.query(
      `SELECT n.i - 1 AS requested, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type, obj_description(a.attrelid, 'pg_class') AS comment
       FROM unnest($1::text[]) WITH ORDINALITY AS n(name, i)
       JOIN pg_attribute AS a ON a.attrelid = to_regclass(n.name) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY n.i, a.attnum`,
      [names.map((t) => this.dialect.quoteIdentifier(t))],
    );
    return tableInfosFromRows(names, rows, categorize);
  }

  async createBulkWriter(table: string, columns: readonly BulkColumn[]): Promise<BulkWriter> {
    return new UnnestWriter(this, table, columns);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

function categorize(type: string): TypeCategory {
  const base = type.replace(/\(\d+(,\d+)?\)/, '');
  if (base === 'timestamp without time zone') return 'timestamp';
  if (base === 'timestamp with time zone') return 'timestamptz';
  if (base === 'date') return 'date';
  if (base === 'text' || base === 'character varying' || base === 'character') return 'string';
  if (base === 'integer' || base === 'bigint' || base === 'smallint') return 'integer';
  return 'other';
}
