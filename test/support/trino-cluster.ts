import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres-cluster.ts';

export interface TrinoCluster {
  host: string;
  port: number;
  catalog: string;
  schema: string;
  /** The ids of the nodes that system.runtime.nodes showed active: the coordinator and two workers. */
  nodes: string[];
  stop(): Promise<void>;
}

export interface TrinoResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

const VERSION = process.env.TRINO_VERSION ?? '476';
const CACHE = process.env.TRINO_CACHE_DIR ?? join(homedir(), '.cache', 'activation-metrics', `trino-${VERSION}`);
/** Trino 476 needs Java 24+; Debian's default is 17. */
const JAVA_HOME =
  process.env.TRINO_JAVA_HOME ??
  (existsSync('/usr/lib/jvm/temurin-25-jdk-amd64') ? '/usr/lib/jvm/temurin-25-jdk-amd64' : process.env.JAVA_HOME);
/** Per-node heap; query memory limits follow from it. Three JVMs share the machine with everything else. */
const HEAP_MB = Number(process.env.TRINO_NODE_HEAP_MB ?? 1024);
const START_TIMEOUT_MS = Number(process.env.TRINO_START_TIMEOUT_MS ?? 240_000);
/** TRINO_START_TRACE=1 prints the startup poll to stderr. */
const TRACE = process.env.TRINO_START_TRACE === '1';
const PREFIX = 'activation-trino-';
const FETCH_SCRIPT = fileURLToPath(new URL('../../scripts/fetch-trino.sh', import.meta.url));
const NODE_NAMES = ['coordinator', 'worker-1', 'worker-2'] as const;

