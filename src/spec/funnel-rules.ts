import type { RawSpec, SpecLocator } from './load-spec.ts';
import type { SpecIssue } from './spec-issue.ts';
import { FIRST_VISIT, type MetricsSpec } from './spec-types.ts';

/**
 * Funnel exclusions and funnel tables (issue 9): the checks the JSON Schema cannot express.
 * `tracked` holds the spec's tracked events.
 */
export function checkFunnelExtras(raw: RawSpec, spec: MetricsSpec, tracked: ReadonlySet<string>, at: SpecLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];

  spec.funnels.forEach((funnel, f) => {
    const stepIndex = new Map(funnel.steps.map((s, i) => [s.name, i]));
    funnel.exclusions.forEach((x, e) => {
      const xPath = ['funnels', f, 'exclusions', e];
      if (funnel.order !== 'sequential') {
        issues.push(at.issue('exclusion-order', xPath, `exclusions apply to sequential funnels only; funnel "${funnel.name}" has order ${funnel.order}`));
        return;
      }
      if (x.event === FIRST_VISIT) {
        issues.push(at.issue('exclusion-event', [...xPath, 'event'], `"${FIRST_VISIT}" cannot be excluded: every user has exactly one`));
      } else if (!tracked.has(x.event)) {
        issues.push(at.issue('untracked-event', [...xPath, 'event'], `event ${JSON.stringify(x.event)} is not tracked; add it to events (tracked: ${[...tracked].join(', ')})`));
      }
      const [from, to] = x.between.map((name, i) => {
        const index = stepIndex.get(name);
        if (index === undefined) {
          issues.push(at.issue('unknown-step', [...xPath, 'between', i], `no step of funnel "${funnel.name}" is named "${name}" (steps: ${funnel.steps.map((s) => s.name).join(', ')})`));
        }
        return index;
      });
      if (from === undefined || to === undefined) return;
      if (from >= to) {
        issues.push(
          at.issue('exclusion-pair-order', [...xPath, 'between'], `"${x.between[0]}" must come before "${x.between[1]}" in funnel "${funnel.name}"; list the earlier step first`),
        );
        return;
      }
      const clash = funnel.steps.slice(from, to + 1).find((s) => s.event === x.event);
      if (clash) {
        issues.push(
          at.issue(
            'exclusion-is-step',
            [...xPath, 'event'],
            `event ${JSON.stringify(x.event)} is step "${clash.name}", between "${x.between[0]}" and "${x.between[1]}" (both included); a step's own event cannot exclude from it`,
          ),
        );
      }
    });
  });

  // Funnel tables are written by the builder: they must not be a source, the mart, its state table or another funnel's table.
  // Compared as the engines resolve them: ignoring case (DuckDB always), an unqualified name being the same table as
  // that name in the default schema (`main` on DuckDB, `public` on PostgreSQL).
  const key = (table: string) => table.toLowerCase().replace(/^(main|public)\./, '');
  const taken = new Map<string, string>([
    [key(spec.sources.events), 'sources.events'],
    [key(spec.sources.users), 'sources.users'],
    [key(spec.mart.table), 'the mart (mart.table)'],
    [key(spec.mart.stateTable), "the mart's state table"],
  ]);
  spec.funnels.forEach((funnel, f) => {
    const owner = taken.get(key(funnel.table));
    if (owner) {
      const explicit = raw.funnels[f].table !== undefined;
      issues.push(
        at.issue(
          'table-collision',
          explicit ? ['funnels', f, 'table'] : ['funnels', f, 'name'],
          `funnel "${funnel.name}"'s table ${JSON.stringify(funnel.table)}${explicit ? '' : ' (the default)'} is already ${owner}; give the funnel another table:`,
        ),
      );
    } else {
      taken.set(key(funnel.table), `funnel "${funnel.name}"'s table`);
    }
  });
  return issues;
}
