/**
 * A funnel's user-grain table: one row per user with a first visit, each later step's matched
 * occurrence (funnel-semantics.ts says which) and whether the user is excluded (the model derives
 * the seconds to convert from these timestamps). Computed from the raw event log, rendered per
 * engine through the Dialect; values are bound (BoundParams), identifiers quoted by the dialect.
 *
 * Excluded users keep their row, with `excluded` true and every step column NULL: a step column
 * is non-NULL exactly when the user counts at that step, so the model's measures need no other
 * condition than "NOT excluded" for step 1.
 */
import type { Statement } from '../mart/mart-sql.ts';
import type { Funnel, MetricsSpec } from '../spec/spec-types.ts';
import { BoundParams } from '../warehouse/bound-params.ts';
import type { Dialect } from '../warehouse/warehouse.ts';
import { localDateSql, localMidnightUtcSql } from '../warehouse/local-time.ts';
import { FUNNEL_COLUMNS as C } from './funnel-columns.ts';
import { funnelPlan, ORDER_RULES, type FunnelPlan, type FunnelWindow } from './funnel-semantics.ts';

export interface FunnelTableInputs {
  /** The raw event log table name (spec.sources.events), unquoted. */
  events: string;
  /**
   * A relation name (unquoted, the builder's scratch table) with columns user_id, first_datetime
   * (UTC TIMESTAMP), first_visit_date (DATE in the spec's zone): exactly one row per user with a first visit.
   */
  users: string;
  /** Inclusive upper bound on event datetime (UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]'): the build's watermark; later events are ignored. */
  through: string;
  /**
   * `events` already carries each row's first visit from `users` (columns first_datetime and
   * first_visit_date, NULL for a user not in `users`: the full build's slice), so it is read
   * without joining `users` again. Not with onlyUsers or usersFlag.
   */
  eventsWithFirstVisits?: boolean;
  /** Optional relation name with a user_id column: compute rows only for these users. */
  onlyUsers?: string;
  /** Optional integer column of `users`: compute rows only for the users whose value is 1 (a table of users shared by several funnels). */
  usersFlag?: string;
  /**
   * Occurrences remembered by earlier builds (funnel-semantics.ts, historyStandIn), read as events
   * next to `events`: in `table`, each column holds an occurrence of its event (NULL: none) for
   * the row's user_id. Not with eventsWithFirstVisits.
   */
  standIns?: { table: string; columns: readonly { column: string; event: string }[] };
}

/** The funnel's table name (validated: not a source, the mart, its state table or another funnel's table). */
export function funnelTableName(spec: MetricsSpec, funnel: Funnel): string {
  void spec;
  return funnel.table;
}

/** The table's columns, in the order funnelTableSelect produces them. `userIdType`: the users table's user_id type. */
export function funnelTableColumns(funnel: Funnel, dialect: Dialect, userIdType: string): { name: string; type: string }[] {
  const t = dialect.types;
  return [
    { name: C.userId, type: userIdType },
    { name: C.cohortDate, type: t.date },
    { name: C.firstVisitDatetime, type: t.timestamp },
    { name: C.excluded, type: t.boolean },
    ...funnel.steps.slice(1).map((step) => ({ name: C.stepAt(step), type: t.timestamp })),
  ];
}

/** A SELECT producing the funnel table's rows (one per user in `users`, restricted to onlyUsers when given). */
export function funnelTableSelect(dialect: Dialect, spec: MetricsSpec, funnel: Funnel, inputs: FunnelTableInputs): Statement {
  const p = new BoundParams(dialect);
  const sql = new FunnelTableSql(dialect, spec, funnelPlan(funnel), p).select(inputs, funnel);
  return { sql, params: p.values };
}

/**
 * SQL timestamp expression: the latest instant at which any of the funnel's steps (or exclusion
 * windows) can still change for a user with this first visit; undefined when some step has no
 * window (then the builder treats the user as always open). Events after this instant cannot
 * change the user's row. Per window: `days: N` local midnight starting first visit date + N;
 * `hours: N` the first visit's hour bucket + N hours; an elapsed duration: first visit + duration.
 * Exclusion windows are step windows, so they add nothing.
 */
