/**
 * Side-by-side timing: the tasks of one comparison run in interleaved rounds (a, b, c, a, b, c…),
 * so drift (caches, the OS, thermal) hits them alike; the first `warmup` rounds are discarded and
 * each task's time is the median of the rest. Memory is sampled around every run (memory-probe.ts).
 */
import { probeMemory, type MemoryProbe, type StepMemory } from './memory-probe.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';

export interface Task {
  /** Untimed: brings the database to the task's starting state (e.g. appends the next day). */
  prepare?: () => Promise<void>;
  run: () => Promise<unknown>;
}

export interface Timing {
  medianMs: number;
  /** Every measured run, in order (warm-ups excluded). */
  runsMs: number[];
  warmupMs: number[];
  memory: StepMemory;
}

export interface Rounds {
  warmup: number;
  runs: number;
}

export async function measureSideBySide<K extends string>(warehouse: Warehouse, tasks: Record<K, Task>, rounds: Rounds): Promise<Record<K, Timing>> {
  const names = Object.keys(tasks) as K[];
  const times = Object.fromEntries(names.map((n) => [n, { runs: [] as number[], warmup: [] as number[] }])) as Record<K, { runs: number[]; warmup: number[] }>;
  const probes = Object.fromEntries(names.map((n) => [n, [] as MemoryProbe[]])) as Record<K, MemoryProbe[]>;
  for (let round = 0; round < rounds.warmup + rounds.runs; round++) {
    for (const name of names) {
      await tasks[name].prepare?.();
      const probe = await probeMemory(warehouse, async () => {
        const started = performance.now();
        await tasks[name].run();
        return performance.now() - started;
      });
      (round < rounds.warmup ? times[name].warmup : times[name].runs).push(round3(probe.elapsedMs));
      probes[name].push(probe);
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { medianMs: round3(median(times[n].runs)), runsMs: times[n].runs, warmupMs: times[n].warmup, memory: mergeMemory(probes[n]) }]),
  ) as Record<K, Timing>;
}

/** One run of a task, timed, with its memory (for steps that change the data and cannot repeat). */
export async function measureOnce(warehouse: Warehouse, run: () => Promise<unknown>): Promise<Timing> {
  const probe = await probeMemory(warehouse, async () => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  });
  return { medianMs: round3(probe.elapsedMs), runsMs: [round3(probe.elapsedMs)], warmupMs: [], memory: mergeMemory([probe]) };
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no runs');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

function mergeMemory(probes: MemoryProbe[]): StepMemory {
  const max = (pick: (p: MemoryProbe) => number | null) => {
    const values = probes.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : Math.max(...values);
  };
  return {
    sampledPeakRssBytes: max((p) => p.sampledPeakRssBytes) ?? 0,
    processMaxRssBytes: max((p) => p.processMaxRssBytes) ?? 0,
    engineMemoryBytes: max((p) => p.engineMemoryBytes),
    engineReport: probes.at(-1)?.engineReport ?? null,
  };
}
