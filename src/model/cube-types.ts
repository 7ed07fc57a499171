/** The subset of Cube's YAML data model the generator writes (snake_case, as in the files). */
export interface CubeDimension {
  name: string;
  sql: string;
  type: 'string' | 'number' | 'boolean' | 'time';
  title?: string;
  description?: string;
  primary_key?: boolean;
  public?: boolean;
}

export interface CubeMeasure {
  name: string;
  type: 'count' | 'count_distinct' | 'number' | 'sum';
  sql?: string;
  title?: string;
  description?: string;
  format?: 'percent';
  filters?: { sql: string }[];
  public?: boolean;
  /** Free-form metadata Cube passes to clients (/meta); `unit: seconds` marks durations. */
  meta?: { unit: 'seconds' };
}

export interface CubeJoin {
  name: string;
  relationship: 'many_to_one';
  sql: string;
}

/** A rollup pre-aggregation (see funnel-rollup.ts). */
export interface CubePreAggregation {
  name: string;
  type: 'rollup';
  /** false: the rollup table lives in the warehouse itself, not in Cube Store. */
  external: boolean;
  measures: string[];
  dimensions: string[];
  time_dimension: string;
  granularity: 'day';
  refresh_key: { sql: string };
}

export interface Cube {
  name: string;
  /** Cube's prefix for the cube's SQL aliases and pre-aggregation tables, when its name is too long for them. */
  sql_alias?: string;
  title?: string;
  description?: string;
  sql_table?: string;
  sql?: string;
  public: false;
  joins?: CubeJoin[];
  dimensions: CubeDimension[];
  measures: CubeMeasure[];
  pre_aggregations?: CubePreAggregation[];
}

export interface ViewInclude {
  name: string;
  alias?: string;
}

export interface View {
  name: string;
  title?: string;
  description?: string;
  cubes: { join_path: string; includes: (string | ViewInclude)[]; prefix?: boolean }[];
}

/** One generated file: its path under model/ and its content. */
export interface ModelFile {
  path: string;
  kind: 'cubes' | 'views';
  content: Cube | View;
}