export function funnelOpenUntil(dialect: Dialect, spec: MetricsSpec, funnel: Funnel, firstDatetimeSql: string, firstVisitDateSql: string, p: BoundParams): string | undefined {
  const windows = funnelPlan(funnel).steps.slice(1).map((s) => s.window);
  if (windows.some((w) => w === undefined)) return undefined;
  const ends = (windows as FunnelWindow[]).map((w) => windowEnd(dialect, spec, w, firstDatetimeSql, firstVisitDateSql, p));
  return ends.length === 1 ? ends[0] : `GREATEST(${ends.join(', ')})`;
}

function windowEnd(d: Dialect, spec: MetricsSpec, w: FunnelWindow, firstDatetime: string, firstVisitDate: string, p: BoundParams): string {
  switch (w.kind) {
    case 'days':
      return localMidnightUtcSql(d, d.addDays(firstVisitDate, p.bind(w.days, d.types.integer)), spec.timezone, (zone) => p.bind(zone));
    case 'hours':
      return d.plusSeconds(d.hourStart(firstDatetime), p.bind(w.hours * 3600, d.types.bigint));
    case 'elapsed':
      return d.plusSeconds(firstDatetime, p.bind(w.seconds, d.types.bigint));
  }
}

/** Names of the SELECT's working relations and columns (never visible outside it). */
const W = {
  users: 'funnel_users',
  events: 'funnel_events',
  matched: 'funnel_matched',
  at: (k: number) => `at_${k + 1}`,
  own: (k: number) => `own_${k + 1}`,
  localDate: 'local_date',
};

class FunnelTableSql {
  private readonly q: (name: string) => string;

  constructor(
    private readonly d: Dialect,
    private readonly spec: MetricsSpec,
    private readonly plan: FunnelPlan,
    private readonly p: BoundParams,
  ) {
    this.q = (name) => d.quoteIdentifier(name);
  }

  select(inputs: FunnelTableInputs, funnel: Funnel): string {
    const { d, q, p, plan } = this;
    const later = plan.steps.slice(1);
    const needsLocalDate = later.some((s) => s.window?.kind === 'days');
    const only = [
      ...(inputs.onlyUsers ? [`u.user_id IN (SELECT o.user_id FROM ${q(inputs.onlyUsers)} AS o)`] : []),
      ...(inputs.usersFlag ? [`u.${q(inputs.usersFlag)} = 1`] : []),
    ];
    const users = [
      `${W.users} AS (`,
      `  -- the users to compute, with their first visit`,
      `  SELECT u.user_id, u.first_datetime, u.first_visit_date`,
      `  FROM ${q(inputs.users)} AS u`,
      ...(only.length > 0 ? [`  WHERE ${only.join(' AND ')}`] : []),
      `)`,
    ];
    if (inputs.eventsWithFirstVisits && (inputs.onlyUsers || inputs.usersFlag || inputs.standIns)) throw new Error('eventsWithFirstVisits reads every user: not with onlyUsers, usersFlag or standIns');
    // Where the events carry their first visits, `u` is the event row itself (no join).
    const u = inputs.eventsWithFirstVisits ? 'e' : 'u';
    const events = [
      `${W.events} AS (`,
      `  -- the funnel's events at or after each user's first visit, up to the build's watermark`,
      `  SELECT e.user_id, e.event_name, e."datetime", ${u}.first_datetime, ${u}.first_visit_date${needsLocalDate ? `, ${localDateSql(d, 'e."datetime"', this.spec.timezone, (zone) => p.bind(zone))} AS ${W.localDate}` : ''}`,
      `  FROM ${this.eventSource(inputs)} AS e`,
      ...(inputs.eventsWithFirstVisits ? [] : [`  JOIN ${W.users} AS u ON e.user_id = u.user_id`]),
      `  WHERE e.event_name IN (${p.list(plan.events)})`,
      `    AND e."datetime" >= ${u}.first_datetime`,
      `    AND e."datetime" <= ${p.bind(inputs.through, d.types.timestamp)}`,
      `)`,
    ];
    const matching = ORDER_RULES[plan.order].afterPrevious ? this.sequentialMatches() : this.ownMatches();
    const final = this.finalSelect(funnel);
    return [`WITH ${users.join('\n')},`, `${events.join('\n')},`, `${matching.join(',\n')}`, final].join('\n');
  }

