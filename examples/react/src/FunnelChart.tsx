import type { CubeApi } from '@cubejs-client/core';
import { useEffect, useState } from 'react';
import { funnelQuery, STEPS, toCohorts, type CohortFunnel } from './funnel-query.ts';

const COLORS = ['#3b5bdb', '#4dabf7', '#63e6be'];

type State = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; cohorts: CohortFunnel[] };

/** The core_activation funnel for the last `cohorts` first-visit days: one row of bars per cohort. */
export function FunnelChart({ cubeApi, cohorts = 7 }: { cubeApi: CubeApi; cohorts?: number }) {
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    cubeApi
      .load(funnelQuery(cohorts))
      .then((resultSet) => !cancelled && setState({ status: 'ready', cohorts: toCohorts(resultSet) }))
      .catch((error: Error) => !cancelled && setState({ status: 'error', message: error.message }));
    return () => {
      cancelled = true;
    };
  }, [cubeApi, cohorts]);

  if (state.status === 'loading') return <p role="status">Loading the funnel…</p>;
  if (state.status === 'error') return <p role="alert">Could not load the funnel: {state.message}</p>;

  return (
    <figure style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720 }}>
      <figcaption style={{ fontWeight: 600, marginBottom: 12 }}>First visit → key event 1 (≤1 day) → key event 2 (≤7 days), last {state.cohorts.length} cohorts</figcaption>
      <ul style={{ listStyle: 'none', padding: 0, display: 'flex', gap: 16, fontSize: 13 }}>
        {STEPS.map((step, i) => (
          <li key={step.member}>
            <span style={{ display: 'inline-block', width: 10, height: 10, background: COLORS[i], marginRight: 6 }} />
            {step.label}
          </li>
        ))}
      </ul>
      <table style={{ width: '100%', borderCollapse: 'collapse' }}>
        <tbody>
          {state.cohorts.map((c) => (
            <tr key={c.cohort} data-testid="cohort" style={{ opacity: c.complete ? 1 : 0.55 }}>
              <th scope="row" style={{ textAlign: 'left', fontWeight: 400, whiteSpace: 'nowrap', paddingRight: 12 }}>
                {c.cohort}
                {c.complete ? '' : ' (incomplete)'}
              </th>
              <td style={{ width: '100%' }}>
                {c.users.map((n, i) => {
                  const share = c.users[0] > 0 ? n / c.users[0] : 0;
                  return (
                    <div key={STEPS[i].member} title={`${STEPS[i].label}: ${n}`} style={{ display: 'flex', alignItems: 'center', gap: 8, margin: '2px 0' }}>
                      <div role="meter" aria-label={`${c.cohort} ${STEPS[i].label}`} aria-valuenow={Math.round(share * 1000) / 10} aria-valuemin={0} aria-valuemax={100} style={{ height: 10, width: `${share * 100}%`, background: COLORS[i] }} />
                      <span style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                        {n.toLocaleString('en-US')}
                        {i > 0 ? ` · ${(share * 100).toFixed(1)}%` : ''}
                      </span>
                    </div>
                  );
                })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
