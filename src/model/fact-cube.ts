import { describeWindow as describeStepWindow, stepWindow } from '../funnel/funnel-semantics.ts';
import { FIRST_VISIT, type MetricsSpec, type StepWindow } from '../spec/spec-types.ts';
import { calendarDateDimensions } from './calendar-dimensions.ts';
import type { Cube, CubeMeasure } from './cube-types.ts';
import { FACT_CUBE, factEventMeasureName, factStepMeasureName, MART_COLUMNS as C, USERS_CUBE } from './model-names.ts';
import { sqlString, type ModelSql } from './model-sql.ts';

/** The window condition on a mart row (src/funnel/funnel-semantics.ts: 1-based days and hours, or elapsed time from the first visit). */
export function windowCondition(m: ModelSql, row: (column: string) => string, within: StepWindow | undefined): string | undefined {
  const w = stepWindow(within);
  if (!w) return undefined;
  switch (w.kind) {
    case 'days':
      return `${row(C.days)} <= ${w.days}`;
    case 'hours':
      return `${row(C.hours)} <= ${w.hours}`;
    case 'elapsed':
      return `${row(C.datetime)} <= ${m.dialect.plusSeconds(row(C.firstVisitDatetime), String(w.seconds))}`;
  }
}

export function describeWindow(within: StepWindow | undefined): string {
  return describeStepWindow(stepWindow(within));
}

/** The mart: one row per user and tracked event (first occurrence), plus one first_visit row per user. */
export function factCube(spec: MetricsSpec, m: ModelSql): Cube {
  const measures = new Map<string, CubeMeasure>();
  const add = (name: string, event: string, within: StepWindow | undefined) => {
    if (measures.has(name)) return;
    const window = windowCondition(m, m.column, within);
    measures.set(name, {
      name,
      type: 'count',
      description: `Users whose first ${event}${describeWindow(within)} is in the mart.`,
      filters: [{ sql: `${m.column(C.eventName)} = ${sqlString(event)}` }, ...(window ? [{ sql: window }] : [])],
    });
  };
  for (const event of [FIRST_VISIT, ...spec.events]) {
    const name = factEventMeasureName(event);
    if (name) add(name, event, undefined);
  }
  for (const funnel of spec.funnels) {
    for (const step of funnel.steps) add(factStepMeasureName(step), step.event, step.within);
  }

  return {
    name: FACT_CUBE,
    title: 'First activation events',
    description: `Each user's first occurrence of each tracked event, and their first visit (${spec.mart.table}). Grain: user_id + event_name.`,
    sql_table: m.identifier(spec.mart.table),
    public: false,
    joins: [{ name: USERS_CUBE, relationship: 'many_to_one', sql: `${m.column(C.userId)} = {${USERS_CUBE}.user_id}` }],
    dimensions: [
      {
        name: 'id',
        sql: `CAST(${m.column(C.userId)} AS ${m.dialect.types.string}) || ${sqlString('|')} || ${m.column(C.eventName)}`,
        type: 'string',
        primary_key: true,
        public: false,
        description: 'The grain: user_id and event_name.',
      },
      ...calendarDateDimensions(m, C.date, m.column(C.date), `Date of the event's first occurrence (${spec.timezone}).`),
      { name: C.datetime, sql: m.column(C.datetime), type: 'time', description: "Time of the event's first occurrence (stored in UTC)." },
      { name: C.userId, sql: m.column(C.userId), type: 'string' },
      { name: C.eventName, sql: m.column(C.eventName), type: 'string' },
      ...calendarDateDimensions(m, C.firstVisitDate, m.column(C.firstVisitDate), `Date of the user's first visit (${spec.timezone}): the cohort.`),
      { name: C.firstVisitDatetime, sql: m.column(C.firstVisitDatetime), type: 'time', description: "Time of the user's first visit (stored in UTC)." },
      { name: C.hours, sql: m.column(C.hours), type: 'number', description: 'Whole hours between the UTC hour buckets of the first visit and the event, plus 1.' },
      { name: C.days, sql: m.column(C.days), type: 'number', description: `Whole calendar days (${spec.timezone}) between the first visit and the event, plus 1.` },
    ],
    measures: [
      { name: 'count', type: 'count', description: 'Rows: (user, event) first occurrences.' },
      { name: 'users', type: 'count_distinct', sql: m.column(C.userId), description: 'Distinct users.' },
      ...measures.values(),
    ],
  };
}
