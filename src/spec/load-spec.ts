import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { SpecError, type SpecIssue } from './spec-issue.ts';
import { defaultFunnelTable, type Duration, type Funnel, type FunnelExclusion, type MetricsSpec, type StepWindow } from './spec-types.ts';
import { checkSpecRules } from './spec-rules.ts';
import { checkSafetyRules } from './safety-rules.ts';

const schema = createRequire(import.meta.url)('../../schema/metrics.schema.json');
const validateShape = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false }).compile(schema);

type Path = (string | number)[];

/** Turns JSON paths into file positions; shared by the shape check and the rules. */
export class SpecLocator {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** An issue at the node for `path` (or at its key when `atKey`), falling back to the nearest ancestor that exists. */
  issue(code: string, path: Path, message: string, atKey = false): SpecIssue {
    const offset = this.offsetOf(path, atKey);
    const { line, col } = this.lines.linePos(offset);
    return { code, message, file: this.file, line, column: col, field: fieldName(path) };
  }

  private offsetOf(path: Path, atKey: boolean): number {
    if (atKey && path.length > 0) {
      const parent = path.length > 1 ? this.doc.getIn(path.slice(0, -1), true) : this.doc.contents;
      const pair = isMap(parent) ? parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === path[path.length - 1]) : undefined;
      const key = pair?.key as Node | undefined;
      if (key?.range) return key.range[0];
    }
    for (let depth = path.length; depth > 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth), true) as Node | null;
      if (node?.range) return node.range[0];
    }
    return (this.doc.contents as Node | null)?.range?.[0] ?? 0;
  }
}

function fieldName(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Reads, validates and normalizes metrics.yaml. Throws a SpecError listing every problem found. */
export function loadSpecFile(file: string): MetricsSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new SpecError([{ code: 'file-unreadable', message: reason, file, line: 1, column: 1, field: '' }]);
  }
  return parseSpec(text, file);
}

export function parseSpec(text: string, file = 'metrics.yaml'): MetricsSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        const message = e.code === 'MULTIPLE_DOCS' ? 'a second YAML document starts here (---); metrics.yaml is one document' : e.message.split('\n')[0];
        return { code: 'yaml-syntax', message, file, line, column: col, field: '' };
      }),
    );
  }
  const locator = new SpecLocator(file, doc, lines);
  const raw = toJS(doc, lines, file);
  if (!validateShape(raw)) {
    throw new SpecError(shapeIssues(validateShape.errors ?? [], locator));
  }
  const spec = normalize(raw as RawSpec);
  const issues = [...checkSpecRules(raw as RawSpec, spec, locator), ...checkSafetyRules(raw as RawSpec, spec, locator)];
  if (issues.length > 0) throw new SpecError(issues);
  return spec;
}

/** Alias expansions allowed while reading the document (the `yaml` package's default): plenty for reusing a window or a step list. */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. An alias that expands too often (a "billion laughs" document, which
 * would take the process's memory) is a located error at the first alias, not a crash.
 */
function toJS(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let first: { offset: number; source: string } | undefined;
    visit(doc, {
      Alias(_, node) {
        first = { offset: node.range?.[0] ?? 0, source: node.source };
        return visit.BREAK;
      },
    });
    const { line, col } = lines.linePos(first?.offset ?? 0);
    const message = `aliases expand too many times (more than ${MAX_ALIAS_COUNT} references to anchored nodes, from *${first?.source ?? '?'} here on), which looks like a resource-exhaustion ("billion laughs") document; write the values out instead of nesting aliases`;
    throw new SpecError([{ code: 'yaml-alias-limit', message, file, line, column: col, field: '' }]);
  }
}

