/**
 * The REST query object (`/load`'s `query`) and the normalization Cube's API gateway would apply
 * before handing it to the compiler (the gateway ships with the server, which cannot run here).
 */
import { UserError } from '../user-error.ts';

export interface CubeRestQuery {
  measures?: string[];
  dimensions?: string[];
  timeDimensions?: { dimension: string; granularity?: string; dateRange?: string | [string, string] }[];
  filters?: unknown[];
  segments?: string[];
  order?: Record<string, 'asc' | 'desc'> | [string, 'asc' | 'desc'][];
  limit?: number;
  offset?: number;
  timezone?: string;
  ungrouped?: boolean;
}

const KEYS = ['measures', 'dimensions', 'timeDimensions', 'filters', 'segments', 'order', 'limit', 'offset', 'timezone', 'ungrouped'];

const invalid = (detail: string) => new UserError('invalid-query', `Invalid query format: ${detail}`);

/** Parses the CLI's JSON argument. */
export function parseCubeQuery(json: string): CubeRestQuery {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw invalid(`not valid JSON (${(error as Error).message})`);
  }
  return checkCubeQuery(value);
}

/** Shape checks with messages in the style of Cube's gateway (`"x" is not allowed`, `"measures" must be an array`). */
export function checkCubeQuery(value: unknown): CubeRestQuery {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('the query must be a JSON object');
  const query = value as Record<string, unknown>;
  for (const key of Object.keys(query)) if (!KEYS.includes(key)) throw invalid(`"${key}" is not allowed`);
  for (const key of ['measures', 'dimensions', 'segments', 'filters', 'timeDimensions']) {
    if (query[key] !== undefined && !Array.isArray(query[key])) throw invalid(`"${key}" must be an array`);
  }
  for (const key of ['measures', 'dimensions', 'segments']) {
    const items = (query[key] as unknown[] | undefined) ?? [];
    if (items.some((m) => typeof m !== 'string')) throw invalid(`"${key}" must contain member names (strings)`);
  }
  for (const td of (query.timeDimensions as unknown[] | undefined) ?? []) {
    if (typeof td !== 'object' || td === null || typeof (td as { dimension?: unknown }).dimension !== 'string') throw invalid('each of "timeDimensions" needs a "dimension"');
    const range = (td as { dateRange?: unknown }).dateRange;
    if (range !== undefined && !(Array.isArray(range) && range.length === 2 && range.every((d) => typeof d === 'string')) && typeof range !== 'string') {
      throw invalid('"dateRange" must be [from, to] dates');
    }
  }
  for (const key of ['limit', 'offset']) {
    if (query[key] !== undefined && !(Number.isInteger(query[key]) && (query[key] as number) >= 0)) throw invalid(`"${key}" must be a non-negative integer`);
  }
  if (query.timezone !== undefined && typeof query.timezone !== 'string') throw invalid('"timezone" must be a string');
  const measures = (query.measures as string[] | undefined) ?? [];
  const dimensions = (query.dimensions as string[] | undefined) ?? [];
  const timeDimensions = (query.timeDimensions as unknown[] | undefined) ?? [];
  if (measures.length + dimensions.length + timeDimensions.length === 0) {
    throw new UserError('invalid-query', 'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid');
  }
  return query as CubeRestQuery;
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
    filters: query.filters ?? [],
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
