import pg from 'pg';
import { BuildLockedError, splitTableName, type ColumnInfo, type Row, type TypeCategory, type Warehouse } from '../warehouse.ts';
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

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const result = await work();
      await this.client.query('COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async lockForBuild(key: string): Promise<void> {
    // A transaction-scoped advisory lock: released by COMMIT, ROLLBACK or a dropped connection.
    const [row] = await this.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [`activation-metrics:${key}`]);
    if (!row.locked) throw new BuildLockedError(`advisory lock on ${key} is held by another session`);
  }

  async columns(table: string): Promise<ColumnInfo[] | undefined> {
    const { schema, table: name } = splitTableName(table);
    const rows = await this.query(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_name = $1 AND table_schema = COALESCE($2, current_schema())
       ORDER BY ordinal_position`,
      [name, schema ?? null],
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: String(r.column_name), dataType: String(r.data_type), category: categorize(String(r.data_type)) }));
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

function categorize(type: string): TypeCategory {
  if (type === 'timestamp without time zone') return 'timestamp';
  if (type === 'timestamp with time zone') return 'timestamptz';
  if (type === 'date') return 'date';
  if (type === 'text' || type === 'character varying' || type === 'character') return 'string';
  if (type === 'integer' || type === 'bigint' || type === 'smallint') return 'integer';
  return 'other';
}
