import type { RawSpec, SpecLocator } from './load-spec.ts';
import type { SpecIssue } from './spec-issue.ts';
import { FIRST_VISIT, type MetricsSpec } from './spec-types.ts';
import { checkFunnelExtras } from './funnel-rules.ts';
import { factEventMeasureName, factStepMeasureName, funnelCubeName, modelObjectNames, windowSuffix } from '../model/model-names.ts';
import { describeWindow, stepWindow, windowReachSeconds } from '../funnel/funnel-semantics.ts';

const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Meaning checks the JSON Schema cannot express. `raw` keeps the user's own keys, for locations. */
export function checkSpecRules(raw: RawSpec, spec: MetricsSpec, at: SpecLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];

  if (!isKnownTimeZone(spec.timezone)) {
    issues.push(at.issue('unknown-timezone', ['timezone'], `unknown time zone ${JSON.stringify(spec.timezone)}; expected an IANA name such as UTC, Asia/Seoul or America/New_York`));
  }

  const tracked = new Set<string>();
  spec.events.forEach((event, i) => {
    if (event === FIRST_VISIT) {
      issues.push(at.issue('reserved-event', ['events', i], `"${FIRST_VISIT}" is implicit (it comes from the users table); remove it from events`));
    } else if (/[{}]/.test(event)) {
      issues.push(at.issue('unsupported-event-name', ['events', i], `event ${JSON.stringify(event)} contains { or }, which Cube's model files cannot hold (Cube reads them as Jinja)`));
    } else if (tracked.has(event)) {
      issues.push(at.issue('duplicate-event', ['events', i], `event ${JSON.stringify(event)} is listed twice`));
    }
    tracked.add(event);
  });

  // Cube names cubes and views in one namespace: a funnel's view must not take a generated cube's name.
  const reservedNames = new Set([...[spec.mart.table, spec.sources.users, spec.sources.events].map((t) => t.split('.').pop()!), ...modelObjectNames({ funnels: [] })]);
  const funnelCubes = new Map(spec.funnels.map((f) => [funnelCubeName(f), f.name]));
  const funnelNames = new Set<string>();
  spec.funnels.forEach((funnel, f) => {
    const fPath = ['funnels', f];
    if (funnelNames.has(funnel.name)) {
      issues.push(at.issue('duplicate-funnel', [...fPath, 'name'], `funnel name "${funnel.name}" is used twice; each funnel becomes a Cube view and needs its own name`));
    } else if (reservedNames.has(funnel.name)) {
      issues.push(at.issue('reserved-name', [...fPath, 'name'], `funnel name "${funnel.name}" is taken by a table or cube of the model; choose another`));
    } else if (funnelCubes.has(funnel.name)) {
      issues.push(at.issue('reserved-name', [...fPath, 'name'], `funnel name "${funnel.name}" is the name of funnel "${funnelCubes.get(funnel.name)}"'s generated cube; choose another`));
    }
    funnelNames.add(funnel.name);

    const first = funnel.steps[0];
    if (first.event !== FIRST_VISIT) {
      issues.push(at.issue('first-step', [...fPath, 'steps', 0, 'event'], `the first step must be "${FIRST_VISIT}" (windows are measured from it), got ${JSON.stringify(first.event)}`));
    } else if (first.within) {
      issues.push(at.issue('first-step-window', [...fPath, 'steps', 0, 'within'], `the "${FIRST_VISIT}" step cannot have a window: windows are measured from it`));
    }

    const stepNames = new Set<string>();
    funnel.steps.forEach((step, s) => {
      const sPath = [...fPath, 'steps', s];
      const rawStep = raw.funnels[f].steps[s];
      if (step.event !== FIRST_VISIT && !tracked.has(step.event)) {
        issues.push(at.issue('untracked-event', [...sPath, 'event'], `event ${JSON.stringify(step.event)} is not tracked; add it to events (tracked: ${[...tracked].join(', ')})`));
      }
      if (/[{}]/.test(step.event)) {
        issues.push(at.issue('unsupported-event-name', [...sPath, 'event'], `event ${JSON.stringify(step.event)} contains { or }, which Cube's model SQL cannot hold`));
      }
      if (rawStep.name === undefined && !MEMBER_NAME.test(step.event)) {
        issues.push(at.issue('step-name-required', [...sPath, 'event'], `event ${JSON.stringify(step.event)} is not a valid Cube member name; give the step a name: (letters, digits, underscores)`));
      } else if (stepNames.has(step.name)) {
        issues.push(at.issue('duplicate-step', rawStep.name === undefined ? [...sPath, 'event'] : [...sPath, 'name'], `step name "${step.name}" is used twice in funnel "${funnel.name}"; give one step another name:`));
      }
      stepNames.add(step.name);
    });

    // Under `sequential`, a later step happens after the earlier one, so a tighter window later silently tightens the earlier one.
    if (funnel.order === 'sequential') {
      for (let s = 2; s < funnel.steps.length; s++) {
        const before = windowReachSeconds(stepWindow(funnel.steps[s - 1].within));
        const here = windowReachSeconds(stepWindow(funnel.steps[s].within));
        if (here < before) {
          issues.push(at.issue('non-monotonic-window', [...fPath, 'steps', s, 'within'], `window ${describe(funnel.steps[s].within)} is shorter than the previous step's (${describe(funnel.steps[s - 1].within)}); in a sequential funnel each step happens after the previous one, so windows must not shrink`));
        }
      }
    }

    const members = new Map<string, string>();
    const claim = (member: string, by: string) => {
      const owner = members.get(member);
      if (owner) issues.push(at.issue('member-collision', fPath, `view member "${funnel.name}.${member}" would be defined by both ${owner} and ${by}; rename one`));
      else members.set(member, by);
    };
    claim('cohort_date', 'the cohort date');
    claim('cohort_is_complete', 'the completeness flag');
    claim('user_id', 'the user id');
    spec.sources.userAttributes.forEach((a) => claim(a, `user attribute "${a}"`));
    funnel.steps.forEach((step, s) => {
      claim(`${step.name}_users`, `step ${s + 1}`);
      if (s > 0) {
        for (const suffix of ['conversion_rate', 'step_conversion_rate', 'avg_seconds_to_convert', 'median_seconds_to_convert', 'seconds_to_convert_sum']) claim(`${step.name}_${suffix}`, `step ${s + 1}`);
      }
    });
  });

  issues.push(...checkFunnelExtras(raw, spec, tracked, at));

  issues.push(...checkFactMembers(spec, at));
  return issues;
}