  /** The events relation, with the stand-ins' occurrences as more rows when there are any. */
  private eventSource(inputs: FunnelTableInputs): string {
    const { q, p, d } = this;
    if (!inputs.standIns || inputs.standIns.columns.length === 0) return q(inputs.events);
    const { table, columns } = inputs.standIns;
    const standIns = columns.map(
      (c) => `  SELECT k.user_id, ${p.bind(c.event, d.types.string)} AS event_name, k.${q(c.column)} AS "datetime" FROM ${q(table)} AS k WHERE k.${q(c.column)} IS NOT NULL`,
    );
    return `(\n  SELECT user_id, event_name, "datetime" FROM ${q(inputs.events)}\n  UNION ALL\n${standIns.join('\n  UNION ALL\n')}\n  )`;
  }

  /** Step k's event inside its window, for an event row `e` of funnel_events. */
  private inWindow(k: number, e: string): string {
    const step = this.plan.steps[k];
    const conditions = [`${e}.event_name = ${this.p.bind(step.event)}`];
    const window = this.windowCondition(step.window, e);
    if (window) conditions.push(window);
    return conditions.join(' AND ');
  }

  /** The window's own condition on an event row `e` (undefined: no window). */
  private windowCondition(window: FunnelWindow | undefined, e: string): string | undefined {
    const { d, p } = this;
    if (!window) return undefined;
    switch (window.kind) {
      case 'days':
        return `${d.daysBetween(`${e}.${W.localDate}`, `${e}.first_visit_date`)} + 1 <= ${p.bind(window.days, d.types.integer)}`;
      case 'hours':
        return `${d.hourBucketsBetween(`${e}."datetime"`, `${e}.first_datetime`)} + 1 <= ${p.bind(window.hours, d.types.integer)}`;
      case 'elapsed':
        return `${e}."datetime" <= ${d.plusSeconds(`${e}.first_datetime`, p.bind(window.seconds, d.types.bigint))}`;
    }
  }

  /**
   * sequential: one relation per step, each the earliest occurrence at or after the previous
   * step's match. Each aggregates the event rows of the users who reached the previous step only
   * (not every user); users without a match come back as NULL from the final LEFT JOINs.
   */
  private sequentialMatches(): string[] {
    const steps = this.plan.steps;
    const out: string[] = [];
    for (let k = 1; k < steps.length; k++) {
      const from = k === 1 ? '' : `\n  JOIN funnel_step_${k} AS s ON s.user_id = e.user_id AND e."datetime" >= s.${W.at(k - 1)}`;
      out.push(
        [
          `funnel_step_${k + 1} AS (`,
          `  -- step ${k + 1} (${sqlComment(steps[k].name)}): the earliest occurrence inside its window, at or after step ${k}'s`,
          `  SELECT e.user_id, MIN(e."datetime") AS ${W.at(k)}`,
          `  FROM ${W.events} AS e${from}`,
          `  WHERE ${this.inWindow(k, 'e')}`,
          `  GROUP BY e.user_id`,
          `)`,
        ].join('\n'),
      );
    }
    const joins = steps.slice(1).map((s) => `  LEFT JOIN funnel_step_${s.index + 1} AS m${s.index + 1} ON m${s.index + 1}.user_id = u.user_id`);
    out.push(
      [
        `${W.matched} AS (`,
        `  SELECT u.user_id, u.first_datetime, u.first_visit_date, ${steps.slice(1).map((s) => `m${s.index + 1}.${W.at(s.index)}`).join(', ')}`,
        `  FROM ${W.users} AS u`,
        ...joins,
        `)`,
      ].join('\n'),
    );
    return out;
  }

