import pg from 'pg';
import { connectWarehouse } from '../../../src/warehouse/registry.ts';
import { startPostgresCluster } from '../postgres-cluster.ts';
import type { EngineHarness, ServerInfo } from './engine-harness.ts';

let counter = 0;

const adminClient = (server: ServerInfo) => new pg.Client({ host: String(server.host), port: Number(server.port), user: String(server.user), database: 'postgres' });

/** One throwaway cluster per run (initdb on a free loopback port); each database is a CREATE DATABASE in it. */
export const postgresHarness: EngineHarness = {
  async startServer() {
    const cluster = await startPostgresCluster();
    return { info: { host: cluster.host, port: cluster.port, user: cluster.user }, describe: `PostgreSQL on ${cluster.host}:${cluster.port}`, stop: () => cluster.stop() };
  },
  async createDatabase(server) {
    const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
    const admin = adminClient(server);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const env = {
      CUBEJS_DB_TYPE: 'postgres',
      CUBEJS_DB_HOST: String(server.host),
      CUBEJS_DB_PORT: String(server.port),
      CUBEJS_DB_NAME: name,
      CUBEJS_DB_USER: String(server.user),
    };
    return {
      engine: 'postgres',
      env,
      connect: () => connectWarehouse(env),
      async drop() {
        const client = adminClient(server);
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  },
  async version(warehouse) {
    const [{ server_version }] = await warehouse.query('SHOW server_version');
    return `PostgreSQL ${server_version}`;
  },
  // A commit is durable already.
  async settle() {},
  async withSql(db, work) {
    const client = new pg.Client({ host: db.env.CUBEJS_DB_HOST, port: Number(db.env.CUBEJS_DB_PORT), user: db.env.CUBEJS_DB_USER, database: db.env.CUBEJS_DB_NAME });
    await client.connect();
    try {
      return await work({ run: async (statement) => void (await client.query(statement)), rows: async (query) => (await client.query(query)).rows });
    } finally {
      await client.end();
    }
  },
  listTablesSql: `SELECT n.nspname AS s, c.relname AS t, obj_description(c.oid, 'pg_class') AS c FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
  portableSql: (statement) => statement,
};
