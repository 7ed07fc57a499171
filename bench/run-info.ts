/** The machine and software a run measured, recorded with its numbers. */
import { readFileSync } from 'node:fs';
import { cpus, platform, release, arch, totalmem } from 'node:os';
import { join } from 'node:path';

export interface RunInfo {
  date: string;
  machine: { cpuModel: string; cores: number; totalMemoryBytes: number; os: string; arch: string };
  versions: { node: string; engine: string; cube: string; duckdbNodeApi: string; pg: string; activationMetrics: string };
}

function packageVersion(root: string, name: string): string {
  try {
    return String(JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version);
  } catch {
    return 'unknown';
  }
}

export function runInfo(repoRoot: string, engineVersion: string): RunInfo {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    machine: { cpuModel: cpu[0]?.model ?? 'unknown', cores: cpu.length, totalMemoryBytes: totalmem(), os: `${platform()} ${release()}`, arch: arch() },
    versions: {
      node: process.version,
      engine: engineVersion,
      cube: packageVersion(repoRoot, '@cubejs-backend/schema-compiler'),
      duckdbNodeApi: packageVersion(repoRoot, '@duckdb/node-api'),
      pg: packageVersion(repoRoot, 'pg'),
      activationMetrics: String(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version),
    },
  };
}
