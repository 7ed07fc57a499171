import type { TestProject } from 'vitest/node';
import { startPostgresCluster, type PostgresCluster } from './support/postgres-cluster.ts';

let cluster: PostgresCluster | undefined;

/** One throwaway PostgreSQL cluster for the whole run; each test file makes its own database in it. */
export async function setup(project: TestProject) {
  cluster = await startPostgresCluster();
  project.provide('postgres', { host: cluster.host, port: cluster.port, user: cluster.user });
}

export async function teardown() {
  await cluster?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { host: string; port: number; user: string };
  }
}
