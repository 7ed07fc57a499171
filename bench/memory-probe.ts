/**
 * Memory around one step. `process.resourceUsage().maxRSS` is the process's peak since it started
 * (it never goes down, so it is cumulative across steps); to see each step's own peak the RSS is
 * also sampled every few milliseconds while the step runs (DuckDB works on its own threads, so the
 * event loop is free to sample). DuckDB's own report (duckdb_memory(), PRAGMA database_size) is
 * read right after the step: the buffer manager's usage, which it keeps until memory is needed.
 * On PostgreSQL the work happens in the server's processes, outside this process's RSS.
 */
import type { Warehouse } from '../src/warehouse/warehouse.ts';

export interface StepMemory {
  /** Highest RSS sampled while the step ran. */
  sampledPeakRssBytes: number;
  /** The process's peak RSS since it started, read at the end of the step. */
  processMaxRssBytes: number;
  /** DuckDB: SUM(memory_usage_bytes) of duckdb_memory() after the step; null on other engines. */
  engineMemoryBytes: number | null;
  /** DuckDB: PRAGMA database_size's memory_usage / memory_limit, as DuckDB prints them. */
  engineReport: { memoryUsage: string; memoryLimit: string } | null;
}

export interface MemoryProbe extends StepMemory {
  elapsedMs: number;
}

const SAMPLE_EVERY_MS = 20;

export async function probeMemory(warehouse: Warehouse, step: () => Promise<number>): Promise<MemoryProbe> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_EVERY_MS);
  let elapsedMs: number;
  try {
    elapsedMs = await step();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return {
    elapsedMs,
    sampledPeakRssBytes: peak,
    // maxRSS is in kilobytes.
    processMaxRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(await engineMemory(warehouse)),
  };
}

export async function engineMemory(warehouse: Warehouse): Promise<Pick<StepMemory, 'engineMemoryBytes' | 'engineReport'>> {
  if (warehouse.dialect.name !== 'duckdb') return { engineMemoryBytes: null, engineReport: null };
  const [usage] = await warehouse.query('SELECT CAST(SUM(memory_usage_bytes) AS BIGINT) AS bytes FROM duckdb_memory()');
  const [size] = await warehouse.query('PRAGMA database_size');
  return {
    engineMemoryBytes: Number(usage.bytes),
    engineReport: { memoryUsage: String(size.memory_usage), memoryLimit: String(size.memory_limit) },
  };
}
