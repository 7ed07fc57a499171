/**
 * The issues' targets (5, 8 and 9), as data: each ratio or figure with its bound and how far off a
 * measured value is. Goals to chase, reported, never asserted.
 */
export interface Target {
  bound: number;
  /** 'max': the value should be at most the bound; 'min': at least. */
  kind: 'max' | 'min';
}

export const TARGETS = {
  // Issue 8: the builder at the floor, incremental builds that cost one day.
  fullOverFloor: { bound: 1.6, kind: 'max' },
  martFullOverFloor: { bound: 1.6, kind: 'max' },
  oursOverSeedFull: { bound: 1.0, kind: 'max' },
  martOursOverSeedFull: { bound: 1.0, kind: 'max' },
  incrementalOverFullAtD: { bound: 0.2, kind: 'max' },
  incrementalOverFullAt4D: { bound: 0.08, kind: 'max' },
  martIncrementalOverFullAtD: { bound: 0.2, kind: 'max' },
  martIncrementalOverFullAt4D: { bound: 0.08, kind: 'max' },
  incrementalGrowth: { bound: 1.5, kind: 'max' },
  peakRssBytes: { bound: 1.5 * 1024 ** 3, kind: 'max' },
  // Issue 9: funnel queries from the funnel tables, and what the tables cost the builder.
  rawOverMartFunnel: { bound: 30, kind: 'min' },
  rawOverMartSeedAdvanced: { bound: 10, kind: 'min' },
  rawOverRollup: { bound: 20, kind: 'min' },
  funnelTablesShareOfFull: { bound: 0.6, kind: 'max' },
  funnelTablesIncrementalMs: { bound: 100, kind: 'max' },
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
