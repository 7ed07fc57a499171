/**
 * Rows as REST `/load` returns them in `data`: keys are member names (the compiled query's
 * aliasNameToMember, which the API gateway hands to Cube's native encoder), a time dimension with
 * a granularity appears under both `view.member.granularity` and `view.member`, timestamps are
 * `YYYY-MM-DDTHH:mm:ss.SSS`, numbers are strings.
 */
export type ResultRow = Record<string, string | boolean | null>;

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]00(:?00)?)?$/;

export function formatTimestamp(value: string): string {
  const m = TIMESTAMP.exec(value);
  if (!m) return value;
  const millis = (m[3] ?? '.000').slice(1).padEnd(3, '0').slice(0, 3);
  return `${m[1]}T${m[2]}.${millis}`;
}

/** The `view.member` of a `view.member.granularity` key, which `/load` repeats under both; undefined for any other key. */
export function granularityBase(key: string): string | undefined {
  const parts = key.split('.');
  return parts.length === 3 ? parts.slice(0, 2).join('.') : undefined;
}

export function shapeRows(
  rows: Record<string, unknown>[],
  aliasNameToMember: Record<string, string>,
  isTimeMember: (member: string) => boolean,
): ResultRow[] {
  return rows.map((row) => {
    const out: ResultRow = {};
    // In the SQL's column order (dimensions, then measures), as the REST API returns them.
    for (const alias of Object.keys(row)) {
      const member = aliasNameToMember[alias];
      if (member === undefined) continue;
      const raw = row[alias];
      const base = granularityBase(member);
      const isTime = base !== undefined || isTimeMember(member);
      const value = raw === undefined || raw === null ? null : raw instanceof Date ? raw.toISOString() : typeof raw === 'number' || typeof raw === 'bigint' ? String(raw) : (raw as string | boolean);
      const shaped = isTime && typeof value === 'string' ? formatTimestamp(value) : value;
      out[member] = shaped;
      if (base !== undefined) out[base] = shaped;
    }
    return out;
  });
}
