import type { MetricsSpec } from '../spec/spec-types.ts';
import { calendarDateDimensions } from './calendar-dimensions.ts';
import type { Cube } from './cube-types.ts';
import { USERS_CUBE } from './model-names.ts';
import type { ModelSql } from './model-sql.ts';

/** The conformed user dimension (SCD type 1). */
export function usersCube(spec: MetricsSpec, m: ModelSql): Cube {
  return {
    name: USERS_CUBE,
    title: 'Users',
    description: `The conformed user dimension (${spec.sources.users}): one row per user.`,
    sql_table: m.identifier(spec.sources.users),
    public: false,
    dimensions: [
      { name: 'user_id', sql: m.column('user_id'), type: 'string', primary_key: true },
      ...calendarDateDimensions(m, 'first_date', m.column('first_date'), 'Date of the first visit.'),
      { name: 'first_datetime', sql: m.column('first_datetime'), type: 'time', description: 'Time of the first visit (stored in UTC).' },
      ...spec.sources.userAttributes.map((a) => ({ name: a, sql: m.column(a), type: 'string' as const })),
    ],
    measures: [{ name: 'count', type: 'count', description: 'Users.' }],
  };
}
