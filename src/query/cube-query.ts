/**
 * The REST query object (`/load`'s `query`) and the normalization Cube's API gateway would apply
 * before handing it to the compiler (the gateway ships with the server, which cannot run here).
 * The checks follow the gateway's (packages/cubejs-api-gateway/src/query.js: a Joi schema, then
 * filter and limit checks) and use its messages where it has one; where the gateway lets a query
 * through that would crash the compiler or silently mean nothing (an unknown filter operator, a
 * date that is not a date, an order on a member the query does not select), the message names the field.
 */
import { UserError } from '../user-error.ts';

export interface CubeRestQuery {
  measures?: string[];
  dimensions?: string[];
  timeDimensions?: { dimension: string; granularity?: string; dateRange?: string | [string] | [string, string] }[];
  filters?: unknown[];
  segments?: string[];
  order?: Record<string, 'asc' | 'desc'> | [string, 'asc' | 'desc'][];
  limit?: number;
  offset?: number;
  timezone?: string;
  ungrouped?: boolean;
}

const KEYS = ['measures', 'dimensions', 'timeDimensions', 'filters', 'segments', 'order', 'limit', 'offset', 'timezone', 'ungrouped'];
const TIME_DIMENSION_KEYS = ['dimension', 'granularity', 'dateRange', 'compareDateRange'];
const FILTER_KEYS = ['member', 'dimension', 'operator', 'values'];

/** The gateway's filter operators: exactly those Cube's compiler implements (BaseFilter's `<operator>Where`). */
export const FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'in',
  'notIn',
  'gt',
  'gte',
  'lt',
  'lte',
  'set',
  'notSet',
  'inDateRange',
  'notInDateRange',
  'onTheDate',
  'beforeDate',
  'beforeOrOnDate',
  'afterDate',
  'afterOrOnDate',
  'measureFilter',
] as const;
const WITHOUT_VALUES = new Set(['set', 'notSet', 'measureFilter']);
/** Operators whose values are dates, and how many each takes. */
const DATE_OPERATORS: Record<string, number> = { inDateRange: 2, notInDateRange: 2, onTheDate: 1, beforeDate: 1, beforeOrOnDate: 1, afterDate: 1, afterOrOnDate: 1 };

/** The gateway's member id: `cube.member`. */
const MEMBER_ID = /^[a-zA-Z0-9_]+\.[a-zA-Z0-9_]+$/;

/** The gateway's default CUBEJS_DB_QUERY_LIMIT: the largest `limit` a REST query may ask for. */
export const DEFAULT_QUERY_LIMIT = 50_000;

const invalid = (detail: string) => new UserError('invalid-query', `Invalid query format: ${detail}`);

/** Parses the CLI's JSON argument. */
export function parseCubeQuery(json: string, env: Record<string, string | undefined> = process.env): CubeRestQuery {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw invalid(`not valid JSON (${(error as Error).message})`);
  }
  return checkCubeQuery(value, env);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Shape checks with messages in the style of Cube's gateway (`"x" is not allowed`, `"measures" must be an array`). */
