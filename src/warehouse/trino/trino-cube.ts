/**
 * Cube's Trino driver and query class, as this project uses them (erasable TypeScript: cube.js loads it).
 */
import { PrestodbQuery } from '@cubejs-backend/schema-compiler';
import { TrinoDriver } from '@cubejs-backend/trino-driver';
import { withUtcShortcut } from '../../query/utc-session-query.ts';
import type { TrinoConfig } from './trino-config.ts';

interface PrestoClient {
  execute(options: Record<string, unknown>): void;
}

/**
 * Cube's Trino driver with three fixes. Cube 1.7's PrestoDriver prepends every result page to the
 * rows before it (ramda `concat(page, rows)`), so a result longer than one page comes back out of
 * order, ORDER BY or not; this one appends. And every session runs in UTC (the warehouse holds naive
 * UTC timestamps, and Cube's SQL converts time zones relative to the session's).
 */
export class OrderedTrinoDriver extends TrinoDriver {
  constructor(config: TrinoConfig) {
    // Cube's PrestoDriver reads CUBEJS_DB_NAME and CUBEJS_DB_PRESTO_CATALOG from process.env, else calls the
    // deprecated getters, which warn on every construction even though the config below names both; the two
    // variables are set for the call and restored after it.
    const saved = { CUBEJS_DB_NAME: process.env.CUBEJS_DB_NAME, CUBEJS_DB_PRESTO_CATALOG: process.env.CUBEJS_DB_PRESTO_CATALOG };
    process.env.CUBEJS_DB_NAME = config.schema;
    process.env.CUBEJS_DB_PRESTO_CATALOG = config.catalog;
    super({
      host: config.host,
      port: String(config.port),
      catalog: config.catalog,
      schema: config.schema,
      user: config.user,
      ...(config.password !== undefined && { basic_auth: { user: config.user, password: config.password } }),
      ...(config.ssl && { ssl: {} }),
      headers: { 'X-Trino-Time-Zone': 'UTC' },
      // presto-client sleeps 800 ms before every poll of a running query; Trino's server already holds each
      // poll open until there is progress, so a short pause loses nothing and saves seconds per query.
      checkInterval: 20,
    } as never);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }

  override queryPromised(query: string, streaming: boolean): ReturnType<TrinoDriver['queryPromised']> {
    if (streaming) return super.queryPromised(query, streaming);
    const self = this as unknown as { client: PrestoClient; config: { schema?: string; headers?: Record<string, string> }; normalizeResultOverColumns(data: unknown, columns: unknown): Record<string, unknown>[] };
    return new Promise((resolve, reject) => {
      const rows: Record<string, unknown>[] = [];
      self.client.execute({
        query,
        schema: self.config.schema || 'default',
        headers: self.config.headers,
        data: (_error: unknown, data: unknown, columns: unknown) => {
          for (const row of self.normalizeResultOverColumns(data, columns)) rows.push(row);
        },
        success: () => resolve(rows),
        error: (error: { message: string; error?: string }) => reject(new Error(error.error ? `${error.message}\n${error.error}` : error.message)),
      });
    });
  }
}

export const UtcTrinoQuery = withUtcShortcut(PrestodbQuery as never);
