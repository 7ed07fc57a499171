/**
 * SQL text inside generated Cube YAML. Cube reads a `sql:` string as a Python f-string and sends
 * any file holding `{{` or `{%` to the native Jinja engine, which cannot run here; so values are
 * quoted here and never pasted, and braces, backslashes and double quotes inside literals are
 * spelled with CHR() (the same on every supported engine).
 */
import { CALENDAR_DATE_MARK } from '../query/utc-session-query.ts';
import type { Dialect } from '../warehouse/warehouse.ts';

/** A SQL string literal: '' doubling, and CHR() for characters Cube's f-string parser would read. */
export function sqlString(value: string): string {
  const parts: string[] = [];
  let run = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '{' || ch === '}' || ch === '\\' || ch === '"' || code < 0x20 || code === 0x7f) {
      if (run) parts.push(`'${run}'`);
      run = '';
      parts.push(`CHR(${code})`);
    } else {
      run += ch === "'" ? "''" : ch;
    }
  }
  if (run || parts.length === 0) parts.push(`'${run}'`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' || ')})`;
}

/** SQL pieces of the model for one engine: the dialect's quoting, types and time arithmetic. */
export interface ModelSql {
  readonly dialect: Dialect;
  /** A quoted identifier; `schema.table` is quoted part by part. Names are used exactly as written. */
  identifier(name: string): string;
  /** A column of the cube's own table: `{CUBE}."col"`. */
  column(column: string): string;
}

export function modelSql(dialect: Dialect): ModelSql {
  return {
    dialect,
    identifier: (name) => dialect.quoteIdentifier(name),
    column: (column) => `{CUBE}.${dialect.quoteIdentifier(column)}`,
  };
}

/**
 * Cube converts every `type: time` dimension into the query's time zone (BaseQuery.convertTz),
 * which would move a calendar date (already in the spec's zone) by a day west or east of UTC.
 * A pinned date is the UTC instant whose conversion is local midnight of that date, so Cube's
 * conversion lands exactly on it whatever zone the query passes. SQL_UTILS.convertTz is Cube's own
 * conversion for the current query; two Newton steps  x ← x + (midnight − convertTz(x))  absorb a
 * daylight-saving change between the first guess and the answer (zones that switch at midnight).
 * Returns the two steps: the first as a hidden helper member (Cube's f-strings do not nest twice).
 * Where the query's zone has no offset at that midnight (UTC queries, whose conversion is the
 * identity here: src/query/utc-session-query.ts), both steps give midnight itself, and a CASE
 * skips their per-row arithmetic: a third of a funnel query's SQL time on the user-grain tables.
 * A UTC query renders the midnight alone: the shortcut collapses the CASE too.
 * CALENDAR_DATE_MARK opens the SQL: a UTC query groups a pinned date by day without truncating it.
 */
export function pinnedDateSql(m: ModelSql, dateSql: string, helperMember: string): { helper: string; pinned: string } {
  const midnight = `CAST(${dateSql} AS ${m.dialect.types.timestamp})`;
  // Parenthesized: Cube pastes these into casts such as `(...)::timestamptz`.
  const d = m.dialect;
  const helper = `(${d.plusDifference(midnight, midnight, `{SQL_UTILS.convertTz(f'${midnight}')}`)})`;
  const pinned = `(${CALENDAR_DATE_MARK} CASE WHEN {SQL_UTILS.convertTz(f'${midnight}')} = ${midnight} THEN ${midnight} ELSE ${d.plusDifference(`{${helperMember}}`, midnight, `{SQL_UTILS.convertTz(f'{${helperMember}}')}`)} END)`;
  return { helper, pinned };
}
