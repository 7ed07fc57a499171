/**
 * PostgreSQL from Cube's CUBEJS_DB_HOST/PORT/NAME/USER/PASS, and its connection failures as
 * messages that name the variable to fix.
 */
import pg from 'pg';
import { UserError } from '../../user-error.ts';
import type { WarehouseEnv } from '../engine.ts';
import type { PostgresConfig } from './postgres-warehouse.ts';

export function postgresConfigFromEnv(env: WarehouseEnv = process.env): PostgresConfig {
  const port = env.CUBEJS_DB_PORT || '5432';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new UserError('bad-environment', `CUBEJS_DB_PORT=${JSON.stringify(port)} is not a port number (1 to 65535)`);
  }
  return {
    host: env.CUBEJS_DB_HOST || 'localhost',
    port: Number(port),
    database: env.CUBEJS_DB_NAME || 'postgres',
    user: env.CUBEJS_DB_USER || 'postgres',
    ...(env.CUBEJS_DB_PASS !== undefined && { password: env.CUBEJS_DB_PASS }),
  };
}

const reachable = new Map<string, Promise<void>>();

/**
 * Connects once (per configuration and process) to check that PostgreSQL answers, for callers that
 * reach it through Cube's pooled driver, whose pool hides the cause behind a 20-second
 * "ResourceRequest timed out". Throws the UserError of explainPostgresError.
 */
export function checkPostgresReachable(config: PostgresConfig): Promise<void> {
  const key = JSON.stringify(config);
  let check = reachable.get(key);
  if (!check) {
    check = (async () => {
      const client = new pg.Client({ ...config, connectionTimeoutMillis: 15_000 });
      try {
        await client.connect();
      } catch (error) {
        reachable.delete(key);
        throw explainPostgresError(error, config) ?? error;
      } finally {
        await client.end().catch(() => undefined);
      }
    })();
    reachable.set(key, check);
  }
  return check;
}

const POSTGRES_HINT = 'check CUBEJS_DB_HOST, CUBEJS_DB_PORT, CUBEJS_DB_NAME, CUBEJS_DB_USER and CUBEJS_DB_PASS';

/** A connection failure of PostgreSQL, as a UserError naming the variable to fix; undefined when `error` is something else. */
export function explainPostgresError(error: unknown, config: PostgresConfig): UserError | undefined {
  const e = error as { code?: string; message?: string };
  const at = `${config.host}:${config.port}`;
  switch (e?.code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new UserError('postgres-unreachable', `PostgreSQL is not reachable at ${at} (CUBEJS_DB_HOST=${config.host}, CUBEJS_DB_PORT=${config.port}): ${e.code}. Is the server running? Otherwise ${POSTGRES_HINT}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError('postgres-unreachable', `PostgreSQL host ${JSON.stringify(config.host)} not found (CUBEJS_DB_HOST): ${e.code}`);
    case '3D000':
      return new UserError('postgres-no-database', `database ${JSON.stringify(config.database)} does not exist on ${at} (CUBEJS_DB_NAME=${config.database}); create it or point CUBEJS_DB_NAME at an existing one`);
    case '28P01':
    case '28000':
      return new UserError('postgres-auth', `PostgreSQL refused user ${JSON.stringify(config.user)} on ${at} (CUBEJS_DB_USER, CUBEJS_DB_PASS): ${e.message}`);
    case '57P03':
      return new UserError('postgres-unreachable', `PostgreSQL at ${at} is starting up or shutting down (${e.message}); try again shortly`);
    default:
      if (/timeout|terminated unexpectedly|Connection terminated/i.test(e?.message ?? '')) {
        return new UserError('postgres-unreachable', `PostgreSQL at ${at} did not answer (${e?.message}); ${POSTGRES_HINT}`);
      }
      return undefined;
  }
}