export function checkCubeQuery(value: unknown, env: Record<string, string | undefined> = process.env): CubeRestQuery {
  if (!isObject(value)) throw invalid('the query must be a JSON object');
  const query = value;
  for (const key of Object.keys(query)) if (!KEYS.includes(key)) throw invalid(`"${key}" is not allowed`);
  for (const key of ['measures', 'dimensions', 'segments', 'filters', 'timeDimensions']) {
    if (query[key] !== undefined && !Array.isArray(query[key])) throw invalid(`"${key}" must be an array`);
  }
  for (const key of ['measures', 'dimensions', 'segments']) {
    const items = (query[key] as unknown[] | undefined) ?? [];
    if (items.some((m) => typeof m !== 'string')) throw invalid(`"${key}" must contain member names (strings)`);
  }
  ((query.timeDimensions as unknown[] | undefined) ?? []).forEach((td, i) => checkTimeDimension(td, `timeDimensions[${i}]`));
  checkFilters((query.filters as unknown[] | undefined) ?? [], 'filters');
  checkLimit(query.limit, env);
  if (query.offset !== undefined) checkInteger(query.offset, 'offset', 0);
  if (query.timezone !== undefined && typeof query.timezone !== 'string') throw invalid('"timezone" must be a string');
  if (query.timezone === '') throw invalid('"timezone" is not allowed to be empty');
  if (query.ungrouped !== undefined && typeof query.ungrouped !== 'boolean') throw invalid('"ungrouped" must be a boolean');
  const measures = (query.measures as string[] | undefined) ?? [];
  const dimensions = (query.dimensions as string[] | undefined) ?? [];
  // As the gateway: a time dimension without a granularity only filters; it selects nothing.
  const timeDimensions = ((query.timeDimensions as { granularity?: unknown }[] | undefined) ?? []).filter((td) => td.granularity);
  if (measures.length + dimensions.length + timeDimensions.length === 0) {
    throw new UserError('invalid-query', 'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid');
  }
  if (query.order !== undefined) checkOrder(query.order, query as CubeRestQuery);
  return query as CubeRestQuery;
}

function checkTimeDimension(td: unknown, label: string): void {
  if (!isObject(td) || typeof td.dimension !== 'string') throw invalid('each of "timeDimensions" needs a "dimension"');
  for (const key of Object.keys(td)) if (!TIME_DIMENSION_KEYS.includes(key)) throw invalid(`"${label}.${key}" is not allowed`);
  if (td.compareDateRange !== undefined) throw invalid(`"${label}.compareDateRange" needs Cube's API gateway (it splits the query in one per range); run one query per dateRange instead`);
  if (td.granularity !== undefined && td.granularity !== null && typeof td.granularity !== 'string') throw invalid(`"${label}.granularity" must be a string`);
  const range = td.dateRange;
  if (range === undefined) return;
  if (typeof range === 'string') {
    // A relative range ("last 7 days") is parsed by the gateway; compilerOptions refuses it.
    if (/^\d{4}-/.test(range)) checkDate(range, `${label}.dateRange`);
    return;
  }
  if (!Array.isArray(range) || range.length < 1 || range.length > 2 || !range.every((d) => typeof d === 'string')) {
    throw invalid(`"${label}.dateRange" must be [from, to] dates (or one date, or a relative range such as "last 7 days")`);
  }
  // A range that ends before it starts is valid, and empty, as in Cube.
  range.forEach((d, i) => checkDate(d, `${label}.dateRange[${i}]`));
}

/** YYYY-MM-DD, or a local date-time YYYY-MM-DDTHH:MM[:SS[.fraction]] (a space for the T, and a final Z, as moment accepts them). */
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?Z?)?$/;

function checkDate(text: string, label: string): void {
  const m = DATE_TEXT.exec(text);
  const valid =
    m !== null &&
    (() => {
      const [year, month, day, hour = '0', minute = '0', second = '0'] = m.slice(1).map((p) => p ?? undefined);
      const y = Number(year);
      const mo = Number(month);
      const d = Number(day);
      const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
      return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
    })();
  if (!valid) throw invalid(`"${label}" must be a date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.sss; got ${JSON.stringify(text)}`);
}

