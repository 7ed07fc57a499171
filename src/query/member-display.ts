import type { CompiledModel } from './cube-compiler.ts';

/** How `--format table` shows a member's values: as a percentage, as a duration, or as returned. */
export type MemberDisplay = 'percent' | 'seconds';

interface MemberDefinition {
  format?: string;
  meta?: { unit?: string };
  /** A view member's underlying cube member. */
  aliasMember?: string;
}

/**
 * The display of each result key that has one: `format: percent` measures, and measures whose
 * `meta.unit` is `seconds` (the funnels' seconds to convert). Keys such as `view.member.day` and
 * unknown members have none.
 */
export function memberDisplays(compiled: CompiledModel, keys: readonly string[]): Record<string, MemberDisplay> {
  const evaluator = compiled.cubeEvaluator as { byPathAnyType(path: string[]): MemberDefinition | undefined };
  const lookup = (member: string): MemberDefinition | undefined => {
    try {
      return evaluator.byPathAnyType(member.split('.'));
    } catch {
      return undefined;
    }
  };
  const displays: Record<string, MemberDisplay> = {};
  for (const key of keys) {
    if (key.split('.').length !== 2) continue;
    const own = lookup(key);
    const underlying = own?.aliasMember ? lookup(own.aliasMember) : undefined;
    const format = own?.format ?? underlying?.format;
    const unit = own?.meta?.unit ?? underlying?.meta?.unit;
    if (format === 'percent') displays[key] = 'percent';
    else if (unit === 'seconds') displays[key] = 'seconds';
  }
  return displays;
}

/** 0.4567 → "45.7%". */
export function formatPercent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** Seconds as the two largest units: "42s", "1.5s", "3m 20s", "2h 5m", "1d 2h". */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 60) return `${sign}${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const whole = Math.round(s);
  const first = units.findIndex(([, size]) => whole >= size);
  const [u1, size1] = units[first];
  const [u2, size2] = units[first + 1];
  const a = Math.floor(whole / size1);
  const b = Math.floor((whole % size1) / size2);
  return `${sign}${a}${u1}${b > 0 ? ` ${b}${u2}` : ''}`;
}
