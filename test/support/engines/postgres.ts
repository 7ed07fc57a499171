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
};
