import { connectWarehouse } from '../../../src/warehouse/registry.ts';
import { startTrinoCluster, trinoQuery } from '../trino-cluster.ts';
import type { EngineHarness, ServerInfo } from './engine-harness.ts';

let counter = 0;

const target = (server: ServerInfo) => ({ host: String(server.host), port: Number(server.port) });

/** A coordinator and two workers per run (test/support/trino-cluster.ts); each database is a schema in its Iceberg catalog. */
export const trinoHarness: EngineHarness = {
  async startServer() {
    // TRINO_TEST_SERVER=host:port reuses a running cluster with an Iceberg catalog named iceberg (a developer's loop; CI starts its own).
    const reuse = process.env.TRINO_TEST_SERVER?.split(':');
    if (reuse) {
      const server = { host: reuse[0], port: Number(reuse[1]) };
      const { rows } = await trinoQuery(server, "SELECT node_id FROM system.runtime.nodes WHERE state = 'active' ORDER BY node_id");
      const nodes = rows.map((r) => String(r[0]));
      return { info: { ...server, catalog: 'iceberg', nodes }, describe: `Trino on ${reuse.join(':')} (TRINO_TEST_SERVER), ${nodes.length} active nodes: ${nodes.join(', ')}`, stop: async () => undefined };
    }
    const cluster = await startTrinoCluster();
    return {
      info: { host: cluster.host, port: cluster.port, catalog: cluster.catalog, nodes: cluster.nodes },
      describe: `Trino on ${cluster.host}:${cluster.port}, ${cluster.nodes.length} active nodes: ${cluster.nodes.join(', ')}`,
      stop: () => cluster.stop(),
    };
  },
  async createDatabase(server) {
    const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
    const catalog = String(server.catalog);
    await trinoQuery(target(server), `CREATE SCHEMA ${catalog}.${schema}`);
    const env = {
      CUBEJS_DB_TYPE: 'trino',
      CUBEJS_DB_HOST: String(server.host),
      CUBEJS_DB_PORT: String(server.port),
      CUBEJS_DB_USER: 'activation',
      CUBEJS_DB_PRESTO_CATALOG: catalog,
      CUBEJS_DB_SCHEMA: schema,
    };
    return {
      engine: 'trino',
      env,
      connect: () => connectWarehouse(env),
      async drop() {
        // Table by table: DROP SCHEMA … CASCADE fails inside the Iceberg connector when a table's metadata is gone.
        const { rows } = await trinoQuery(target(server), `SELECT table_name FROM ${catalog}.information_schema.tables WHERE table_schema = '${schema}'`);
        for (const [table] of rows) await trinoQuery(target(server), `DROP TABLE IF EXISTS ${catalog}.${schema}."${String(table)}"`).catch(() => undefined);
        await trinoQuery(target(server), `DROP SCHEMA IF EXISTS ${catalog}.${schema}`).catch(() => undefined);
      },
    };
  },
  async version(warehouse) {
    const [{ version }] = await warehouse.query('SELECT version() AS version');
    return `Trino ${version}`;
  },
};
