/**
 * Cube 1.7 configuration for activation-metrics (loaded by `npm start` / `activation serve`, and
 * by Cube's own `cubejs-server` the same way: the default export of ./cube.js).
 *
 * - Data source: Cube's usual CUBEJS_DB_* variables. CUBEJS_DB_TYPE defaults to duckdb, the file
 *   `activation build` writes (CUBEJS_DB_DUCKDB_DATABASE_PATH, default data/activation.duckdb).
 *   Cube 1.7 has no `dbType` option: the driver config returned below carries the type.
 * - Auth: REST/GraphQL need a JWT signed with CUBEJS_API_SECRET (Cube's standard checkAuth);
 *   outside dev mode this file refuses a missing secret, or one of fewer than 32 non-whitespace
 *   characters. The SQL API's user and password come from CUBEJS_SQL_USER / CUBEJS_SQL_PASSWORD;
 *   without them it accepts nobody.
 * - No Cube Store: cache and queue in memory, pre-aggregations `external: false` (declared in the
 *   generated model) are built inside the warehouse itself. At scale, run a Cube Store cluster
 *   (CUBEJS_CUBESTORE_HOST) and set CUBEJS_EXTERNAL_DEFAULT=true instead.
 */
import { engineDefinition } from './src/warehouse/registry.ts';

const env = process.env;
const devMode = env.CUBEJS_DEV_MODE === 'true';

/** The shortest CUBEJS_API_SECRET accepted outside dev mode, counted without whitespace: a short secret lets anyone forge tokens by guessing it. */
const MIN_API_SECRET_LENGTH = 32;

if (!devMode) {
  const secret = env.CUBEJS_API_SECRET ?? '';
  const strength = secret.replace(/\s/g, '').length;
  if (strength < MIN_API_SECRET_LENGTH) {
    throw new Error(
      `${secret ? `CUBEJS_API_SECRET is too short (${strength} non-whitespace characters; at least ${MIN_API_SECRET_LENGTH} are required)` : 'CUBEJS_API_SECRET is not set'}. ` +
        'Cube signs and checks REST API tokens (JWT) with it; without a strong one anyone could query. ' +
        'Set CUBEJS_API_SECRET to a long random string (e.g. `openssl rand -hex 32`), or CUBEJS_DEV_MODE=true on a development machine.',
    );
  }
}

// The engine's definition (src/warehouse/<engine>/): Cube's driver config and query class for it.
const engine = engineDefinition(env);
const QueryClass = await engine.cubeQueryClass();

export default {
  schemaPath: env.CUBEJS_SCHEMA_PATH || 'model',
  apiSecret: env.CUBEJS_API_SECRET,
  telemetry: false,

  driverFactory: () => engine.cubeServerDriver(env),

  // Cube's query class, without the row-by-row time-zone conversion of UTC queries (the sessions run in UTC).
  dialectFactory: () => QueryClass,

  // No Cube Store on the embedded default: keep Cube's cache and query queue in process memory.
  cacheAndQueueDriver: 'memory',
  // Keep rollups fresh without a separate refresh worker (single-instance deployments).
  scheduledRefreshTimer: env.CUBEJS_REFRESH_WORKER === 'false' ? false : 60,

  pgSqlPort: Number(env.CUBEJS_PG_SQL_PORT || 15432),
  checkSqlAuth: async (_req, user) => {
    const expectedUser = env.CUBEJS_SQL_USER;
    const expectedPassword = env.CUBEJS_SQL_PASSWORD;
    if (!expectedUser || !expectedPassword || user !== expectedUser) {
      throw new Error('Incorrect user name or password');
    }
    // Cube compares this password with the one the client sent.
    return { password: expectedPassword, securityContext: {} };
  },
};
