import type { CubeDimension } from './cube-types.ts';
import { pinnedDateSql, type ModelSql } from './model-sql.ts';

/**
 * A calendar DATE column (already in the spec's time zone) as a `type: time` dimension that no
 * query time zone moves (see pinnedDateSql), plus its hidden helper member.
 */
export function calendarDateDimensions(m: ModelSql, name: string, dateSql: string, description: string): CubeDimension[] {
  const helperName = `${name}__pin`;
  const { helper, pinned } = pinnedDateSql(m, dateSql, helperName);
  return [
    { name, sql: pinned, type: 'time', description: `${description} Calendar date: the same in every query time zone.` },
    { name: helperName, sql: helper, type: 'string', public: false, description: `First step of pinning ${name} against the query time zone.` },
  ];
}
