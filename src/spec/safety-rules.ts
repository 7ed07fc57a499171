/**
 * Rules that keep a spec from doing damage or from crashing a later step: bounded lookbacks,
 * event names without control characters, and table names that never make the builder write
 * over a source table (or the mart over its own state table).
 */
import type { RawSpec, SpecLocator } from './load-spec.ts';
import type { SpecIssue } from './spec-issue.ts';
import type { MetricsSpec } from './spec-types.ts';

/** The longest lookback, and the longest step window in days or hours: ten years. Longer ones only make every incremental build a full scan, or overflow the engines' integer and interval arithmetic. */
export const MAX_LOOKBACK = { days: 3650, hours: 87_600 } as const;

/** C0 and C1 control characters (NUL, tab, newline, escape, …): no event name in a real log has them, and PostgreSQL cannot even store NUL in text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Schemas an unqualified name resolves to: DuckDB's `main`, PostgreSQL's `public` (their default search paths). */
const DEFAULT_SCHEMAS = new Set(['main', 'public']);

export function checkSafetyRules(raw: RawSpec, spec: MetricsSpec, at: SpecLocator): SpecIssue[] {
  return [...checkLookback(raw, at), ...checkWindows(raw, at), ...checkEventNames(raw, at), ...checkTableNames(raw, spec, at)];
}

/** Step windows in days or hours: the same ten years (the engines compare them as 32-bit integers; a larger one crashed the build). No limit is written by leaving `within` out. */
function checkWindows(raw: RawSpec, at: SpecLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  raw.funnels.forEach((funnel, f) =>
    funnel.steps.forEach((step, s) => {
      const within = step.within as { days?: number; hours?: number } | undefined;
      for (const unit of ['days', 'hours'] as const) {
        const value = within?.[unit];
        if (typeof value === 'number' && value > MAX_LOOKBACK[unit]) {
          issues.push(
            at.issue('window-too-long', ['funnels', f, 'steps', s, 'within', unit], `window of ${value} ${unit} is too long: at most ${MAX_LOOKBACK[unit]} ${unit} (ten years); leave \`within\` out for no limit`),
          );
        }
      }
    }),
  );
  return issues;
}

function checkLookback(raw: RawSpec, at: SpecLocator): SpecIssue[] {
  const lookback = raw.incremental?.lookback;
  if (!lookback) return [];
  const unit = lookback.days !== undefined ? 'days' : 'hours';
  const value = lookback[unit]!;
  if (value <= MAX_LOOKBACK[unit]) return [];
  return [
    at.issue(
      'lookback-too-long',
      ['incremental', 'lookback', unit],
      `lookback of ${value} ${unit} is too long: at most ${MAX_LOOKBACK[unit]} ${unit} (ten years). Late events older than the lookback are counted and reported by each build; run \`activation build --full-refresh\` to take them in`,
    ),
  ];
}

function describeCharacter(text: string): string {
  const c = CONTROL_CHARACTERS.exec(text)![0].charCodeAt(0);
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}${c === 0 ? ' (NUL)' : c === 9 ? ' (tab)' : c === 10 ? ' (newline)' : c === 13 ? ' (carriage return)' : ''}`;
}

function checkEventNames(raw: RawSpec, at: SpecLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const refuse = (event: string, path: (string | number)[]) =>
    issues.push(at.issue('unsupported-event-name', path, `event ${JSON.stringify(event)} contains the control character ${describeCharacter(event)}; event names must be printable text`));
  raw.events.forEach((event, i) => {
    if (CONTROL_CHARACTERS.test(event)) refuse(event, ['events', i]);
  });
  raw.funnels.forEach((funnel, f) =>
    funnel.steps.forEach((step, s) => {
      if (CONTROL_CHARACTERS.test(step.event)) refuse(step.event, ['funnels', f, 'steps', s, 'event']);
    }),
  );
  return issues;
}

interface TableRole {
  /** The spec field, as written in messages. */
  field: string;
  path: (string | number)[];
  name: string;
  /** Written in the spec (rather than a default): the location to report. */
  explicit: boolean;
}

/** `schema.table` as the engines resolve it: case-insensitively (DuckDB always; PostgreSQL for the names this spec allows), unqualified in the default schema. */
export function sameTable(a: string, b: string): boolean {
  const [schemaA, tableA] = splitName(a.toLowerCase());
  const [schemaB, tableB] = splitName(b.toLowerCase());
  if (tableA !== tableB) return false;
  if (schemaA === schemaB) return true;
  return (schemaA === undefined && DEFAULT_SCHEMAS.has(schemaB!)) || (schemaB === undefined && DEFAULT_SCHEMAS.has(schemaA!));
}

function splitName(name: string): [string | undefined, string] {
  const parts = name.split('.');
  return parts.length === 2 ? [parts[0], parts[1]] : [undefined, parts[0]];
}

/**
 * The builder replaces the mart and its state table: neither may be a source, nor each other.
 * Reported at the mart-side field when the spec writes it, else at the field that does.
 */
function checkTableNames(raw: RawSpec, spec: MetricsSpec, at: SpecLocator): SpecIssue[] {
  const role = (field: string, path: string[], name: string, explicit: boolean): TableRole => ({ field, path, name, explicit });
  const events = role('sources.events', ['sources', 'events'], spec.sources.events, raw.sources?.events !== undefined);
  const users = role('sources.users', ['sources', 'users'], spec.sources.users, raw.sources?.users !== undefined);
  const mart = role('mart.table', ['mart', 'table'], spec.mart.table, raw.mart?.table !== undefined);
  const state = role('mart.state_table', ['mart', 'state_table'], spec.mart.stateTable, raw.mart?.state_table !== undefined);
  const describe = (r: TableRole) => `${r.field} (${r.explicit ? '' : 'default '}${r.name})`;

  const issues: SpecIssue[] = [];
  const pairs: [TableRole, TableRole, string][] = [
    [mart, events, 'the builder would replace the event log with the mart'],
    [mart, users, 'the builder would replace the users table with the mart'],
    [state, events, 'the builder would replace the event log with its build state'],
    [state, users, 'the builder would replace the users table with its build state'],
    [state, mart, 'the mart and the build state need tables of their own'],
  ];
  for (const [writer, other, consequence] of pairs) {
    if (!sameTable(writer.name, other.name)) continue;
    const reported = writer.explicit || !other.explicit ? writer : other;
    const against = reported === writer ? other : writer;
    issues.push(
      at.issue(
        'table-collision',
        reported.path,
        `${describe(reported)} is the same table as ${describe(against)}: ${consequence}. The builder only writes tables of its own; choose another name for ${writer.field}`,
      ),
    );
  }
  return issues;
}
