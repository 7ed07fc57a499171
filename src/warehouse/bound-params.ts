import type { Dialect } from './warehouse.ts';

/**
 * Collects the values of one statement and hands out their placeholders, so that values are
 * always bound and never pasted into SQL text.
 */
export class BoundParams {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: Dialect) {}

  /** A placeholder for `value`, optionally cast to a SQL type. */
  bind(value: unknown, type?: string): string {
    this.values.push(value);
    const placeholder = this.dialect.parameter(this.values.length);
    return type ? `CAST(${placeholder} AS ${type})` : placeholder;
  }

  /** A comma-separated placeholder list for an IN (...) clause; `NULL` when empty so the clause matches nothing. */
  list(values: readonly unknown[], type?: string): string {
    return values.length === 0 ? 'NULL' : values.map((v) => this.bind(v, type)).join(', ');
  }
}
