/**
 * Trino's connection from Cube's variables. Erasable TypeScript only: cube.js loads it (through
 * trino-engine.ts) with Node's type stripping.
 */
import { UserError } from '../../user-error.ts';

export interface TrinoConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  catalog: string;
  schema: string;
  ssl?: boolean;
}

export function trinoConfigFromEnv(env: Record<string, string | undefined>): TrinoConfig {
  const port = env.CUBEJS_DB_PORT || '8080';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new UserError('bad-environment', `CUBEJS_DB_PORT=${JSON.stringify(port)} is not a port number (1 to 65535)`);
  }
  const catalog = env.CUBEJS_DB_PRESTO_CATALOG;
  if (!catalog) {
    throw new UserError('bad-environment', 'CUBEJS_DB_PRESTO_CATALOG is not set: with CUBEJS_DB_TYPE=trino it names the Trino catalog of the tables (e.g. iceberg)');
  }
  const ssl = (env.CUBEJS_DB_SSL ?? '').trim().toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(ssl)) {
    throw new UserError('bad-environment', `CUBEJS_DB_SSL=${JSON.stringify(env.CUBEJS_DB_SSL)} is not true or false`);
  }
  return {
    host: env.CUBEJS_DB_HOST || 'localhost',
    port: Number(port),
    user: env.CUBEJS_DB_USER || 'activation',
    ...(env.CUBEJS_DB_PASS !== undefined && env.CUBEJS_DB_PASS !== '' && { password: env.CUBEJS_DB_PASS }),
    catalog,
    // CUBEJS_DB_SCHEMA as Cube's Trino docs name it; Cube 1.7's driver also reads CUBEJS_DB_NAME (and calls the former deprecated).
    schema: env.CUBEJS_DB_SCHEMA || env.CUBEJS_DB_NAME || 'default',
    ssl: ssl === 'true' || ssl === '1',
  };
}
