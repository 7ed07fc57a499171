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
  // A commit is durable already.
  async settle() {},
  async withSql(db, work) {
    const session = { host: db.env.CUBEJS_DB_HOST!, port: Number(db.env.CUBEJS_DB_PORT), catalog: db.env.CUBEJS_DB_PRESTO_CATALOG, schema: db.env.CUBEJS_DB_SCHEMA };
    return work({
      run: async (statement) => void (await trinoQuery(session, statement)),
      rows: async (query) => {
        const { columns, rows } = await trinoQuery(session, query);
        return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])));
      },
    });
  },
  // Every table and view of the test's schema, with its comment.
  listTablesSql: `SELECT t.table_schema AS s, t.table_name AS t, c.comment AS c FROM information_schema.tables AS t
    LEFT JOIN system.metadata.table_comments AS c ON c.catalog_name = t.table_catalog AND c.schema_name = t.table_schema AND c.table_name = t.table_name
    WHERE t.table_schema = current_schema ORDER BY 1, 2`,
  // Trino spells a zoned timestamp TIMESTAMP WITH TIME ZONE, and a bare TIMESTAMP has milliseconds only.
  portableSql: (statement) =>
    statement
      .replace(/TIMESTAMPTZ '([^']*)\+00'/g, "TIMESTAMP '$1 UTC'")
      .replace(/\bTIMESTAMPTZ\b/g, 'TIMESTAMP(6) WITH TIME ZONE')
      .replace(/\bTIMESTAMP\b(?! ')(?!\()(?! WITH)/g, 'TIMESTAMP(6)'),
};
