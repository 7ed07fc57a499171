/** Starts Cube's server in this process with the repository's cube.js. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../user-error.ts';
import type { CubeServerClass } from './cube-runtime.ts';

export interface ServeOptions {
  /** REST API port (Cube reads it from PORT). */
  port: number;
  /** SQL API (Postgres wire protocol) port. */
  sqlPort: number;
  /** The Cube configuration file; default ./cube.js. */
  configFile?: string;
}

export interface RunningCubeServer {
  version: string;
  port: number;
  sqlPort: number;
  stop(): Promise<void>;
}

export async function loadCubeConfig(configFile = 'cube.js'): Promise<Record<string, unknown>> {
  try {
    const mod = (await import(pathToFileURL(resolve(configFile)).href)) as { default?: Record<string, unknown> };
    if (!mod.default) throw new Error(`${configFile} has no default export`);
    return mod.default;
  } catch (error) {
    // cube.js refuses to load without CUBEJS_API_SECRET outside dev mode: that is the user's to fix.
    throw new UserError('cube-config', `${configFile}: ${(error as Error).message}`);
  }
}

export async function startCubeServer(CubejsServer: CubeServerClass, options: ServeOptions): Promise<RunningCubeServer> {
  const config = await loadCubeConfig(options.configFile);
  process.env.PORT = String(options.port);
  const server = new CubejsServer({ ...config, pgSqlPort: options.sqlPort });
  const { version, port } = await server.listen();
  return {
    version,
    port: Number(port),
    sqlPort: options.sqlPort,
    async stop() {
      if (server.shutdown) await server.shutdown('SIGTERM', true);
      else await server.close?.();
    },
  };
}
