/**
 * The targets (issue 5), as data: each ratio or figure with its bound and how far off a
 * measured value is. Goals to chase, reported, never asserted.
 */
export interface Target {
  bound: number;
  /** 'max': the value should be at most the bound; 'min': at least. */
  kind: 'max' | 'min';
}

export const TARGETS = {
  fullOverFloor: { bound: 1.3, kind: 'max' },
  oursOverSeedFull: { bound: 1.0, kind: 'max' },
  incrementalOverFullAtD: { bound: 0.1, kind: 'max' },
  incrementalOverFullAt4D: { bound: 0.1, kind: 'max' },
  // "not growing at 4·D": the incremental step at 4·D against the one at D, 20% for noise (the flatness tolerance below).
  incrementalGrowth: { bound: 1.2, kind: 'max' },
  rawOverMart: { bound: 20, kind: 'min' },
  peakRssBytes: { bound: 2 * 1024 ** 3, kind: 'max' },
  // Slowest over fastest time per million events across the scale curve.
  scaleFlatness: { bound: 1.2, kind: 'max' },
} as const satisfies Record<string, Target>;

export function meets(value: number, target: Target): boolean {
  return target.kind === 'max' ? value <= target.bound : value >= target.bound;
}

/** "met" or how far off, in the target's own direction. */
export function offBy(value: number, target: Target): string {
  if (!Number.isFinite(value)) return 'not measured';
  if (meets(value, target)) return 'met';
  return target.kind === 'max' ? `${formatPercent(value / target.bound - 1)} over` : `${(target.bound / value).toFixed(1)}× short`;
}

export function describeTarget(target: Target, format: (n: number) => string = (n) => String(n)): string {
  return `${target.kind === 'max' ? '≤' : '≥'} ${format(target.bound)}`;
}

const formatPercent = (x: number) => `${(x * 100).toFixed(0)}%`;
