import type { Funnel, MetricsSpec } from '../spec/spec-types.ts';
import type { View } from './cube-types.ts';
import { factCube } from './fact-cube.ts';
import type { ModelSql } from './model-sql.ts';
import { EVENTS_VIEW, FACT_CUBE, funnelCubeName, USERS_CUBE, viewMember } from './model-names.ts';

/** What REST and SQL clients see of a funnel: members named by the documented contract. */
export function funnelView(spec: MetricsSpec, funnel: Funnel): View {
  const cube = funnelCubeName(funnel);
  const steps = funnel.steps;
  return {
    name: funnel.name,
    title: funnel.title ?? funnel.name,
    description: funnel.description ?? `Funnel ${steps.map((s) => s.name).join(' → ')} (order: ${funnel.order}), by first-visit cohort.`,
    cubes: [
      {
        join_path: cube,
        includes: [
          viewMember.cohortDate,
          viewMember.cohortIsComplete,
          viewMember.userId,
          ...steps.map(viewMember.stepUsers),
          ...steps.slice(1).map(viewMember.stepConversionRate),
          ...steps.slice(1).map(viewMember.stepStepConversionRate),
          ...steps.slice(1).map(viewMember.stepAvgSeconds),
          ...steps.slice(1).map(viewMember.stepMedianSeconds),
        ],
      },
      { join_path: `${cube}.${USERS_CUBE}`, includes: [...spec.sources.userAttributes] },
    ],
  };
}

/** The mart's rows with the user attributes: the seed's section-4 queries, each one Cube query. */
export function eventsView(spec: MetricsSpec, m: ModelSql): View {
  const fact = factCube(spec, m);
  return {
    name: EVENTS_VIEW,
    title: 'Activation events',
    description: "Each user's first occurrence of each tracked event, with the user's attributes.",
    cubes: [
      {
        join_path: FACT_CUBE,
        includes: [...fact.dimensions.filter((d) => d.public !== false).map((d) => d.name), ...fact.measures.map((m) => m.name)],
      },
      { join_path: `${FACT_CUBE}.${USERS_CUBE}`, includes: [...spec.sources.userAttributes] },
    ],
  };
}
