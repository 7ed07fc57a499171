/**
 * cube.js as Cube's server loads it: plain Node (type stripping, no tsx) importing the engine
 * registry, for every engine. A definition that slips in non-erasable TypeScript, or a driver
 * that cannot be created, fails here rather than when a server starts.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_ENGINES } from '../src/warehouse/registry.ts';

const CUBE_CONFIG = resolve('cube.js');

describe.each(SUPPORTED_ENGINES)('cube.js with CUBEJS_DB_TYPE=%s', (engine) => {
  it("gives Cube a driver (or its config) and the engine's query class", () => {
    const script = `const { default: c } = await import(${JSON.stringify(CUBE_CONFIG)});
const driver = await c.driverFactory();
const Query = c.dialectFactory();
process.stdout.write(JSON.stringify({ driver: driver.type ?? driver.constructor.name, query: typeof Query.prototype.convertTz }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, CUBEJS_DEV_MODE: 'true', CUBEJS_DB_TYPE: engine, CUBEJS_DB_HOST: '127.0.0.1', CUBEJS_DB_PRESTO_CATALOG: 'iceberg' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const loaded = JSON.parse(r.stdout);
    expect(loaded.query).toBe('function');
    expect(String(loaded.driver).toLowerCase()).toContain(engine);
  });
});