/** The document as the schema admits it, before defaults. */
export interface RawSpec {
  version: 1;
  timezone?: string;
  sources?: { events?: string; users?: string; user_attributes?: string[] };
  mart?: { table?: string; state_table?: string };
  incremental?: { lookback?: Duration; future_tolerance?: Duration };
  events: string[];
  funnels: {
    name: string;
    title?: string;
    description?: string;
    order?: Funnel['order'];
    table?: string;
    steps: { event: string; name?: string; within?: StepWindow }[];
    exclusions?: FunnelExclusion[];
  }[];
}

function normalize(raw: RawSpec): MetricsSpec {
  const martTable = raw.mart?.table ?? 'fact__first_activation_events';
  return {
    version: 1,
    timezone: raw.timezone ?? 'UTC',
    sources: {
      events: raw.sources?.events ?? 'fact__events',
      users: raw.sources?.users ?? 'dim__users',
      userAttributes: raw.sources?.user_attributes ?? ['country', 'device_os', 'app_version', 'first_campaign', 'first_medium', 'first_source'],
    },
    mart: { table: martTable, stateTable: raw.mart?.state_table ?? `${martTable}__build_state` },
    incremental: { lookback: raw.incremental?.lookback ?? { days: 3 }, futureTolerance: raw.incremental?.future_tolerance ?? { hours: 1 } },
    events: raw.events,
    funnels: raw.funnels.map((f) => ({
      name: f.name,
      ...(f.title !== undefined && { title: f.title }),
      ...(f.description !== undefined && { description: f.description }),
      order: f.order ?? 'sequential',
      steps: f.steps.map((s) => ({ name: s.name ?? s.event, event: s.event, ...(s.within && { within: s.within }) })),
      exclusions: (f.exclusions ?? []).map((x) => ({ event: x.event, between: [x.between[0], x.between[1]] })),
      table: f.table ?? defaultFunnelTable(martTable, f.name),
    })),
  };
}

function shapeIssues(errors: ErrorObject[], locator: SpecLocator): SpecIssue[] {
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const error of errors) {
    // `if`/`oneOf` wrappers and duplicates of a more specific error add nothing for the reader.
    const issue = shapeIssue(error, locator);
    const key = `${issue.line}:${issue.column}:${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function shapeIssue(error: ErrorObject, locator: SpecLocator): SpecIssue {
  const path: Path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      return locator.issue('unknown-key', [...path, key], `unknown key "${key}"; expected one of: ${allowed.join(', ')}`, true);
    }
    case 'required': {
      const key = (error.params as { missingProperty: string }).missingProperty;
      return locator.issue('missing-key', path, `missing required key "${key}"`);
    }
    case 'const':
      if (path[0] === 'version') return locator.issue('unsupported-version', path, `unsupported version ${JSON.stringify(error.data)}; expected 1`);
      return locator.issue('invalid-value', path, `expected ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`);
    case 'enum':
      return locator.issue('invalid-value', path, `${JSON.stringify(error.data)} is not allowed; expected one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`);
    case 'pattern': {
      const what = (error.parentSchema as { description?: string })?.description ?? `a string matching ${error.schema}`;
      const code = path[path.length - 1] === 'duration' ? 'invalid-duration' : String(error.schema).includes('\\.') ? 'invalid-table-name' : 'invalid-member-name';
      return locator.issue(code, path, `${JSON.stringify(error.data)} is not valid: expected ${lowerFirst(what)}`);
    }
    case 'minProperties':
    case 'maxProperties':
      return locator.issue('invalid-duration', path, `expected exactly one unit, { days: N } or { hours: N }${path[path.length - 1] === 'within' ? ' or { duration: "24h" }' : ''}`);
    case 'minItems':
      return locator.issue('too-few-items', path, `expected at least ${(error.params as { limit: number }).limit} item(s)`);
    case 'uniqueItems':
      return locator.issue('duplicate-item', path, 'items must be unique');
    default:
      return locator.issue(`invalid-${error.keyword}`, path, `${error.message ?? 'is invalid'}${error.data !== undefined && typeof error.data !== 'object' ? ` (got ${JSON.stringify(error.data)})` : ''}`);
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