  /** independent and any: each step's earliest occurrence inside its window, in one pass over the events; `any` then needs all previous steps. */
  private ownMatches(): string[] {
    const steps = this.plan.steps;
    const own = steps.slice(1).map((s) => `    MIN(CASE WHEN ${this.inWindow(s.index, 'e')} THEN e."datetime" END) AS ${W.own(s.index)}`);
    const at = steps.slice(1).map((s) => {
      if (!ORDER_RULES[this.plan.order].needsPrevious) return `  o.${W.own(s.index)} AS ${W.at(s.index)}`;
      const all = steps.slice(1, s.index + 1).map((t) => `o.${W.own(t.index)} IS NOT NULL`);
      return `  CASE WHEN ${all.join(' AND ')} THEN o.${W.own(s.index)} END AS ${W.at(s.index)}`;
    });
    return [
      [
        `funnel_own AS (`,
        `  -- each step's earliest occurrence inside its window (users with events of the funnel only)`,
        `  SELECT e.user_id,`,
        own.join(',\n'),
        `  FROM ${W.events} AS e`,
        `  GROUP BY e.user_id`,
        `)`,
      ].join('\n'),
      [
        `${W.matched} AS (`,
        this.plan.order === 'any' ? `  -- any: a step counts when every previous step does too` : `  -- independent: each step on its own`,
        `  SELECT u.user_id, u.first_datetime, u.first_visit_date,`,
        at.join(',\n'),
        `  FROM ${W.users} AS u`,
        `  LEFT JOIN funnel_own AS o ON o.user_id = u.user_id`,
        `)`,
      ].join('\n'),
    ];
  }

  private finalSelect(funnel: Funnel): string {
    const { q, p } = this;
    const steps = this.plan.steps;
    const at = (k: number) => (k === 0 ? 'm.first_datetime' : `m.${W.at(k)}`);
    const exclusions = this.plan.exclusions.map((x) => {
      const toWindow = this.windowCondition(steps[x.to].window, 'x');
      const untilEnd = toWindow ? `(${at(x.to)} IS NULL AND ${toWindow})` : `${at(x.to)} IS NULL`;
      return [
        `EXISTS (`,
        `      -- ${sqlComment(x.event)} between ${sqlComment(steps[x.from].name)} and ${sqlComment(steps[x.to].name)} (or the end of its window)`,
        `      SELECT 1 FROM ${W.events} AS x`,
        `      WHERE x.user_id = m.user_id AND x.event_name = ${p.bind(x.event)} AND x."datetime" >= ${at(x.from)}`,
        `        AND (x."datetime" <= ${at(x.to)} OR ${untilEnd}))`,
      ].join('\n');
    });
    const excluded = exclusions.length === 0 ? 'FALSE' : `(${exclusions.join('\n    OR ')})`;
    const keep = (value: string) => (exclusions.length === 0 ? value : `CASE WHEN f.${q(C.excluded)} THEN NULL ELSE ${value} END`);
    const stepColumns = funnel.steps.slice(1).map((step, i) => `  ${keep(`f.${W.at(i + 1)}`)} AS ${q(C.stepAt(step))}`);
    return [
      `SELECT`,
      `  f.user_id AS ${q(C.userId)},`,
      `  f.first_visit_date AS ${q(C.cohortDate)},`,
      `  f.first_datetime AS ${q(C.firstVisitDatetime)},`,
      `  f.${q(C.excluded)} AS ${q(C.excluded)},`,
      stepColumns.join(',\n'),
      `FROM (`,
      `  SELECT m.*, ${excluded} AS ${q(C.excluded)}`,
      `  FROM ${W.matched} AS m`,
      `) AS f`,
    ].join('\n');
  }
}

/** Text safe inside a `--` comment. */
function sqlComment(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}