function checkFilters(filters: unknown[], label: string): void {
  filters.forEach((filter, i) => {
    const here = `${label}[${i}]`;
    const fail = (why: string) => invalid(`"${here}" does not match any of the allowed types: ${why}`);
    if (!isObject(filter)) throw fail('a filter is {"member", "operator", "values"} or {"or": [...]} / {"and": [...]}');
    if ('or' in filter || 'and' in filter) {
      const keys = Object.keys(filter);
      if (keys.length !== 1) throw fail(`a logical filter has exactly one key, "or" or "and"; got ${keys.map((k) => `"${k}"`).join(', ')}`);
      const list = filter[keys[0]];
      if (!Array.isArray(list)) throw fail(`"${keys[0]}" must be an array of filters`);
      checkFilters(list, `${here}.${keys[0]}`);
      return;
    }
    for (const key of Object.keys(filter)) if (!FILTER_KEYS.includes(key)) throw fail(`"${key}" is not allowed`);
    if ((filter.member === undefined) === (filter.dimension === undefined)) throw fail('give "member" (or the older "dimension"), exactly one of them');
    const member = filter.member ?? filter.dimension;
    if (typeof member !== 'string' || !MEMBER_ID.test(member)) throw fail(`"member" must be a member name such as cube.member; got ${JSON.stringify(member)}`);
    if (filter.operator === undefined) throw new UserError('invalid-query', `Operator required for filter: ${JSON.stringify(filter)}`);
    const operator = filter.operator;
    if (typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator)) {
      throw new UserError('invalid-query', `Operator ${String(operator)} not supported for filter: ${JSON.stringify(filter)}; "${here}.operator" must be one of: ${FILTER_OPERATORS.filter((o) => o !== 'measureFilter').join(', ')}`);
    }
    if (operator === 'measureFilter') {
      // Cube's drill-down internals: the compiler fails on it ("Path can't be undefined") unless the server built the query.
      throw invalid(`"${here}.operator": measureFilter is used by Cube's drill-downs internally and is not supported here; filter a measure with gt, gte, lt, lte, equals or notEquals`);
    }
    const values = filter.values;
    if (values !== undefined && (!Array.isArray(values) || !values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)))) {
      throw fail('"values" must be an array of strings, numbers, booleans or nulls');
    }
    if ((values === undefined || values.length === 0) && !WITHOUT_VALUES.has(operator)) {
      throw new UserError('invalid-query', `Values required for filter: ${JSON.stringify(filter)}`);
    }
    const dates = DATE_OPERATORS[operator];
    if (dates !== undefined) {
      if (values!.length !== dates) throw invalid(`"${here}.values": ${operator} takes ${dates === 2 ? 'two dates, [from, to]' : 'one date'}; got ${values!.length} value(s)`);
      values!.forEach((v, k) => checkDate(String(v), `${here}.values[${k}]`));
    }
  });
}

function checkInteger(value: unknown, label: string, min: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(`"${label}" must be a number`);
  if (!Number.isInteger(value)) throw invalid(`"${label}" must be an integer`);
  if (value < min) throw invalid(`"${label}" must be greater than or equal to ${min}`);
  if (!Number.isSafeInteger(value)) throw invalid(`"${label}" must be a safe number`);
  return value;
}

/** The gateway's limit checks: an integer of at least 1, and no more than CUBEJS_DB_QUERY_LIMIT. */
function checkLimit(value: unknown, env: Record<string, string | undefined>): void {
  if (value === undefined) return;
  const limit = checkInteger(value, 'limit', 1);
  const configured = env.CUBEJS_DB_QUERY_LIMIT;
  const max = configured && /^\d+$/.test(configured) ? Number(configured) : DEFAULT_QUERY_LIMIT;
  if (limit > max) {
    throw new UserError('invalid-query', `The query limit has been exceeded: "limit" is ${limit}, at most ${max} (CUBEJS_DB_QUERY_LIMIT${configured ? '' : ', default'}); page through with "offset"`);
  }
}

/** The members a query selects, which its `order` may name (as Cube's getFieldIndex finds them). */
function selectedMembers(query: CubeRestQuery): Set<string> {
  const selected = new Set([...(query.measures ?? []), ...(query.dimensions ?? [])]);
  // A `cube.time.granularity` dimension selects `cube.time` (the gateway makes it a time dimension).
  for (const d of query.dimensions ?? []) if (d.split('.').length === 3) selected.add(d.split('.').slice(0, 2).join('.'));
  for (const td of query.timeDimensions ?? []) if (td.granularity) selected.add(td.dimension);
  return selected;
}