/** The server directory (bin/launcher, plugin/iceberg), fetched into the cache by scripts/fetch-trino.sh when absent. */
export function trinoHome(): string {
  const result = spawnSync('bash', [FETCH_SCRIPT], {
    encoding: 'utf8',
    env: { ...process.env, TRINO_VERSION: VERSION, TRINO_CACHE_DIR: CACHE },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const home = /^TRINO_HOME=(.+)$/m.exec(result.stdout ?? '')?.[1];
  if (result.status !== 0 || !home) throw new Error(`scripts/fetch-trino.sh failed (exit ${result.status}): ${result.stdout}`);
  return home;
}

/**
 * Runs one statement through Trino's client protocol (POST /v1/statement, then follow nextUri) and
 * returns every row. Enough for setup and health checks; the warehouse code uses a real client.
 */
export async function trinoQuery(
  target: { host: string; port: number; catalog?: string; schema?: string },
  sql: string,
): Promise<TrinoResult> {
  // Without PARAMETRIC_DATETIME, Trino rounds every timestamp to milliseconds for the client.
  const headers: Record<string, string> = {
    'X-Trino-User': 'activation',
    'X-Trino-Source': 'activation-tests',
    'X-Trino-Client-Capabilities': 'PARAMETRIC_DATETIME',
  };
  if (target.catalog) headers['X-Trino-Catalog'] = target.catalog;
  if (target.schema) headers['X-Trino-Schema'] = target.schema;
  let response = await fetch(`http://${target.host}:${target.port}/v1/statement`, { method: 'POST', headers, body: sql });
  const result: TrinoResult = { columns: [], rows: [] };
  for (;;) {
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      await sleep(100);
      response = await fetch(response.url, { headers });
      continue;
    }
    if (!response.ok) throw new Error(`Trino HTTP ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as {
      columns?: { name: string; type: string }[];
      data?: unknown[][];
      nextUri?: string;
      error?: { message: string; errorName: string };
    };
    if (page.error) throw new Error(`Trino ${page.error.errorName}: ${page.error.message}`);
    if (page.columns) result.columns = page.columns.map(({ name, type }) => ({ name, type }));
    if (page.data) result.rows.push(...page.data);
    if (!page.nextUri) return result;
    response = await fetch(page.nextUri, { headers });
  }
}

function sleep(ms: number) {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

function properties(entries: Record<string, string | number | boolean>): string {
  return Object.entries(entries).map(([key, value]) => `${key}=${value}\n`).join('');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** SIGKILLs the node's JVM, if its launcher pid file names a live process that belongs to this cluster dir. */
function killNode(clusterDir: string, name: string): number | undefined {
  const pidFile = join(clusterDir, name, 'data', 'var', 'run', 'launcher.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  if (!commandLine(pid).includes(clusterDir)) return undefined; // the pid was reused by an unrelated process
  process.kill(pid, 'SIGKILL');
  return pid;
}

async function killCluster(clusterDir: string) {
  const pids = NODE_NAMES.map((name) => killNode(clusterDir, name)).filter((pid): pid is number => pid !== undefined);
  const deadline = Date.now() + 30_000;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  rmSync(clusterDir, { recursive: true, force: true });
}

/** Clusters left behind by a test run that crashed: their owner process is gone, their JVMs may not be. */
async function reapOrphans() {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (isAlive(owner)) continue;
    await killCluster(dir);
  }
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/**
 * A coordinator and two workers (Trino 476, Java 25) on free loopback ports, with an Iceberg catalog
 * `iceberg` on the local file system (file metastore) in a temp dir, and an empty schema in it.
 * Resolves once system.runtime.nodes shows all three nodes active; stop() kills the JVMs and removes the dir.
 */
export async function startTrinoCluster(): Promise<TrinoCluster> {
  if (!JAVA_HOME || !existsSync(join(JAVA_HOME, 'bin', 'java'))) {
    throw new Error('Trino needs Java 24+: install a JDK 25 (e.g. Temurin) and set TRINO_JAVA_HOME');
  }
  await reapOrphans();
  const home = trinoHome();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const warehouse = join(dir, 'warehouse');
  const ports = [await freePort(), await freePort(), await freePort()];
  const coordinatorUri = `http://127.0.0.1:${ports[0]}`;
  const perNodeMb = Math.floor(HEAP_MB * 0.6);
  const launch = (name: string) => {
    const nodeDir = join(dir, name);
    const result = spawnSync(
      join(home, 'bin', 'launcher'),
      [`--etc-dir=${join(nodeDir, 'etc')}`, `--data-dir=${join(nodeDir, 'data')}`, `--jvm-dir=${JAVA_HOME}`, 'start'],
      { encoding: 'utf8', env: { ...process.env, JAVA_HOME } },
    );
    if (result.status !== 0) throw new Error(`launcher start ${name} failed: ${result.stderr || result.stdout}`);
  };

  try {
    mkdirSync(warehouse);
    // Load only the Iceberg plugin (the server ships others that each node would otherwise load at startup).
    mkdirSync(join(dir, 'plugin'));
    symlinkSync(join(home, 'plugin', 'iceberg'), join(dir, 'plugin', 'iceberg'));
    NODE_NAMES.forEach((name, i) => {
      const etc = join(dir, name, 'etc');
      mkdirSync(join(etc, 'catalog'), { recursive: true });
      mkdirSync(join(dir, name, 'data'), { recursive: true });
      writeFileSync(
        join(etc, 'node.properties'),
        properties({
          'node.environment': 'activation_test',
          'node.id': name,
          'node.data-dir': join(dir, name, 'data'),
          'node.internal-address': '127.0.0.1',
          'node.bind-ip': '127.0.0.1',
        }),
      );
      writeFileSync(
        join(etc, 'config.properties'),
        properties({
          coordinator: i === 0,
          ...(i === 0 ? { 'node-scheduler.include-coordinator': false } : {}),
          'http-server.http.port': ports[i],
          'discovery.uri': coordinatorUri,
          'plugin.dir': join(dir, 'plugin'),
          'query.max-memory': `${perNodeMb * 2}MB`,
          'query.max-memory-per-node': `${perNodeMb}MB`,
          'http-server.log.enabled': false,
          // The coordinator keeps finished queries (with their SQL) for 15 minutes by default: at a
          // build's ~70 statements that filled a 1 GB heap during the test suite.
          ...(i === 0 ? { 'query.min-expire-age': '1m', 'query.max-history': 200 } : {}),
        }),
      );
      writeFileSync(
        join(etc, 'jvm.config'),
        [
          '-server',
          `-Xmx${HEAP_MB}M`,
          '-XX:+ExitOnOutOfMemoryError',
          '-XX:-OmitStackTraceInFastThrow',
          '-XX:+ExplicitGCInvokesConcurrent',
          '-XX:ReservedCodeCacheSize=256M',
          '-XX:PerMethodRecompilationCutoff=10000',
          '-XX:PerBytecodeRecompilationCutoff=10000',
          '-Djdk.attach.allowAttachSelf=true',
          '-Djdk.nio.maxCachedBufferSize=2000000',
          '-Dfile.encoding=UTF-8',
          '-XX:+EnableDynamicAgentLoading',
          '',
        ].join('\n'),
      );
      writeFileSync(join(etc, 'log.properties'), 'io.trino=INFO\n');
      writeFileSync(
        join(etc, 'catalog', 'iceberg.properties'),
        properties({
          'connector.name': 'iceberg',
          'iceberg.catalog.type': 'TESTING_FILE_METASTORE',
          'hive.metastore.catalog.dir': 'local:///',
          'fs.native-local.enabled': true,
          'local.location': warehouse,
        }),
      );
    });

    for (const name of NODE_NAMES) launch(name);

    const cluster = { host: '127.0.0.1', port: ports[0] };
    const startedAt = Date.now();
    const deadline = startedAt + START_TIMEOUT_MS;
    let nodes: string[] = [];
    let lastError = '';
    while (Date.now() < deadline) {
      const dead = NODE_NAMES.filter((name) => {
        const pidFile = join(dir, name, 'data', 'var', 'run', 'launcher.pid');
        return existsSync(pidFile) && !isAlive(Number(readFileSync(pidFile, 'utf8').trim()));
      });
      if (dead.length > 0) {
        throw new Error(`Trino node ${dead[0]} exited during startup:\n${tail(join(dir, dead[0], 'data', 'var', 'log', 'server.log'))}`);
      }
      try {
        const { rows } = await trinoQuery(cluster, "SELECT node_id FROM system.runtime.nodes WHERE state = 'active' ORDER BY node_id");
        nodes = rows.map((row) => String(row[0]));
        if (nodes.length === NODE_NAMES.length) break;
        lastError = `active nodes: ${nodes.join(', ') || 'none'}`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (TRACE) console.error(`trino-cluster: +${Date.now() - startedAt} ms ${lastError}`);
      await sleep(500);
    }
    if (nodes.length !== NODE_NAMES.length) {
      throw new Error(
        `Trino cluster not ready after ${START_TIMEOUT_MS} ms (${lastError}); coordinator log:\n${tail(join(dir, 'coordinator', 'data', 'var', 'log', 'server.log'))}`,
      );
    }
    const schema = 'activation_test';
    await trinoQuery(cluster, `CREATE SCHEMA iceberg.${schema}`);
    // Active in system.runtime.nodes is not yet schedulable: until a query runs on the workers, the
    // first ones fail with NO_NODES_AVAILABLE. One write and one read through the workers, retried.
    for (;;) {
      try {
        await trinoQuery(cluster, `CREATE TABLE IF NOT EXISTS iceberg.${schema}.warm_up AS SELECT x FROM UNNEST(sequence(1, 1000)) AS t(x)`);
        await trinoQuery(cluster, `SELECT COUNT(DISTINCT x) FROM iceberg.${schema}.warm_up`);
        await trinoQuery(cluster, `DROP TABLE iceberg.${schema}.warm_up`);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        if (TRACE) console.error(`trino-cluster: warm-up: ${(error as Error).message}`);
        await sleep(500);
      }
    }
    return {
      host: '127.0.0.1',
      port: ports[0],
      catalog: 'iceberg',
      schema,
      nodes,
      async stop() {
        await killCluster(dir);
      },
    };
  } catch (error) {
    await killCluster(dir);
    throw error;
  }
}
