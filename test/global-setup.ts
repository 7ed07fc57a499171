import type { TestProject } from 'vitest/node';
import type { Engine } from '../src/warehouse/registry.ts';
import type { ServerInfo } from './support/engines/engine-harness.ts';
import { enginesUnderTest, HARNESSES } from './support/engines/harnesses.ts';

const running: { stop(): Promise<void> }[] = [];

/** One throwaway server per engine for the whole run (a PostgreSQL cluster, a three-node Trino cluster); each test file makes its own database in it. */
export async function setup(project: TestProject) {
  const servers: Partial<Record<Engine, ServerInfo>> = {};
  for (const engine of enginesUnderTest()) {
    const started = Date.now();
    const server = await HARNESSES[engine].startServer();
    running.push(server);
    servers[engine] = server.info;
    console.log(`test engines: ${server.describe} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  project.provide('servers', servers);
}

export async function teardown() {
  for (const server of running.reverse()) await server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    servers: Partial<Record<Engine, ServerInfo>>;
  }
}