function checkOrder(order: unknown, query: CubeRestQuery): void {
  let pairs: [string, unknown, string][];
  if (Array.isArray(order)) {
    pairs = order.map((item, i) => {
      if (!Array.isArray(item) || item.length < 2) throw invalid(`"order[${i}]" must contain at least 2 items`);
      if (item.length > 2) throw invalid(`"order[${i}]" must contain at most 2 items, [member, "asc" | "desc"]`);
      if (typeof item[0] !== 'string' || !MEMBER_ID.test(item[0])) throw invalid(`"order[${i}][0]" must be a member name such as cube.member; got ${JSON.stringify(item[0])}`);
      return [item[0], item[1], `order[${i}][1]`];
    });
  } else if (isObject(order)) {
    pairs = Object.entries(order).map(([member, direction]) => {
      if (!MEMBER_ID.test(member)) throw invalid(`"order.${member}" is not allowed`);
      return [member, direction, `order.${member}`];
    });
  } else {
    throw invalid('"order" must be an object ({"cube.member": "asc"}) or an array of [member, "asc" | "desc"] pairs');
  }
  const selected = selectedMembers(query);
  for (const [member, direction, label] of pairs) {
    if (direction !== 'asc' && direction !== 'desc') throw invalid(`"${label}" must be one of [asc, desc]`);
    if (!selected.has(member)) {
      throw invalid(
        `"order" names ${member}, which the query does not select; order by one of its measures, dimensions or time dimensions with a granularity (${[...selected].join(', ') || 'none'})`,
      );
    }
  }
}

/** The gateway's filter normalization: `dimension` becomes `member`, values become strings. */
function normalizeFilters(filters: unknown[]): unknown[] {
  return filters.map((f) => {
    const filter = f as Record<string, unknown>;
    if (Array.isArray(filter.or)) return { or: normalizeFilters(filter.or) };
    if (Array.isArray(filter.and)) return { and: normalizeFilters(filter.and) };
    const { dimension, member, values, ...rest } = filter;
    return {
      ...rest,
      member: member ?? dimension,
      ...(Array.isArray(values) && { values: values.map((v: unknown) => (v === null || v === undefined ? v : String(v))) }),
    };
  });
}

/** The compiler's options for a REST query, as the gateway normalizes it. */
export function compilerOptions(query: CubeRestQuery) {
  const timeDimensions = (query.timeDimensions ?? []).map((td) => {
    if (typeof td.dateRange === 'string') {
      if (!/^\d{4}-\d{2}-\d{2}/.test(td.dateRange)) {
        throw new UserError('invalid-query', `relative dateRange "${td.dateRange}" needs Cube's API gateway; give [from, to] dates`);
      }
      return { ...td, dateRange: [td.dateRange, td.dateRange] };
    }
    if (Array.isArray(td.dateRange) && td.dateRange.length === 1) return { ...td, dateRange: [td.dateRange[0], td.dateRange[0]] };
    return td;
  });
  const order = Array.isArray(query.order)
    ? query.order.map(([id, dir]) => ({ id, desc: dir === 'desc' }))
    : query.order
      ? Object.entries(query.order).map(([id, dir]) => ({ id, desc: dir === 'desc' }))
      : undefined;
  return {
    measures: query.measures ?? [],
    dimensions: query.dimensions ?? [],
    timeDimensions,
    filters: normalizeFilters(query.filters ?? []),
    segments: query.segments ?? [],
    ...(order && { order }),
    ...(query.limit !== undefined && { limit: query.limit, rowLimit: query.limit }),
    ...(query.offset !== undefined && { offset: query.offset }),
    ...(query.ungrouped !== undefined && { ungrouped: query.ungrouped }),
    // REST's default time zone.
    timezone: query.timezone ?? 'UTC',
    // The API gateway converts raw time dimensions (in `dimensions`) into the query's zone too
    // (Cube's getEnv('convertTzForRawTimeDimension'), on by default through CUBESQL_SQL_PUSH_DOWN).
    convertTzForRawTimeDimension: true,
  };
}