/** Members of the users and fact cubes, which the activation_events view shows side by side. */
const FIXED_MEMBERS = ['id', 'user_id', 'first_date', 'first_datetime', 'date', 'datetime', 'event_name', 'first_visit_date', 'first_visit_datetime', 'hours_from_first_visit', 'days_from_first_visit', 'count', 'users'];

/** The fact cube's per-event measures must name one (event, window) each, and user attributes must not shadow any member. */
function checkFactMembers(spec: MetricsSpec, at: SpecLocator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const measures = new Map<string, string>();
  const claim = (name: string | undefined, meaning: string, path: (string | number)[]) => {
    if (!name) return;
    const owner = measures.get(name);
    if (owner !== undefined && owner !== meaning) {
      issues.push(at.issue('member-collision', path, `measure "${name}" of the mart's cube would count both ${owner} and ${meaning}; give the step another name:`));
    } else measures.set(name, meaning);
  };
  [FIRST_VISIT, ...spec.events].forEach((event, i) => claim(factEventMeasureName(event), `"${event}"`, i === 0 ? ['events'] : ['events', i - 1]));
  spec.funnels.forEach((funnel, f) =>
    funnel.steps.forEach((step, s) => claim(factStepMeasureName(step), `"${step.event}"${windowSuffix(step.within).replace(/_/g, ' ')}`, ['funnels', f, 'steps', s])),
  );
  const taken = new Set([...FIXED_MEMBERS, ...measures.keys()]);
  spec.sources.userAttributes.forEach((attribute, i) => {
    if (taken.has(attribute) || attribute.endsWith('__pin')) {
      issues.push(at.issue('reserved-attribute', ['sources', 'user_attributes', i], `user attribute "${attribute}" would shadow a member of the model (${[...FIXED_MEMBERS].join(', ')}, the *_users measures, *__pin helpers); rename the column in a view of the users table`));
    }
  });
  return issues;
}

export function isKnownTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function describe(within: Parameters<typeof stepWindow>[0]): string {
  return describeWindow(stepWindow(within)).replace(/^ within | of the first visit$/g, '').trim() || 'no limit';
}
